#include <banditore/domain/draft_decision.hpp>

#include <algorithm>

namespace banditore::domain {

namespace {

bool editable(std::string_view state) { return state == "draft" || state == "rejected"; }

bool own(std::string_view author, std::string_view editor, std::string_view who) {
  return (!author.empty() && author == who) || (!editor.empty() && editor == who);
}

}  // namespace

std::string_view to_string(draft_send how) {
  switch (how) {
    case draft_send::approve: return "approve";
    case draft_send::direct: return "direct";
    case draft_send::bypass: return "bypass";
  }
  return "approve";
}

draft_verdict may_edit(std::string_view state) {
  return editable(state) ? draft_verdict::allowed : draft_verdict::wrong_state;
}

draft_verdict may_submit(std::string_view state) { return may_edit(state); }

draft_verdict may_reject(std::string_view state) {
  return state == "pending" ? draft_verdict::allowed : draft_verdict::wrong_state;
}

draft_verdict may_send(draft_send how, std::string_view state, std::string_view author, std::string_view editor,
                       std::string_view who) {
  if (how == draft_send::approve) {
    if (state != "pending") return draft_verdict::wrong_state;
    return own(author, editor, who) ? draft_verdict::own_draft : draft_verdict::allowed;
  }
  return editable(state) || state == "pending" ? draft_verdict::allowed : draft_verdict::wrong_state;
}

draft_powers powers_of_role(std::string_view role) {
  if (role == "editor") return {true, false, false};
  if (role == "publisher") return {true, true, false};
  if (role == "admin") return {true, true, true};
  return {};
}

draft_powers powers_of_scopes(const std::vector<std::string>& scopes) {
  auto has = [&](std::string_view s) { return std::find(scopes.begin(), scopes.end(), s) != scopes.end(); };
  draft_powers p;
  p.decide = has("alerts:send");
  p.write = p.decide || has("drafts:write");
  p.emergency = p.decide && has("alerts:emergency");
  return p;
}

std::optional<draft_send> send_without_approval(const approval_rule& rule, std::string_view category, severity level,
                                                const draft_powers& powers) {
  if (!powers.decide) return std::nullopt;
  if (!rule.needs_approval(category, level)) return draft_send::direct;
  if (powers.emergency) return draft_send::bypass;
  return std::nullopt;
}

}  // namespace banditore::domain

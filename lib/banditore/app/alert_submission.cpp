#include <banditore/app/alert_submission.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/domain/quiet_hours.hpp>
#include <banditore/http/json_text.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/store/drafts.hpp>

#include <algorithm>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

asio::awaitable<alert_check> check_alert(const alerts_context& ctx, const json& body,
                                         const std::vector<std::string>& towns, std::int64_t now,
                                         std::vector<domain::field_error> earlier) {
  alert_check out;
  out.validation = domain::validate_alert(body, ctx.limits, now);
  auto reading = domain::read_alert_audience(body);
  out.errors = std::move(earlier);
  out.errors.insert(out.errors.end(), out.validation.errors.begin(), out.validation.errors.end());
  out.errors.insert(out.errors.end(), reading.errors.begin(), reading.errors.end());
  if (!out.errors.empty()) co_return out;
  out.audience = std::move(reading.audience);
  // A draft from a town's website news is for that town, unless the body
  // says where it goes ("towns": null sends it everywhere) or the town is
  // no longer in the catalogue.
  std::string draft_town;
  if (out.validation.draft_id && ctx.drafts && !body.contains("towns") && !body.contains("areas"))
    if (auto d = co_await ctx.drafts->draft(*out.validation.draft_id)) draft_town = d->town_id;
  if (out.audience.everyone() && towns.empty() && draft_town.empty()) co_return out;
  // The catalogue decides which ids exist and which town an area is in.
  domain::audience_catalogue catalogue;
  if (ctx.audience) catalogue = co_await ctx.audience->catalogue();
  if (std::any_of(catalogue.towns.begin(), catalogue.towns.end(),
                  [&](const domain::town& t) { return t.id == draft_town; }))
    out.audience.towns = std::vector<std::string>{draft_town};
  out.errors = domain::check_alert_audience(out.audience, catalogue);
  if (!out.errors.empty()) co_return out;
  const auto verdict = domain::limit_to_key_towns(out.audience, towns, catalogue);
  if (!verdict.allowed) out.forbidden = verdict.detail;
  co_return out;
}

asio::awaitable<submitted_alert> submit_alert(const alerts_context& ctx, alert_sender sender, json body,
                                              std::string idempotency_key, std::int64_t now) {
  submitted_alert out;
  std::vector<domain::field_error> none;  // named: g++ 12 destroys a temporary in a co_await expression twice
  auto c = co_await check_alert(ctx, body, sender.towns, now, std::move(none));
  if (!c.errors.empty()) {
    out.errors = std::move(c.errors);
    co_return out;
  }
  auto& validation = c.validation;
  out.draft = validation.draft;
  if (c.forbidden) {
    out.outcome = submission_outcome::forbidden;
    out.detail = *c.forbidden;
    co_return out;
  }

  // The approval rule (BANDITORE_APPROVAL_RULE): an alert it asks a second
  // person for is sent only past it, by someone with the emergency
  // capability (alerts:emergency, the admin role), and then audited as a
  // bypass.
  const auto how = domain::send_without_approval(ctx.approval_now(), validation.draft->category, validation.draft->level,
                                                 sender.powers);
  if (!how) {
    out.outcome = submission_outcome::approval_required;
    co_return out;
  }
  out.how = how;
  std::optional<store::new_alert::draft_decision> decision;
  if (*how == domain::draft_send::bypass) decision = store::new_alert::draft_decision{*how, 0};
  if (validation.draft_id && ctx.drafts) {
    // Sent from a draft: it leaves by this decision at the revision read
    // now, so the draft records how it left.
    const auto draft_id = *validation.draft_id;
    auto d = co_await ctx.drafts->draft(draft_id);
    if (!d) {
      out.outcome = submission_outcome::draft_gone;
      out.draft_id = draft_id;
      co_return out;
    }
    decision = store::new_alert::draft_decision{*how, d->revision};
  }

  store::new_alert a;
  a.decision = decision;
  a.draft = std::move(*validation.draft);
  a.audience = std::move(c.audience);
  a.source = sender.source;
  a.api_key_id = sender.who.api_key_id;
  a.idempotency_key = idempotency_key;
  a.draft_id = validation.draft_id;
  a.updates = validation.updates;
  a.publish = validation.publish;
  a.media_id = validation.media_id;
  a.send_at = validation.send_at_ms;
  const auto digest = crypto::sha256(http::json_text(body));
  a.request_hash.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  a.not_before = now;
  if (idempotency_key.empty() && !validation.allow_duplicate && ctx.duplicate_window_ms > 0)
    a.duplicate_since = now - ctx.duplicate_window_ms;
  const auto quiet = ctx.quiet_hours_now();
  if (quiet && a.draft.level == domain::severity::minor) {
    domain::quiet_hours q{quiet->first, quiet->second};
    // Quiet hours at the time it leaves.
    if (auto until = domain::quiet_until(q, a.send_at.value_or(now))) a.not_before = *until;
  }
  const auto tier = limit_in_force(ctx);
  auto who = sender.who;
  out.created = co_await ctx.alerts->create(std::move(a), std::move(who), tier, now);
  out.outcome = submission_outcome::stored;
  if (out.created.result.outcome == store::create_outcome::created) {
    json fields = {{"request_id", sender.request_id},
                   {"alert_id", out.created.result.id},
                   {"severity", out.created.report ? out.created.report->alert.severity : std::string()},
                   {"source", sender.source},
                   {"decision", std::string(domain::to_string(*how))}};
    if (!sender.key_name.empty()) fields["key"] = sender.key_name;
    log::info("alert.created", fields);
    if (ctx.alerts_changed) ctx.alerts_changed();
  }
  co_return out;
}

}  // namespace banditore::app

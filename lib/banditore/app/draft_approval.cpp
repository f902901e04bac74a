#include <banditore/app/draft_approval.hpp>

#include <banditore/domain/alert_audience.hpp>
#include <banditore/domain/draft_decision.hpp>
#include <banditore/store/audience.hpp>

#include <algorithm>

namespace banditore::app {

bool draft_within_towns(const store::draft_record& d, const std::vector<std::string>& towns,
                        const domain::audience_catalogue& catalogue) {
  if (towns.empty()) return true;
  auto audience = d.audience;
  if (!audience.towns && !audience.areas && !d.town_id.empty()) audience.towns = std::vector<std::string>{d.town_id};
  const bool no_towns = !audience.towns || audience.towns->empty();
  const bool no_areas = !audience.areas || audience.areas->empty();
  if (no_towns && no_areas) return false;
  return domain::limit_to_key_towns(audience, towns, catalogue).allowed;
}

boost::asio::awaitable<approval_result> approve_draft(store::drafts& drafts, store::alerts& alerts,
                                                      store::audience* catalogue_store, approval_request request,
                                                      std::int64_t now) {
  approval_result out;
  out.draft = co_await drafts.draft(request.draft_id);
  if (!out.draft) {
    out.outcome = approval_outcome::not_found;
    co_return out;
  }
  const auto& d = *out.draft;
  if (d.state != store::draft_pending) {
    out.outcome = approval_outcome::wrong_state;
    co_return out;
  }
  // Said before anything else is read; the store holds the same rule in
  // its transaction, against a change made meanwhile.
  if (domain::may_send(domain::draft_send::approve, d.state, d.author, d.editor, request.who.name) ==
      domain::draft_verdict::own_draft) {
    out.outcome = approval_outcome::own_draft;
    co_return out;
  }
  // An approver limited to towns approves only what goes there.
  domain::audience_catalogue catalogue;
  if (catalogue_store && !request.towns.empty()) catalogue = co_await catalogue_store->catalogue();
  auto audience = d.audience;
  const auto town_verdict = domain::limit_to_key_towns(audience, request.towns, catalogue);
  if (!town_verdict.allowed) {
    out.outcome = approval_outcome::other_towns;
    out.detail = town_verdict.detail;
    co_return out;
  }
  // What is approved is what was written: a draft for everyone is not
  // narrowed to the approver's towns, it is refused.
  if (!(audience == d.audience)) {
    out.outcome = approval_outcome::everyone_for_some;
    co_return out;
  }
  // An alert that has already expired would reach nobody: the author
  // moves its expiry and submits it again.
  if (d.expires_at && *d.expires_at <= now) {
    out.outcome = approval_outcome::expired;
    co_return out;
  }

  // Read once more in the store's transaction; said here so that what
  // the approver did not read is never sent.
  if (request.revision != d.revision) {
    out.outcome = approval_outcome::stale;
    co_return out;
  }

  store::new_alert a;
  a.draft.category = d.category;
  a.draft.level = domain::parse_severity(d.severity).value_or(domain::severity::minor);
  a.draft.title = d.title;
  a.draft.text = d.text;
  a.draft.link = d.link;
  a.draft.expires_at_ms = d.expires_at;
  a.audience = d.audience;
  a.source = d.source == "cap" ? "cap" : request.source;
  a.api_key_id = request.who.api_key_id;
  a.draft_id = d.id;
  a.decision = store::new_alert::draft_decision{domain::draft_send::approve, request.revision};
  a.publish = d.publish;
  // The draft's attachment goes with it: inside the window the alert is an
  // image or document message captioned with its text.
  a.media_id = d.media_id;
  // A time still ahead: the alert waits, scheduled, for it.
  a.not_before = now;
  if (d.send_at && *d.send_at > now) a.send_at = d.send_at;
  const auto tier = request.tier_limit;
  auto created = co_await alerts.create(std::move(a), std::move(request.who), tier, now);
  out.alert_id = created.result.id;
  switch (created.result.outcome) {
    case store::create_outcome::created:
    case store::create_outcome::replayed:
      out.outcome = approval_outcome::approved;
      out.report = std::move(created.report);
      break;
    case store::create_outcome::own_draft: out.outcome = approval_outcome::own_draft; break;
    case store::create_outcome::draft_changed: out.outcome = approval_outcome::stale; break;
    case store::create_outcome::draft_unavailable: out.outcome = approval_outcome::unavailable; break;
    default: out.outcome = approval_outcome::failed; break;
  }
  co_return out;
}

}  // namespace banditore::app

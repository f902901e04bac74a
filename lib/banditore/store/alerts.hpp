// Alerts as the press office and the command line see them: create one
// (one call = one broadcast, audited), read its report, list, cancel,
// and the totals of /v1/stats. Each call is one transaction.
#pragma once

#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_audience.hpp>
#include <banditore/domain/draft_decision.hpp>
#include <banditore/store/alert_schedule.hpp>
#include <banditore/store/outbox.hpp>
#include <banditore/store/planning.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::store {

struct alert_record {
  std::int64_t id = 0;
  std::string category, severity, title, text, link, state, source;
  int priority = 0;
  std::optional<std::int64_t> api_key_id, expires_at, cancelled_at, finished_at;
  std::int64_t not_before = 0, created_at = 0, planned_count = 0;
  domain::alert_audience audience;  // who it is for; everyone when all absent
  std::optional<std::int64_t> updates;  // the earlier alert it replaces
  std::optional<std::int64_t> media_id;  // its attachment (store/media.hpp)
  std::optional<std::int64_t> send_at;   // the time it was scheduled for; nullopt: sent at once
};

struct new_alert {
  domain::alert_draft draft;
  // Ids the caller checked against the catalogue (domain/alert_audience.hpp).
  domain::alert_audience audience;
  std::string source = "api";
  std::optional<std::int64_t> api_key_id;
  std::string idempotency_key;  // empty: none
  std::string request_hash;     // SHA-256 of the canonical request body
  std::int64_t not_before = 0;  // quiet hours may move it later
  // Without an idempotency key, the same alert (category, severity, title,
  // text, link, audience) created since this time and not cancelled is a duplicate;
  // 0: no check.
  std::int64_t duplicate_since = 0;
  // The draft this alert was made from: marked sent in the same
  // transaction, so a draft becomes at most one alert.
  std::optional<std::int64_t> draft_id;
  // Set when the draft is a person's, sent by a decision
  // (domain/draft_decision.hpp): the draft must be in a state that allows
  // it, who must not be its author for an approval, and its revision must
  // still be this one (the text approved is the text sent).
  struct draft_decision {
    domain::draft_send how = domain::draft_send::approve;
    std::int64_t revision = 0;
  };
  std::optional<draft_decision> decision;
  // Shown on the public pages and feeds; false: "non pubblicare".
  bool publish = true;
  // The earlier alert this one replaces: it must exist; what is still
  // queued of it stops, in the same transaction.
  std::optional<std::int64_t> updates;
  // The attachment sent with it inside the 24-hour window.
  std::optional<std::int64_t> media_id;
  // A time ahead: the alert waits as "scheduled" until then
  // (store/alert_schedule.hpp); nullopt or past: it leaves at once.
  std::optional<std::int64_t> send_at;
};

// conflict: the idempotency key was used for another request; duplicate:
// the same alert was created moments ago (id names it); draft_unavailable:
// draft_id names no draft still open (none, sent or discarded), or with a
// decision no draft in a state that allows it; own_draft: an approval by
// the draft's author or last editor; draft_changed: the draft was edited
// since it was read; update_unknown: updates names no alert (id names it);
// media_unknown: media_id names no stored attachment.
enum class create_outcome {
  created, replayed, conflict, duplicate, draft_unavailable, own_draft, draft_changed, update_unknown, media_unknown
};

struct create_result {
  create_outcome outcome = create_outcome::created;
  std::int64_t id = 0;
};


// Deliveries of one state that carry the same error: WhatsApp's code (0 when
// none was given) and title.
struct delivery_error {
  std::string state;
  int code = 0;
  std::string title;
  std::int64_t count = 0;
};

struct alert_report {
  alert_record alert;
  delivery_counts counts;
  std::vector<delivery_error> errors;  // most frequent first
  std::optional<std::int64_t> first_sent_at, last_sent_at;
  std::int64_t waiting_for_limit = 0;  // deliveries held by WhatsApp's messaging limit
};


// Who acts, for the audit log: "key:<name>" for the API, "cli" for the
// command line.
struct actor {
  std::string name;
  std::optional<std::int64_t> api_key_id;
};


// Who an alert would reach: the preview's counts.
struct audience_count {
  std::int64_t recipients = 0;
  std::int64_t outside_window = 0;  // last wrote more than 24 hours ago, or never
  // With several business numbers, the same per number the deliveries
  // would leave from (its window is that number's own); empty with one.
  struct on_number {
    std::string number_id;
    std::int64_t recipients = 0;
    std::int64_t outside_window = 0;
  };
  std::vector<on_number> numbers;
};

// What POST /v1/alerts/preview counts: who would receive the alert now,
// and how much of the messaging limit is used.
struct alert_preview_counts {
  audience_count audience;
  messaging_limit_usage usage;  // over every number of the deployment
  // With several numbers: each business portfolio's use of its own limit,
  // for those that reached anybody in the last 24 hours.
  std::vector<portfolio_usage> portfolios;
};

struct created_alert {
  create_result result;
  std::optional<alert_report> report;  // created or replayed
  // With a messaging limit (tier_limit > 0), for a created or replayed
  // alert: what the preview would count for its audience in the
  // transaction that created it (who it reaches outside their window, per
  // number with several, and each portfolio's use of its limit).
  std::optional<alert_preview_counts> limit_counts;
};

// What the console's history filters by; an empty field does not filter.
// town and topic keep the alerts that name them (an area of the town
// counts); an alert for everyone names none.
struct alert_query {
  std::string town, topic, severity, source;
  std::string state;  // "scheduled": the dashboard's alerts waiting for their time
  std::string title_contains;  // ASCII letters in either case
  std::optional<std::int64_t> created_from, created_before;  // Unix ms, [from, before)
  std::int64_t before_id = 0;  // keyset paging: ids below this one; 0 = from the newest
  std::size_t limit = 20;
  // A staff user limited to towns sees only the alerts that name one of
  // them or an area in one, and those for every town (no town or area
  // named), which reached their towns too. Empty: every alert.
  std::vector<std::string> within_towns;
};

struct alert_stats {
  std::int64_t subscribers = 0;
  std::int64_t flagged = 0;
  delivery_counts deliveries;
  messaging_limit_usage usage;  // over every number of the deployment
  // Each business portfolio that reached anybody outside their window in
  // the last 24 hours (with several numbers; empty with one).
  std::vector<portfolio_usage> portfolios;
};

class alerts {
 public:
  virtual ~alerts() = default;

  // One call = one broadcast: a repeated idempotency key with the same
  // request returns the first alert; with another request, a conflict. A
  // created alert is audited as who did it.
  virtual boost::asio::awaitable<created_alert> create(new_alert alert, actor who, std::int64_t tier_limit,
                                                       std::int64_t now_ms) = 0;
  virtual boost::asio::awaitable<std::optional<alert_report>> report(std::int64_t id) = 0;
  // Newest first; before_id = 0 starts from the newest.
  virtual boost::asio::awaitable<std::vector<alert_record>> list(std::int64_t before_id, std::size_t limit) = 0;
  // The same, filtered (the console's history).
  virtual boost::asio::awaitable<std::vector<alert_record>> search(alert_query query) = 0;
  // Stops what has not been sent, audited; nullopt when there is no such
  // alert. An alert already finished or cancelled is left as it is.
  virtual boost::asio::awaitable<std::optional<alert_report>> cancel(std::int64_t id, actor who,
                                                                     std::int64_t now_ms) = 0;
  virtual boost::asio::awaitable<alert_stats> stats(std::int64_t tier_limit, std::int64_t now_ms) = 0;
  // Counts an alert's audience as the planner would select it; creates
  // nothing.
  virtual boost::asio::awaitable<alert_preview_counts> preview(domain::alert_audience audience, domain::severity level,
                                                               std::int64_t tier_limit, std::int64_t now_ms) = 0;
};

// The same for the command line, as plain calls.
struct cli_cancel {
  std::optional<alert_record> before;  // nullopt: no such alert
  std::optional<alert_report> after;   // when it was still planning or sending
};
class alert_admin {
 public:
  virtual ~alert_admin() = default;
  virtual std::int64_t create_alert(const new_alert& alert, const actor& who, std::int64_t now_ms) = 0;
  virtual std::vector<alert_record> list_alerts(std::int64_t before_id, std::size_t limit) = 0;
  virtual std::optional<alert_report> alert_report_of(std::int64_t id) = 0;
  // Audited only when the alert was still planning or sending.
  virtual cli_cancel cancel_alert(std::int64_t id, const actor& who, std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

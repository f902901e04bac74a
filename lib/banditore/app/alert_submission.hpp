// One way an alert is checked and sent, whoever sends it: POST /v1/alerts
// with an API key and the console's Invia as a staff member both call
// submit_alert, so the validation, the sender's towns, the approval rule,
// the creation and its audit cannot drift apart. check_alert is the part
// that creates nothing (previews, drafts).
#pragma once

#include <banditore/app/alerts_api.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_audience.hpp>
#include <banditore/domain/draft_decision.hpp>
#include <banditore/store/alerts.hpp>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace banditore::app {

// A POST /v1/alerts body read and checked: the alert and its audience, or
// the reasons it is refused.
struct alert_check {
  domain::alert_validation validation;
  domain::alert_audience audience;
  std::vector<domain::field_error> errors;  // 422: what is wrong, in the API's words
  std::optional<std::string> forbidden;     // 403: the sender's towns do not allow it
  bool ok() const { return errors.empty() && !forbidden; }
};

// towns: the sender's (an API key's or a staff member's; empty: every
// town). earlier: errors found before (a draft body's own fields); the
// audience is checked against the catalogue only when there are none.
boost::asio::awaitable<alert_check> check_alert(const alerts_context& ctx, const nlohmann::json& body,
                                                const std::vector<std::string>& towns, std::int64_t now,
                                                std::vector<domain::field_error> earlier);

// Who sends, in the terms the rules read.
struct alert_sender {
  store::actor who;                 // "key:<name>" or "staff:<email>": the audit log's actor
  std::vector<std::string> towns;   // empty: every town
  domain::draft_powers powers;      // of the key's scopes or the staff member's role
  std::string source = "api";       // "api", "console"
  std::string key_name;             // for the log line; empty for a staff member
  std::string request_id;           // for the log line
};

enum class submission_outcome {
  invalid,            // errors: the body does not make an alert (422)
  forbidden,          // detail: the sender's towns do not allow its audience (403)
  approval_required,  // the approval rule asks a second person and the sender may not bypass it (403)
  draft_gone,         // draft_id names no draft any more (409)
  stored,             // the store answered: created.result.outcome says what it did
};

struct submitted_alert {
  submission_outcome outcome = submission_outcome::invalid;
  std::vector<domain::field_error> errors;
  std::string detail;
  std::optional<domain::alert_draft> draft;  // the alert as read, when the body made one
  std::optional<std::int64_t> draft_id;      // the draft named, when draft_gone
  std::optional<domain::draft_send> how;     // direct or bypass, when stored
  store::created_alert created;              // when stored
};

// Checks the body (check_alert), applies the approval rule, the quiet
// hours and the duplicate window, and creates the alert in one store call
// that audits it as sender.who; wakes the planner when an alert is
// created. idempotency_key: empty for none (it must already be sane).
boost::asio::awaitable<submitted_alert> submit_alert(const alerts_context& ctx, alert_sender sender,
                                                     nlohmann::json body, std::string idempotency_key,
                                                     std::int64_t now);

}  // namespace banditore::app

// CAP ingestion: civil-protection systems push CAP 1.2 documents to
// POST /v1/cap, and the feed poller fetches them; both go through
// ingest_cap, which parses, decides with the deployment's policy, and
// records the document and the broadcast (or cancellation) it causes in one
// database transaction.
#pragma once

#include <banditore/cap/alert.hpp>
#include <banditore/cap/audience_map.hpp>
#include <banditore/cap/policy.hpp>
#include <banditore/config/runtime_settings.hpp>
#include <banditore/cap/to_alert.hpp>
#include <banditore/http/router.hpp>
#include <banditore/store/cap_alerts.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::store {
class api_keys;
class cap_alerts;
class audience;
}  // namespace banditore::store

namespace banditore::app {

class auth_throttle;

struct cap_context {
  cap::cap_policy policy;
  cap::draft_options drafts;  // time zone and text limits of the alerts made
  store::api_keys* keys = nullptr;
  store::cap_alerts* cap = nullptr;
  store::audience* audience = nullptr;  // the catalogue a CAP area and category map onto
  cap::cap_topic_map topics;
  auth_throttle* throttle = nullptr;  // failed authentications per address
  std::function<void()> alerts_changed;  // wakes the planner after a broadcast is created
  bool hold = false;  // BANDITORE_CAP_DECISION=hold: broadcasts wait as pending drafts
  // When set, whether broadcasts are held comes from it at each document,
  // as an admin may change it while the service runs (instead of hold).
  const config::runtime_policy_holder* live = nullptr;
  bool hold_now() const { return live ? live->get()->hold_cap : hold; }
};

// Who handed the document over, for the alert and the audit log.
struct cap_origin {
  std::string actor;                       // the API key's name, or "cap-feed"
  std::optional<std::int64_t> api_key_id;  // pushed documents
  std::string feed_url;                    // fetched documents: the feed that listed them
  std::string document_url;                // fetched documents: marked seen in the same transaction
};

// Verdicts beyond cap::cap_verdict's: the document was already received;
// a Cancel stopped alerts that had reached nobody yet, so no revocation
// is sent; a Cancel none of whose references became a broadcast here.
inline constexpr std::string_view verdict_duplicate = store::cap_verdict_duplicate;
inline constexpr std::string_view verdict_cancelled = store::cap_verdict_cancelled;
inline constexpr std::string_view verdict_unknown_reference = store::cap_verdict_unknown_reference;

struct cap_outcome {
  bool refused = false;  // not a valid CAP 1.2 document: element and reason say why
  std::string element;
  std::string verdict;   // cap::to_string(cap_verdict) or one of the verdicts above
  std::string reason;
  std::optional<std::int64_t> alert_id;  // the broadcast created, or a duplicate's earlier one
  bool created = false;                  // alert_id is a new alert
  std::vector<std::int64_t> cancelled_alert_ids;  // stopped by a Cancel or superseded by an Update
  std::optional<std::int64_t> draft_id;           // held for a decision: the pending draft
};

// Decides (a document already recorded is a duplicate; otherwise
// cap::decide rules), drafts the alert a broadcast makes, and hands both to
// the store, which applies them in one transaction (store/cap_alerts.hpp):
// a broadcast Alert or Update becomes an alert (source "cap"); an Update
// also stops what is still queued of the alerts it references, so nobody
// gets the old version after the new. A Cancel stops the referenced alerts
// and sends a revocation only to the extent one of them reached somebody,
// at the highest severity among them.
boost::asio::awaitable<cap_outcome> apply_cap(cap_context& context, const cap::cap_alert& alert,
                                              const cap_origin& origin, std::int64_t now_ms);

// Parses on the calling thread, then applies (apply_cap), then
// wakes the planner when an alert was created. xml and origin must outlive
// the call.
boost::asio::awaitable<cap_outcome> ingest_cap(cap_context& context, std::string_view xml,
                                               const cap_origin& origin);

// The answer to POST /v1/cap: 400 problem with element and reason for a
// refusal; 202 with Location /v1/alerts/{id} when an alert was created;
// 200 with the verdict and reason otherwise.
http::response cap_answer(const cap_outcome& outcome);

// Content types a CAP document may be posted as: application/cap+xml,
// application/xml, text/xml (parameters such as charset are allowed).
bool is_cap_content_type(std::string_view content_type);

// POST /v1/cap, scope cap:ingest.
void add_cap_routes(http::router& routes, cap_context& context);

}  // namespace banditore::app

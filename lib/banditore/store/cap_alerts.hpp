// The record of CAP documents received and of the feeds polled for them.
// A sender repeats documents (retries, feeds listing them for days), so a
// document is named by sender, identifier and sent, and recorded once;
// Update and Cancel find the broadcasts of the documents they reference.
// The caller decides (cap::decide) and drafts; cap_alerts applies the
// outcome in one transaction.
#pragma once

#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_audience.hpp>
#include <banditore/store/alerts.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::store {

// sent is the UTC instant, Unix milliseconds: the same document written
// with another offset ("+02:00" or "Z") is the same document.
struct cap_document_key {
  std::string sender;
  std::string identifier;
  std::int64_t sent_ms = 0;
};

struct cap_document_row {
  cap_document_key key;
  std::string status;    // Actual, Exercise, ...
  std::string msg_type;  // Alert, Update, Cancel, ...
  std::string verdict;   // broadcast, record_only, ..., cancelled
  std::string reason;
  std::optional<std::int64_t> alert_id;  // the broadcast it became
};

struct cap_document_record {
  std::int64_t id = 0;
  std::string verdict;
  std::string reason;
  std::optional<std::int64_t> alert_id;
  std::int64_t received_at = 0;
};

struct feed_state {
  std::string etag;
  std::string last_modified;
  std::optional<std::int64_t> last_polled_at;
  int failures = 0;
};

// Verdicts beyond cap::cap_verdict's: the document was already received;
// a Cancel stopped alerts that had reached nobody yet, so no revocation
// is sent; a Cancel none of whose references became a broadcast here.
inline constexpr std::string_view cap_verdict_duplicate = "duplicate";
inline constexpr std::string_view cap_verdict_cancelled = "cancelled";
inline constexpr std::string_view cap_verdict_unknown_reference = "unknown_reference";
inline constexpr std::string_view cap_verdict_held = "held";

// A document as decided by the caller.
struct cap_document {
  cap_document_key key;
  std::vector<cap_document_key> references;
  std::string status;    // Actual, Exercise, ...
  std::string msg_type;  // Alert, Update, Cancel, ...
  std::string verdict;   // the decision's
  std::string reason;
  bool broadcast = false;     // the decision is to broadcast
  domain::alert_draft draft;  // the alert (or a Cancel's revocation) when broadcast
  domain::alert_audience audience;  // its towns and topics (cap/audience_map.hpp)
  actor who;                  // for the alert and the audit log
  std::string audit_detail;
  std::string document_url;   // fetched documents: marked seen in the same transaction
  // BANDITORE_CAP_DECISION=hold: a broadcast Alert or Update becomes a
  // pending draft (source "cap") for a publisher to approve or reject,
  // and an Update stops nothing until it is approved. A Cancel still
  // applies at once: stopping is never what waits.
  bool hold = false;
};

struct cap_applied {
  std::string verdict;  // the decision's, or one of the verdicts above
  std::string reason;
  std::optional<std::int64_t> alert_id;  // the broadcast created, or a duplicate's earlier one
  bool created = false;
  std::vector<std::int64_t> cancelled_alert_ids;
  std::optional<std::int64_t> draft_id;  // held: the pending draft made
};

class cap_alerts {
 public:
  virtual ~cap_alerts() = default;

  // In one transaction: a document already recorded is a duplicate;
  // otherwise a broadcast Alert or Update becomes an alert (source "cap"),
  // an Update also stops the alerts it references, and a Cancel stops them
  // and sends a revocation only if one of them reached somebody (a
  // delivery sending, sent, delivered or read), at the highest severity
  // among them. Every document is recorded with its verdict; every alert
  // created or cancelled is audited.
  virtual boost::asio::awaitable<cap_applied> apply(cap_document document, std::int64_t now_ms) = 0;

  // Conditional GET state of a feed; a feed never polled has the default.
  virtual boost::asio::awaitable<feed_state> feed(std::string url) = 0;
  // A poll answered (200 or 304): keeps the validators, clears failures;
  // with forget_before, forgets document URLs fetched before it.
  virtual boost::asio::awaitable<void> feed_polled(std::string url, std::string etag, std::string last_modified,
                                                   std::int64_t now_ms, std::optional<std::int64_t> forget_before) = 0;
  // A poll failed: counts it; returns the consecutive failures so far.
  virtual boost::asio::awaitable<int> feed_failed(std::string url, std::int64_t now_ms) = 0;
  // The links not fetched before, in their order.
  virtual boost::asio::awaitable<std::vector<std::string>> unseen(std::vector<std::string> links) = 0;
  virtual boost::asio::awaitable<void> mark_seen(std::string document_url, std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

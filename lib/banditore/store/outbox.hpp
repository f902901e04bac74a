// The outbox: every message that leaves is first a committed row here.
// The sender leases due rows, sends them, and records what the provider
// answered; status notifications move a row forward (sent, delivered, read,
// failed) in whatever order they arrive. All functions run on the database
// thread, inside the caller's transaction where one is open.
#pragma once

#include <banditore/domain/replies.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }
namespace banditore::store {

class live_keys;

// Lower goes first: replies to citizens are never starved by a broadcast.
inline constexpr int reply_priority = 0;

struct outbox_item {
  std::int64_t id = 0;
  int priority = 0;
  std::string phone_hash;
  std::string recipient;  // E.164 digits, decrypted for the send only
  std::string text;       // a reply's text, or an alert's text
  std::vector<domain::reply_button> buttons;  // a reply's buttons, if any
  std::int64_t alert_id = 0;  // 0 for a reply
  std::int64_t subscriber_id = 0;
  std::string title, category, severity, link;  // the alert's, for deliveries
  std::int64_t issued_at_ms = 0;                 // when the alert was created
  bool as_template = false;  // outside the 24-hour window: the approved template
  int attempts = 0;           // including this one
};

// How deliveries are leased: WhatsApp accepts free text only within 24 hours
// of the citizen's last message, and limits the unique people reached
// outside that window per moving day (the messaging tier).
struct delivery_policy {
  bool template_available = false;  // a template is configured
  bool always_template = false;     // never free text for broadcasts
  std::int64_t tier_limit = 0;      // unique people per 24 h outside the window; 0 = unlimited
};

inline constexpr std::int64_t service_window_ms = 24LL * 3600 * 1000;
inline constexpr std::string_view waiting_for_limit = "waiting for the messaging limit";
// An alert to an imported number waits until the welcome notice has left.
inline constexpr std::string_view waiting_for_welcome = "waiting for the welcome notice";
inline constexpr std::int64_t welcome_wait_ms = 1000;

struct messaging_limit_usage {
  std::int64_t tier_limit = 0;
  std::int64_t used = 0;  // unique people reached outside their window in the last 24 h
  std::optional<std::int64_t> frees_at;  // when the oldest of them leaves the moving day
};

enum class result_kind {
  sent,
  retry,
  failed,
  requeue_as_template,  // 131047: outside the window, send the template
  opt_out,              // 131050: the person stopped these messages
};

struct send_record {
  std::int64_t id = 0;
  // The leased row's, so recording needs no lookup: a sent delivery moves
  // its alert's send times and clears its subscriber's failure streak.
  std::int64_t alert_id = 0;
  std::int64_t subscriber_id = 0;
  result_kind kind = result_kind::retry;
  std::string provider_message_id;  // when sent
  std::int64_t not_before = 0;      // when retry
  bool count_attempt = true;        // false: throttling, not the message's fault
  int error_code = 0;
  std::string error_title;
};

// Cancels what is still queued for a subscriber (:id) who left, at :now.
// Queued deliveries belong to alerts still planning or sending, a handful:
// the query seeks each one's (alert, subscriber) key instead of scanning
// every queued row, which mid-broadcast is up to the whole list.
inline constexpr const char* cancel_queued_for_subscriber_sql =
    "UPDATE outbox SET state = 'cancelled', updated_at = :now WHERE alert_id IN "
    "(SELECT id FROM alerts WHERE state IN ('planning', 'sending')) AND subscriber_id = :id AND state = 'queued'";

// A record of what became of a leased item, to be filled in.
send_record record_for(const outbox_item& item);

enum class status_kind { sent, delivered, read, failed };

// What became of a status notification.
enum class status_outcome {
  applied,     // matched its delivery (a repeated or stale status changes nothing)
  kept_early,  // overtook the send's answer: waits until the send is recorded
  unknown,     // not a message this service sent, or an attempt since replaced
};

// A send carries its outbox row as biz_opaque_callback_data ("outbox:<id>");
// Meta echoes it in the message's status notifications, so a status finds
// its row by primary key. (An index over message ids, which are random,
// cost a page write per send.)
std::string delivery_reference(std::int64_t outbox_id);
std::optional<std::int64_t> parse_delivery_reference(std::string_view callback_data);

// Rows by delivery state; add() files one "state, count" row of a GROUP BY.
struct delivery_counts {
  std::int64_t queued = 0, sending = 0, sent = 0, delivered = 0, read = 0, failed = 0, cancelled = 0;
  std::int64_t total() const { return queued + sending + sent + delivered + read + failed + cancelled; }
  void add(std::string_view state, std::int64_t n);
  // Moves n of the queued to sending (alert_progress counts both as one).
  void split_sending(std::int64_t n);
};
using outbox_counts = delivery_counts;

class outbox {
 public:
  outbox(SQLite::Database& db, live_keys& keys);
  ~outbox();

  // Queues a reply to a citizen, with reply buttons if any; the number is
  // stored encrypted.
  std::int64_t enqueue_reply(std::string_view phone_hash, std::string_view e164,
                             std::string_view text, std::int64_t now_ms,
                             const std::vector<domain::reply_button>& buttons = {});

  // At start-up: rows a previous process leased and never settled go back
  // to the queue. Those are the only messages that may be sent twice.
  int recover_leases(std::int64_t now_ms);

  // Marks up to limit due rows as sending and returns them, highest
  // priority first. Rows whose subscriber has left are cancelled instead.
  std::vector<outbox_item> lease(std::size_t limit, std::int64_t now_ms, std::int64_t lease_ms,
                                 const delivery_policy& policy = {});

  messaging_limit_usage limit_usage(std::int64_t tier_limit, std::int64_t now_ms);

  void record(const std::vector<send_record>& records, std::int64_t now_ms);

  // Applies a status notification: callback_data names the row, and the
  // row's recorded message id must be provider_message_id.
  status_outcome apply_status(std::string_view provider_message_id, std::string_view callback_data,
                              status_kind status, std::int64_t at_ms, int error_code,
                              std::string_view error_title, std::int64_t now_ms);

  // A delivery reported failed with 131047 is re-sent as the template
  // (only when one is configured).
  void set_template_fallback(bool enabled) { template_fallback_ = enabled; }

  // Earliest not_before among queued rows, if any.
  std::optional<std::int64_t> next_due();

  outbox_counts counts();

  // The keyed hash under which a provider message id is stored.
  std::string provider_hash(std::string_view provider_message_id) const;

 private:
  void requeue_as_template(std::int64_t id, int code, std::string_view title, std::int64_t now_ms);
  void opt_out(std::int64_t id, std::int64_t now_ms);

  struct statements;
  bool template_fallback_ = false;
  SQLite::Database& db_;
  live_keys& keys_;
  std::unique_ptr<statements> st_;
};

}  // namespace banditore::store

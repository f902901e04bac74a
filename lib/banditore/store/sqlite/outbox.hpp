// The outbox: every message that leaves is first a committed row here.
// The sender leases due rows, sends them, and records what the provider
// answered; status notifications move a row forward (sent, delivered, read,
// failed) in whatever order they arrive. All functions run on the database
// thread, inside the caller's transaction where one is open.
#pragma once

#include <banditore/store/outbox.hpp>

#include <banditore/domain/replies.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }
namespace banditore::store::sqlite {

class live_keys;

// Cancels what is still queued for a subscriber (:id) who left, at :now.
// Queued deliveries belong to alerts still planning or sending, a handful:
// the query seeks each one's (alert, subscriber) key instead of scanning
// every queued row, which mid-broadcast is up to the whole list.
inline constexpr const char* cancel_queued_for_subscriber_sql =
    "UPDATE outbox SET state = 'cancelled', updated_at = :now WHERE alert_id IN "
    "(SELECT id FROM alerts WHERE state IN ('planning', 'sending')) AND subscriber_id = :id AND state = 'queued'";

// What the buttons column holds for a reply: a JSON array of buttons, an
// object for a list, or nothing (empty).
std::string reply_extras_json(const std::vector<domain::reply_button>& buttons, const domain::reply_list& list);

class outbox {
 public:
  outbox(SQLite::Database& db, live_keys& keys);
  ~outbox();

  // Queues a reply to a citizen, with reply buttons or a list if any (the
  // buttons column holds a JSON array of buttons, or an object for a
  // list); the number is stored encrypted.
  std::int64_t enqueue_reply(std::string_view phone_hash, std::string_view e164,
                             std::string_view text, std::int64_t now_ms,
                             const std::vector<domain::reply_button>& buttons = {},
                             const domain::reply_list& list = {}, std::string_view number_id = {});
  // The same with the buttons column already written (reply_extras_json),
  // for a reply sent to many alike. `sealed`, when given, is the number
  // already sealed by live_keys::seal in this transaction (a new
  // subscriber's row holds it), stored as it is instead of sealed again.
  std::int64_t enqueue_reply_prepared(std::string_view phone_hash, std::string_view e164, std::string_view text,
                                      std::int64_t now_ms, std::string_view extras_json,
                                      std::string_view number_id = {}, std::string_view sealed = {});

  // At start-up: rows a previous process leased and never settled go back
  // to the queue. Those are the only messages that may be sent twice.
  int recover_leases(std::int64_t now_ms);
  // With several numbers, at start-up: queued rows of no number (from a
  // deployment of one number) or of a number no longer configured leave
  // from the first number instead of waiting for ever.
  int adopt_unrouted(const std::vector<std::string>& number_ids, std::int64_t now_ms);

  // Marks up to limit due rows as sending and returns them, highest
  // priority first. Rows whose subscriber has left are cancelled instead.
  std::vector<outbox_item> lease(std::size_t limit, std::int64_t now_ms, std::int64_t lease_ms,
                                 const delivery_policy& policy = {});

  // Unique people reached outside their window in the last 24 hours: by
  // the whole deployment, or (portfolio given) by that business
  // portfolio's numbers.
  messaging_limit_usage limit_usage(std::int64_t tier_limit, std::int64_t now_ms, std::string_view portfolio = {});
  // The same for every portfolio that reached anybody in the last 24
  // hours, by portfolio id.
  std::vector<portfolio_usage> portfolio_usages(std::int64_t now_ms);

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
  struct extras {
    std::string json;
    std::vector<domain::reply_button> buttons;
    domain::reply_list list;
  } last_extras_;  // the buttons column last read, and what it holds
};

}  // namespace banditore::store::sqlite

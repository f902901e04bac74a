// The outbox: every message that leaves is first a committed row here.
// The sender leases due rows, sends them, and records what the provider
// answered; status notifications move a row forward (sent, delivered, read,
// failed) in whatever order they arrive. All functions run on the database
// thread, inside the caller's transaction where one is open.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }
namespace banditore::crypto { struct data_keys; }

namespace banditore::store {

// Lower goes first: replies to citizens are never starved by a broadcast.
inline constexpr int reply_priority = 0;

struct outbox_item {
  std::int64_t id = 0;
  int priority = 0;
  std::string phone_hash;
  std::string recipient;  // E.164 digits, decrypted for the send only
  std::string text;
  std::int64_t alert_id = 0;  // 0 for a reply
  int attempts = 0;           // including this one
};

enum class result_kind { sent, retry, failed };

struct send_record {
  std::int64_t id = 0;
  result_kind kind = result_kind::retry;
  std::string provider_message_id;  // when sent
  std::int64_t not_before = 0;      // when retry
  bool count_attempt = true;        // false: throttling, not the message's fault
  int error_code = 0;
  std::string error_title;
};

enum class status_kind { sent, delivered, read, failed };

struct outbox_counts {
  std::int64_t queued = 0, sending = 0, sent = 0, delivered = 0, read = 0, failed = 0, cancelled = 0;
};

class outbox {
 public:
  outbox(SQLite::Database& db, const crypto::data_keys& keys);
  ~outbox();

  // Queues a reply to a citizen; the number is stored encrypted.
  std::int64_t enqueue_reply(std::string_view phone_hash, std::string_view e164,
                             std::string_view text, std::int64_t now_ms);

  // At start-up: rows a previous process leased and never settled go back
  // to the queue. Those are the only messages that may be sent twice.
  int recover_leases(std::int64_t now_ms);

  // Marks up to limit due rows as sending and returns them, highest
  // priority first. Rows whose subscriber has left are cancelled instead.
  std::vector<outbox_item> lease(std::size_t limit, std::int64_t now_ms, std::int64_t lease_ms);

  void record(const std::vector<send_record>& records, std::int64_t now_ms);

  // Applies a status notification; returns false when the id is not (yet)
  // known, in which case it is kept until the send is recorded.
  bool apply_status(std::string_view provider_message_id, status_kind status, std::int64_t at_ms,
                    int error_code, std::string_view error_title, std::int64_t now_ms);

  // Earliest not_before among queued rows, if any.
  std::optional<std::int64_t> next_due();

  outbox_counts counts();

  // The keyed hash under which a provider message id is stored.
  std::string provider_hash(std::string_view provider_message_id) const;

 private:
  struct statements;
  SQLite::Database& db_;
  const crypto::data_keys& keys_;
  std::unique_ptr<statements> st_;
};

}  // namespace banditore::store

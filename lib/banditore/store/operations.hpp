// What the service watches and keeps tidy: whether the database takes
// writes (/readyz), the figures monitoring reads (/metrics), and the
// retention purge. Counts only: nothing here identifies anyone.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace banditore::store {

// Every state a row of the outbox can be in, so a state with no rows is
// reported as 0 rather than missing.
inline constexpr const char* outbox_states[] = {"queued", "sending", "sent", "delivered", "read", "failed",
                                                "cancelled"};

struct store_figures {
  std::int64_t subscribers = 0;
  std::int64_t flagged = 0;
  std::map<std::string, std::int64_t> outbox_by_state;  // every outbox_states entry
  std::int64_t oldest_due_ms = 0;  // how long the oldest due queued row has waited; 0 if none
  // Citizens' messages answered and not yet applied (the inbound journal),
  // and how long the oldest has waited; 0 if none.
  std::int64_t journal_rows = 0;
  std::int64_t journal_oldest_ms = 0;
  // The messaging limit's use: unique people reached outside their window
  // in the last 24 hours by the whole deployment, and (several numbers)
  // by each business portfolio's numbers, by portfolio id.
  std::int64_t limit_used = 0;
  std::map<std::string, std::int64_t> limit_used_by_portfolio;
};

// Status notifications waiting for a send that was never recorded.
inline constexpr std::int64_t early_status_keep_ms = 7LL * 24 * 3600 * 1000;
// An attachment no alert and no draft names (uploaded with POST /v1/media
// or the compose form, then never used) is deleted once it is this old: a
// day leaves time to write the alert or draft it was uploaded for.
inline constexpr std::int64_t unused_media_keep_ms = 24LL * 3600 * 1000;
// Rows deleted per transaction: the writer is never held long, so the
// sender and the webhook keep going while a purge runs.
inline constexpr std::size_t purge_batch_rows = 10000;

struct retention_result {
  std::int64_t inbound_deleted = 0;
  std::int64_t outbox_deleted = 0;
  std::int64_t early_statuses_deleted = 0;
  std::int64_t media_deleted = 0;  // attachments nobody used
  std::int64_t transactions = 0;
};

class operations {
 public:
  virtual ~operations() = default;
  // Takes the write lock and lets it go: the database is writable now.
  // Throws, saying why, when it is not.
  virtual boost::asio::awaitable<void> probe_writable() = 0;
  virtual boost::asio::awaitable<store_figures> figures(std::int64_t now_ms) = 0;
  // Deletes inbound_messages received more than older_than_ms ago, outbox
  // rows in a final state last changed before that, early statuses
  // received more than 7 days ago, and attachments older than
  // unused_media_keep_ms that no alert and no draft names, in short
  // transactions.
  virtual boost::asio::awaitable<retention_result> purge(std::int64_t older_than_ms, std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

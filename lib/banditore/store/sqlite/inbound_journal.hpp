// The inbound journal (schema.sql, migration 25): citizens' messages
// answered 200 once appended, applied afterwards by the database thread
// in the order they came.
//
// Why: applying an "Attiva" writes a subscriber, its choices, a consent
// record, the message's record and a reply, each into a table or index
// keyed by a hash, so at random pages; a burst of them kept the webhook's
// answers waiting on those writes (README, "Webhook ingest"). Appending
// one sealed row per webhook writes pages in order and costs about what a
// delivery status does, and the writes at random pages are done when no
// webhook waits, in larger transactions.
//
// Erasure: a row holds the sender's number, sealed like every stored
// number, only until it is applied; the transaction that applies it
// deletes it (a "Disattiva" among them erases the subscriber then).
#pragma once

#include <banditore/store/inbound.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

class live_keys;

// The messages of one webhook as a journal row keeps them (JSON, before
// sealing). decode_messages throws std::runtime_error on anything
// encode_messages did not write.
std::string encode_messages(const std::vector<inbound_message_input>& messages);
std::vector<inbound_message_input> decode_messages(std::string_view text);

// One row, opened.
struct journal_entry {
  std::int64_t seq = 0;
  std::string request_id;
  std::int64_t received_at_ms = 0;
  std::vector<inbound_message_input> messages;
  bool unreadable = false;  // no key opens it, or it does not decode
};

// On the database thread, inside the caller's transaction.
class inbound_journal {
 public:
  inbound_journal(SQLite::Database& db, live_keys& keys);
  ~inbound_journal();
  inbound_journal(const inbound_journal&) = delete;
  inbound_journal& operator=(const inbound_journal&) = delete;

  // Whether any row waits (one look at the table's first row).
  bool empty();
  // How many rows wait, counted from the first and last seq (rows go in
  // seq order, so there are no gaps but deleted ones at the front).
  std::int64_t depth();
  // When the oldest row was received (ms since the epoch); none: empty.
  std::optional<std::int64_t> oldest_received_at();
  void append(std::string_view request_id, const std::vector<inbound_message_input>& messages,
              std::int64_t received_at_ms);
  // The oldest rows, opened, at most limit of them.
  std::vector<journal_entry> oldest(std::size_t limit);
  void remove(std::int64_t seq);

 private:
  SQLite::Database& db_;
  live_keys& keys_;
  struct statements;
  std::unique_ptr<statements> st_;
};

// The aad of a row's ciphertext: it opens only in its own row.
std::string journal_aad(std::int64_t seq);

}  // namespace banditore::store::sqlite

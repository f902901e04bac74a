// Applying citizens' messages to the subscriber list. One call handles one
// inbound message inside the caller's transaction: it drops a message id
// already seen, decides (domain/conversation.hpp), changes the
// subscription, writes the consent log and queues the reply in the outbox,
// so the change and its confirmation commit together or not at all.
#pragma once

#include <banditore/domain/conversation.hpp>
#include <banditore/domain/replies.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace SQLite { class Database; }
namespace banditore::store {

class live_keys;
class outbox;

struct inbound_message_input {
  std::string message_id;   // Meta's wamid
  std::string from;         // E.164 digits, already normalised
  std::string type;         // Meta's message type name
  std::string text;         // text body / button or list reply title
  std::int64_t sent_at_ms = 0;
};

struct conversation_settings {
  domain::reply_texts texts;
  std::int64_t help_interval_ms = 24LL * 3600 * 1000;
  std::string language = "it";
};

struct inbound_result {
  bool duplicate = false;
  domain::decision decision = domain::decision::ignored;
  std::string keyword;
  std::string phone_tag;  // short, for logs
};

class inbound_store {
 public:
  inbound_store(SQLite::Database& db, live_keys& keys, outbox& out);
  ~inbound_store();

  inbound_result handle(const inbound_message_input& message, const conversation_settings& settings,
                        std::int64_t now_ms);

  std::string message_hash(std::string_view message_id) const;

 private:
  struct statements;
  SQLite::Database& db_;
  live_keys& keys_;
  outbox& outbox_;
  std::unique_ptr<statements> st_;
};

}  // namespace banditore::store

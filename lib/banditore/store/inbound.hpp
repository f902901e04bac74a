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
#include <vector>

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
  std::string reply_id{};   // the id of a tapped reply button, if any
};

struct conversation_settings {
  domain::reply_texts texts;
  std::int64_t help_interval_ms = 24LL * 3600 * 1000;
  std::string language = "it";
  std::string town;  // its words may surround a request
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

// What people wrote that was not understood, most frequent first: texts
// answered with the help text (asked nothing we know) or with the reply
// buttons (probably a request), so the words understood can grow from real
// use. Texts are the recorded folded ones with every run of digits shown as
// "#" (also records older than that rule, which kept short runs); nothing
// identifies a person. Runs on the database thread.
struct unknown_text {
  std::string text;
  std::int64_t count = 0;       // messages with this text
  std::int64_t asked = 0;       // of which answered with the reply buttons
  std::int64_t last_at_ms = 0;  // when it was last received
};
std::vector<unknown_text> unknown_texts(SQLite::Database& db, std::int64_t since_ms, std::size_t limit);

// Every run of ASCII digits replaced by "#".
std::string mask_all_digits(std::string_view text);

}  // namespace banditore::store

// Applying citizens' messages to the subscriber list. One call handles one
// inbound message inside the caller's transaction: it drops a message id
// already seen, decides (domain/inbound_decision.hpp), changes the
// subscription, writes the consent log and queues the reply in the outbox,
// so the change and its confirmation commit together or not at all.
#pragma once

#include <banditore/store/inbound.hpp>

#include <banditore/domain/choices.hpp>
#include <banditore/domain/conversation.hpp>
#include <banditore/domain/replies.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }
namespace banditore::store::sqlite {

class live_keys;
class outbox;

class inbound_store {
 public:
  inbound_store(SQLite::Database& db, live_keys& keys, outbox& out);
  ~inbound_store();

  inbound_result handle(const inbound_message_input& message, const conversation_settings& settings,
                        std::int64_t now_ms);

  std::string message_hash(std::string_view message_id) const;

  // Reads the catalogue again if it changed since last read (once per
  // batch, by the engine); handle reads it the first time.
  void refresh_catalogue();

 private:
  domain::subscriber_choices choices_of(std::int64_t subscriber_id);
  void write_choices(std::int64_t subscriber_id, const domain::subscriber_choices& before,
                     const domain::subscriber_choices& after);

  struct statements;
  struct catalogue_copy;
  std::unique_ptr<catalogue_copy> catalogue_;
  // The replies for a message written to number_id (conversation_settings).
  const domain::reply_texts& texts_for(const conversation_settings& settings, std::string_view number_id);
  SQLite::Database& db_;
  live_keys& keys_;
  outbox& outbox_;
  std::unique_ptr<statements> st_;
};

std::vector<unknown_text> unknown_texts(SQLite::Database& db, std::int64_t since_ms, std::size_t limit);

}  // namespace banditore::store::sqlite

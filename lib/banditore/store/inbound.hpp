// Applying a webhook's batch: citizens' messages (dropped when their id
// was seen, otherwise decided by domain/inbound_decision.hpp, the
// subscription changed, the consent log written and the reply queued) and
// delivery statuses, so a change and its confirmation commit together.
#pragma once

#include <banditore/cap/geo.hpp>
#include <banditore/domain/replies.hpp>
#include <banditore/domain/conversation.hpp>
#include <banditore/store/outbox.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::store {

struct inbound_message_input {
  std::string message_id;   // Meta's wamid
  std::string from;         // E.164 digits, already normalised
  std::string type;         // Meta's message type name
  std::string text;         // text body / button or list reply title
  std::int64_t sent_at_ms = 0;
  std::string reply_id{};   // the id of a tapped reply button, if any
  // A shared location: used to find the town and area, never stored or
  // logged.
  std::optional<cap::geo_point> location{};
  // The business number it was written to (config/numbers.hpp), and so the
  // one the reply leaves from and whose 24-hour window it opens; empty:
  // the deployment's one number.
  std::string number_id{};
};

struct conversation_settings {
  domain::reply_texts texts;
  std::int64_t help_interval_ms = 24LL * 3600 * 1000;
  std::string language = "it";
  std::string town;  // its words may surround a request
  // With several numbers: the towns each number serves (by number id). A
  // plain "Attiva" written to a number of one town subscribes there,
  // where a number shared by several towns asks which.
  std::map<std::string, std::vector<std::string>, std::less<>> number_towns{};
  // With several numbers and no replies file: the replies on a number that
  // serves one town name that town (by its catalogue name), with these
  // contacts, instead of `town`; otherwise every number answers with texts.
  bool replies_name_number_town = false;
  domain::reply_contacts contacts{};
};

struct inbound_result {
  bool duplicate = false;
  domain::decision decision = domain::decision::ignored;
  std::string keyword;
  std::string phone_tag;  // short, for logs
};

// A delivery status as the webhook read it.
struct status_update {
  std::string provider_message_id;
  std::string callback_data;
  status_kind status = status_kind::sent;
  std::int64_t at_ms = 0;
  int error_code = 0;
  std::string error_title;
};

struct inbound_batch {
  std::vector<inbound_message_input> messages;
  std::vector<status_update> statuses;
  std::string request_id{};  // for the log lines of messages applied later
};

struct batch_outcome {
  // One per message applied with the batch, in order; none for messages
  // journaled (they are applied later and reported to the engine's
  // on_inbound_applied observer).
  std::vector<inbound_result> results;
  std::size_t journaled = 0;  // messages kept in the journal, durable
  std::size_t statuses_applied = 0;
  std::size_t statuses_early = 0;
  std::size_t statuses_unknown = 0;
};

class inbound {
 public:
  virtual ~inbound() = default;
  // Returns once the batch is committed (it may share its transaction with
  // other batches arriving together; a batch that fails is undone alone).
  // Its messages are either applied in that transaction or, while the
  // database is busy, kept in the inbound journal to be applied in order
  // afterwards (store/sqlite/inbound_journal.hpp): committed either way.
  virtual boost::asio::awaitable<batch_outcome> apply(inbound_batch batch, std::int64_t now_ms) = 0;
};

// What people wrote that was not understood, most frequent first: texts
// answered with the help text (asked nothing we know) or with the reply
// buttons (probably a request), so the words understood can grow from real
// use. Texts are the recorded folded ones with every run of digits shown as
// "#" (also records older than that rule, which kept short runs); nothing
// identifies a person.
struct unknown_text {
  std::string text;
  std::int64_t count = 0;       // messages with this text
  std::int64_t asked = 0;       // of which answered with the reply buttons
  std::int64_t last_at_ms = 0;  // when it was last received
};
class unknown_text_report {
 public:
  virtual ~unknown_text_report() = default;
  virtual std::vector<unknown_text> unknown_texts(std::int64_t since_ms, std::size_t limit) = 0;
};

// Every run of ASCII digits replaced by "#".
std::string mask_all_digits(std::string_view text);

}  // namespace banditore::store

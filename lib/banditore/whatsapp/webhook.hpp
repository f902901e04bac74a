// What Meta's WhatsApp Cloud API webhook tells us: citizens' messages and the
// delivery status of ours, read from the POST body once its signature has
// been checked (signature.hpp), plus the GET verification handshake. Pure
// functions over bytes: no sockets, no storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::whatsapp {

// The "type" of an inbound message. Meta adds types over time; a type this
// list does not know is `unknown`, never a parse error, so a new kind of
// message cannot make Meta retry a whole batch for a week.
enum class message_type {
  text, image, audio, video, document, sticker, location, contacts, reaction,
  button, interactive, order, system, unsupported, unknown
};
std::string_view to_string(message_type);

// 9999-12-31T23:59:59Z: a later timestamp is refused, so a time in
// milliseconds (seconds * 1000) always fits in 64 bits.
inline constexpr std::int64_t max_timestamp_seconds = 253'402'300'799;

// Where a citizen is, from a message of type "location": never log it,
// never store it (only what it is used to find, a town or an area).
struct shared_location {
  double latitude = 0;   // WGS 84 degrees, -90..90
  double longitude = 0;  // -180..180
};

struct inbound_message {
  std::string id;               // wamid: the key for de-duplicating redeliveries
  std::string from;             // the citizen's number (wa_id): never log it
  std::string phone_number_id;  // our business number it was sent to
  std::int64_t timestamp = 0;   // seconds since the epoch, as Meta stamped it
  message_type type = message_type::unknown;
  // text.body, button.text, or the title of an interactive button_reply /
  // list_reply: what a command parser reads. Empty for other types.
  std::string text;
  // What a tap answers with: interactive.button_reply.id or list_reply.id
  // (the id we gave the button when sending), or a template quick-reply
  // button's button.payload. Empty for other messages.
  std::string reply_id;
  std::string profile_name;  // contacts[].profile.name for this sender, if any
  std::optional<shared_location> location;  // a "location" message's point
};

enum class delivery_status { sent, delivered, read, failed, deleted, unknown };
std::string_view to_string(delivery_status);

struct status_update {
  std::string id;            // wamid returned when we sent the message
  std::string recipient_id;  // the citizen's number: never log it
  std::string phone_number_id;
  delivery_status status = delivery_status::unknown;
  std::int64_t timestamp = 0;
  int error_code = 0;  // errors[0].code of a failed status (131047, 131026, ...)
  std::string error_title;
  std::string callback_data;  // biz_opaque_callback_data of the send, echoed back
};

struct notification {
  std::vector<inbound_message> messages;
  std::vector<status_update> statuses;
};

// Bounds on one body, so a hostile or broken sender cannot make one request
// cost unbounded memory. Entries are counted per body, changes per entry,
// messages and statuses over the whole body; text is text.body etc. in bytes.
struct parse_limits {
  std::size_t max_entries = 100;
  std::size_t max_changes = 100;
  std::size_t max_messages = 1000;
  std::size_t max_statuses = 5000;
  std::size_t max_text_bytes = 65536;
};

// Either a notification or an error naming the JSON path at fault, such as
// "entry[2].changes[0].value.messages[1].from: missing". Errors name paths
// and never quote values, so they are safe to log.
struct parse_result {
  std::optional<notification> value;
  std::string error;
};

// Reads a POST body of the "messages" webhook field. Changes of other fields
// (account_update, message_template_status_update, ...) are skipped. Never
// throws: invalid JSON, invalid UTF-8, a wrong shape or an exceeded limit is
// an error in the result.
parse_result parse_notification(std::string_view body, const parse_limits& limits = {});

// The GET handshake: Meta sends hub.mode=subscribe, hub.verify_token and
// hub.challenge, and expects the challenge echoed back. Returns the challenge
// to echo, or nothing when the request must be refused (403).
std::optional<std::string> verification_challenge(std::string_view mode, std::string_view token,
                                                  std::string_view challenge,
                                                  std::string_view expected_token);

}  // namespace banditore::whatsapp

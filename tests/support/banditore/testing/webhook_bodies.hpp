// Webhook bodies shaped as Meta posts them, built from values: what wa-sim
// sends as the Cloud API, and what tests, benchmarks and fuzz harnesses
// feed the parser. Not part of the service: the service only reads them.
#pragma once

#include <banditore/whatsapp/webhook.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::testing {

struct simulated_message {
  std::string id;
  std::string from;
  std::string profile_name;
  std::string type = "text";  // "text", "button" or "interactive" carry `text`
  std::string text;
  std::int64_t timestamp = 0;
  std::string reply_id{};    // interactive: the button's id (text when empty)
  std::string context_id{};  // interactive: the message tapped (made up when empty)
  bool list_reply = false;   // interactive: a row of a list, not a reply button
  double latitude = 0, longitude = 0;  // location
};

// A "messages" notification as Meta sends it when citizens write to the
// number: one entry, one change, contacts[] and messages[].
std::string make_text_message_notification(std::string_view phone_number_id,
                                           std::string_view display_number,
                                           const std::vector<simulated_message>& messages);

// A "messages" notification carrying statuses[] of messages we sent; failed
// ones carry errors[] with the code and title.
std::string make_status_notification(std::string_view phone_number_id,
                                     std::string_view display_number,
                                     const std::vector<whatsapp::status_update>& statuses);

}  // namespace banditore::testing

// Are the WhatsApp credentials good? One cheap authenticated Graph API
// read of the business number's own node,
//   GET /{version}/{phone-number-id}?fields=id,verified_name
// with the sending token, answered with the node's fields or a Graph API
// error (190 for a bad or expired token, 100 for a number id the token
// cannot see). It sends nothing to anybody and costs nothing; /readyz
// reports its last answer so a wrong token shows before the first alert.
// Meta: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/phone-numbers/
// and https://developers.facebook.com/docs/graph-api/guides/error-handling/
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace banditore::whatsapp {

// "/v24.0/123456?fields=id,verified_name"; a leading slash on the version
// tolerated, as for messages_path.
std::string phone_number_check_path(std::string_view version, std::string_view phone_number_id);

struct phone_number_info {
  std::string id;
  std::string verified_name;  // the business name WhatsApp shows; may be empty
};

// The node of a 200 answer; nothing when the body is not an object with a
// string "id".
std::optional<phone_number_info> parse_phone_number_info(std::string_view body);

// What wa-sim answers, shaped as Meta's node.
std::string make_phone_number_info_body(std::string_view id, std::string_view verified_name,
                                        std::string_view display_phone_number);

enum class credentials_state {
  unchecked,    // no answer yet
  ok,           // the token reads the number's node
  rejected,     // Meta refused: wrong or expired token, wrong number id, missing permission
  unreachable,  // no answer, or a server error: says nothing about the credentials
};

std::string_view to_string(credentials_state);

struct credentials_verdict {
  credentials_state state = credentials_state::unchecked;
  int http_status = 0;
  int error_code = 0;      // Graph API error.code when Meta refused
  std::string detail;      // Meta's message or the transport error; never the token
  std::string verified_name;
};

// The verdict of one answer, without HTTP: 2xx with the number's node is
// ok; 4xx is rejected (the Graph API answers a bad token 401 or 400 with
// code 190); no answer, 5xx or 429 is unreachable.
credentials_verdict judge_credentials(int http_status, std::string_view body, std::string_view transport_error,
                                      std::string_view expected_id);

struct credentials_check_options {
  std::string api_base = "https://graph.facebook.com";
  std::string api_version;
  std::string phone_number_id;
  std::string token;
  std::string ca_file;
  std::chrono::milliseconds timeout{10'000};
};

// One connection of its own, so a check never waits behind a broadcast.
class credentials_check {
 public:
  credentials_check(boost::asio::any_io_executor executor, credentials_check_options options);
  ~credentials_check();

  boost::asio::awaitable<credentials_verdict> run();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace banditore::whatsapp

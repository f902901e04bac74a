// Plain HTTP request and response values, so handlers and domain code never
// see Beast types. The server fills a request; a handler returns a response.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::http {

class body_stream;  // http/stream.hpp

struct header_field {
  std::string name;
  std::string value;
};

// Case-insensitive lookup; empty when absent.
std::string_view find_header(const std::vector<header_field>&, std::string_view name);

struct request {
  std::string method;       // "GET", "POST", ...
  std::string target;       // as received: path and query
  std::string path;         // percent-decoded path, no query
  std::string query;        // raw query string, no '?'
  std::vector<header_field> headers;
  std::string body;         // raw bytes exactly as received
  std::string request_id;   // from a sane X-Request-Id, or generated
  std::string remote_address;
  bool remote_is_loopback = false;
  std::map<std::string, std::string> path_params;  // filled by the router

  std::string_view header(std::string_view name) const { return find_header(headers, name); }
  // Percent-decoded value of the first query parameter with that name.
  std::optional<std::string> query_param(std::string_view name) const;
  // The bearer token of the Authorization header, if any.
  std::optional<std::string_view> bearer_token() const;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<header_field> headers;
  // Set: the body is written as it happens by this coroutine (body unused),
  // within the server's stream limits (http/stream.hpp, server_options).
  std::function<boost::asio::awaitable<void>(body_stream&)> stream;
  // Written by body_stream::wait while nothing else is written for the
  // server's heartbeat interval (an SSE comment, ": \n\n"); empty: none.
  std::string heartbeat;
};

// application/problem+json (RFC 9457) with type, title, status and detail.
response problem(int status, std::string_view title, std::string_view detail,
                 std::string_view type = "about:blank");
response json_response(int status, std::string body);
response text_response(int status, std::string body);

// Decodes %XX and, when plus_as_space, '+' (query strings). Returns nullopt
// on a malformed escape.
std::optional<std::string> percent_decode(std::string_view, bool plus_as_space);

// The standard reason phrase title for a status ("Not Found").
std::string_view status_title(int status);

}  // namespace banditore::http

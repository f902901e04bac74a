// An HTTP/1.1 client with a bounded pool of keep-alive connections, used for
// the WhatsApp Cloud API (https) and its simulator (http). Every request has
// a deadline; a transport failure is a value, not an exception.
#pragma once

#include <banditore/http/message.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace banditore::http {

struct base_url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string prefix;  // path prefix without trailing slash, may be empty
};

// "https://graph.facebook.com", "http://127.0.0.1:9000/prefix"; nullopt when
// the scheme is not http/https or the host is missing.
std::optional<base_url> parse_base_url(std::string_view);

struct client_options {
  std::string base;
  std::size_t max_connections = 16;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{15'000};
  std::size_t max_response_bytes = 4 * 1024 * 1024;
  std::string ca_file;  // extra trusted CAs (PEM); the system store is always used
};

struct client_response {
  int status = 0;  // 0 when the request never got an answer
  std::string body;
  std::vector<header_field> headers;
  std::string transport_error;  // "timeout", "connection refused", ...; empty on an answer
  bool timed_out = false;

  bool answered() const { return transport_error.empty(); }
  std::string_view header(std::string_view name) const { return find_header(headers, name); }
};

class client {
 public:
  // Throws std::invalid_argument on a base URL it cannot use.
  client(boost::asio::any_io_executor executor, client_options options);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // path is appended to the base URL's prefix ("/v21.0/123/messages").
  boost::asio::awaitable<client_response> request(std::string_view method, std::string_view path,
                                                  std::string body,
                                                  std::vector<header_field> headers);

  // Closes idle connections; requests in flight finish.
  void close_idle();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace banditore::http

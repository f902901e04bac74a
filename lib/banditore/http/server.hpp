// The HTTP/1.1 server: one coroutine per connection on the io_context, with
// header and body limits, idle and read deadlines, a connection cap and a
// graceful stop. Beast stays inside server.cpp.
#pragma once

#include <banditore/http/router.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace banditore::http {

struct server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds idle_timeout{30'000};   // waiting for a request's headers
  std::chrono::milliseconds read_timeout{15'000};   // receiving a request's body
  std::chrono::milliseconds write_timeout{15'000};
  std::chrono::milliseconds handler_timeout{30'000};
  std::size_t max_connections = 512;
  std::size_t max_requests_per_connection = 10'000;
};

// Parses "host:port" ("127.0.0.1:8080", "[::1]:8080", ":8080"); throws
// std::invalid_argument with the reason.
void parse_listen_address(std::string_view text, server_options& into);

class server {
 public:
  server(boost::asio::io_context& io, server_options options, const router& routes);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds and starts accepting; throws std::system_error when it cannot bind.
  void start();
  std::uint16_t port() const;

  // Stops accepting, closes idle connections, lets requests in progress
  // finish (their answers carry Connection: close) and returns when every
  // connection is gone.
  boost::asio::awaitable<void> stop();

  std::size_t open_connections() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace banditore::http

// The HTTP/1.1 server: one coroutine per connection on the io_context, with
// a limit on every part of a request the peer controls, idle and read
// deadlines, connection caps (overall and per client address, with room
// kept for the webhook and health checks) and a graceful stop. Beast stays
// inside server.cpp. docs/security.md lists the figures.
#pragma once

#include <banditore/http/client_address.hpp>
#include <banditore/http/router.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace banditore::http {

struct server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  // The start line and header fields together (431 beyond); also the most
  // held unparsed later: a chunk-size line, the trailer section.
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_field_bytes = 8 * 1024;          // one field, name and value (431)
  std::size_t max_target_bytes = 8 * 1024;         // the request target (414)
  std::size_t max_chunk_extension_bytes = 256;     // one chunk's extensions (400)
  std::size_t max_body_bytes = 1024 * 1024;        // 413
  // Paths ("/x/" a prefix, else exact) whose bodies may reach
  // max_large_body_bytes instead: the attachments of POST /v1/media.
  std::vector<std::string> large_body_paths;
  std::size_t max_large_body_bytes = 0;
  std::chrono::milliseconds idle_timeout{10'000};  // a connection that has sent nothing (yet, or since its last answer)
  std::chrono::milliseconds header_timeout{30'000};  // from a request's first byte to its last header
  std::chrono::milliseconds read_timeout{15'000};  // receiving a request's body
  std::chrono::milliseconds write_timeout{15'000};
  std::chrono::milliseconds handler_timeout{30'000};
  std::size_t max_connections = 512;
  // One client address may hold this many; more get 503. Trusted proxies
  // are not limited per address (they carry everyone's connections).
  std::size_t max_connections_per_address = 32;
  // Accepted beyond max_connections, only for requests to reserved_paths
  // (others get 503), with an idle timeout of reserved_idle_timeout: Meta's
  // deliveries and health checks still get through while the rest is full.
  std::size_t reserved_connections = 64;
  std::vector<std::string> reserved_paths{"/webhook/", "/healthz", "/readyz"};  // "/x/" a prefix, else exact
  std::chrono::milliseconds reserved_idle_timeout{2'000};
  std::size_t max_requests_per_connection = 10'000;
  proxy_list trusted_proxies;  // whose X-Forwarded-For names the client
  // Responses whose body is written as it happens (http/stream.hpp): held
  // at most this many in all (503 beyond) and per client address (429
  // beyond; behind a trusted proxy, the address it names), a heartbeat
  // after this long without a write, and closed after the lifetime (the
  // client reconnects; EventSource does so by itself).
  std::size_t max_streams = 256;
  std::size_t max_streams_per_address = 4;
  std::chrono::milliseconds stream_heartbeat{15'000};
  std::chrono::milliseconds stream_lifetime{30 * 60'000};
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

  // Stops accepting, closes idle connections, ends held streams, lets
  // requests in progress finish (their answers carry Connection: close)
  // and returns when every connection is gone.
  boost::asio::awaitable<void> stop();

  std::size_t open_connections() const;
  // Connections refused with 503 so far (over a cap).
  std::size_t refused_connections() const;
  // Streamed responses being written now.
  std::size_t open_streams() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace banditore::http

// Streamed responses of the HTTP server (http/stream.hpp) over real
// loopback connections: the limits per client address and in all, a slot
// freed when its client leaves, the heartbeat, a prompt stop with streams
// held, and a producer that throws.
#include <banditore/http/server.hpp>
#include <banditore/http/stream.hpp>

#include "harness.hpp"
#include "raw_socket.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace http = banditore::http;

namespace {

// A server on its own thread with two streamed routes: /hold writes one
// event and then holds the stream until it ends; /boom writes one event
// and throws.
struct stream_site {
  asio::io_context io{1};
  http::router routes;
  std::unique_ptr<http::server> server;
  std::thread thread;
  std::atomic<int> producers_ended{0};

  explicit stream_site(http::server_options o) {
    routes.add("GET", "/hold", [this](http::request&) -> asio::awaitable<http::response> {
      http::response res;
      res.content_type = "text/event-stream";
      res.heartbeat = ": \n\n";
      res.stream = [this](http::body_stream& out) -> asio::awaitable<void> {
        const std::string_view hello = "event: hello\ndata: 1\n\n";
        if (co_await out.write(hello))
          while (co_await out.wait(std::chrono::hours(1))) {
          }
        ++producers_ended;
      };
      co_return res;
    });
    routes.add("GET", "/boom", [](http::request&) -> asio::awaitable<http::response> {
      http::response res;
      res.content_type = "text/event-stream";
      res.stream = [](http::body_stream& out) -> asio::awaitable<void> {
        const std::string_view hello = "event: hello\ndata: 1\n\n";
        co_await out.write(hello);
        throw std::runtime_error("the producer failed");
      };
      co_return res;
    });
    routes.add("GET", "/plain", [](http::request&) -> asio::awaitable<http::response> {
      co_return http::text_response(200, "ok");
    });
    o.address = "127.0.0.1";
    o.port = 0;
    server = std::make_unique<http::server>(io, o, routes);
    server->start();
    thread = std::thread([this] { io.run(); });
  }
  ~stream_site() {
    io.stop();
    if (thread.joinable()) thread.join();
  }

  // Read on the server's thread, where the count lives.
  std::size_t open_streams() {
    std::promise<std::size_t> p;
    asio::post(io, [&p, this] { p.set_value(server->open_streams()); });
    return p.get_future().get();
  }

  std::uint16_t port() const { return server->port(); }
};

std::string get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
}

// A held stream from this source address: its head and first event read.
std::unique_ptr<harness::raw_socket> hold(std::uint16_t port, const std::string& source) {
  auto s = std::make_unique<harness::raw_socket>(port, source);
  REQUIRE(s->send_all(get("/hold")));
  const auto got = s->read_until("data: 1\n\n", 5s);
  REQUIRE_MESSAGE(got.find("HTTP/1.1 200") == 0, got);
  CHECK(got.find("Transfer-Encoding: chunked") != std::string::npos);
  return s;
}

}  // namespace

TEST_CASE("streams are held per client address and in all, and a client that leaves frees its slot") {
  http::server_options o;
  o.max_streams_per_address = 2;
  o.max_streams = 3;
  stream_site site(o);
  auto a1 = hold(site.port(), "127.0.0.2");
  auto a2 = hold(site.port(), "127.0.0.2");

  harness::raw_socket a3(site.port(), "127.0.0.2");
  REQUIRE(a3.send_all(get("/hold")));
  const auto refused = a3.read_all(5s);
  CHECK(refused.find("HTTP/1.1 429") == 0);
  CHECK(refused.find("application/problem+json") != std::string::npos);
  CHECK(refused.find("at most 2 event streams per client address are held open at once") != std::string::npos);
  CHECK(refused.find("Retry-After: 5") != std::string::npos);

  // Another address has room until the overall cap.
  auto b1 = hold(site.port(), "127.0.0.3");
  harness::raw_socket c1(site.port(), "127.0.0.4");
  REQUIRE(c1.send_all(get("/hold")));
  const auto full = c1.read_all(5s);
  CHECK(full.find("HTTP/1.1 503") == 0);
  CHECK(full.find("at most 3 event streams are held open at once") != std::string::npos);
  CHECK(site.open_streams() == 3);

  // One client of the full address leaves: its producer ends and the
  // address may hold a stream again.
  a1.reset();
  CHECK(harness::wait_until([&] { return site.open_streams() == 2; }, 5s));
  CHECK(site.producers_ended.load() == 1);
  auto a4 = hold(site.port(), "127.0.0.2");
  CHECK(site.open_streams() == 3);
}

TEST_CASE("a held stream carries a heartbeat comment while nothing else is written") {
  http::server_options o;
  o.stream_heartbeat = 100ms;
  stream_site site(o);
  auto s = hold(site.port(), "127.0.0.5");
  // A chunk of three bytes: ": \n\n" framed as 4\r\n: \n\n\r\n.
  const auto beats = s->read_until("4\r\n: \n\n\r\n4\r\n: \n\n\r\n", 5s);
  CHECK(beats.find("4\r\n: \n\n\r\n4\r\n: \n\n\r\n") != std::string::npos);
}

TEST_CASE("a stream ends at its lifetime with the terminating chunk") {
  http::server_options o;
  o.stream_lifetime = 300ms;
  stream_site site(o);
  auto s = hold(site.port(), "127.0.0.6");
  const auto rest = s->read_all(5s);
  CHECK(rest.size() >= 5);
  CHECK(rest.substr(rest.size() - 5) == "0\r\n\r\n");
  CHECK(harness::wait_until([&] { return site.producers_ended.load() == 1; }, 5s));
}

TEST_CASE("stopping the server ends held streams at once, not at their lifetime") {
  http::server_options o;
  o.stream_lifetime = std::chrono::hours(1);
  o.stream_heartbeat = std::chrono::hours(1);
  stream_site site(o);
  auto s1 = hold(site.port(), "127.0.0.7");
  auto s2 = hold(site.port(), "127.0.0.8");
  std::promise<void> stopped;
  const auto started = std::chrono::steady_clock::now();
  auto stop = [&site, &stopped]() -> asio::awaitable<void> {
    co_await site.server->stop();
    stopped.set_value();
  };
  asio::co_spawn(site.io, stop(), [](std::exception_ptr) {});
  auto done = stopped.get_future();
  REQUIRE(done.wait_for(5s) == std::future_status::ready);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  CHECK(site.producers_ended.load() == 2);
  // Each client read a whole body: the terminating chunk, then the close.
  for (auto* s : {s1.get(), s2.get()}) {
    const auto rest = s->read_all(5s);
    REQUIRE(rest.size() >= 5);
    CHECK(rest.substr(rest.size() - 5) == "0\r\n\r\n");
  }
}

TEST_CASE("a producer that throws cuts its stream short and the server goes on serving") {
  stream_site site(http::server_options{});
  harness::raw_socket s(site.port(), "127.0.0.9");
  REQUIRE(s.send_all(get("/boom")));
  const auto got = s.read_all(5s);
  CHECK(got.find("data: 1\n\n") != std::string::npos);
  // No terminating chunk: the client knows the body was cut.
  CHECK(got.find("0\r\n\r\n") == std::string::npos);
  CHECK(harness::wait_until([&] { return site.open_streams() == 0; }, 5s));
  harness::raw_socket plain(site.port(), "127.0.0.9");
  REQUIRE(plain.send_all("GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  CHECK(plain.read_all(5s).find("HTTP/1.1 200") == 0);
}

TEST_CASE("a HEAD on a streamed resource gets the head alone and holds nothing") {
  stream_site site(http::server_options{});
  harness::raw_socket s(site.port(), "127.0.0.10");
  REQUIRE(s.send_all("HEAD /hold HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const auto got = s.read_all(5s);
  CHECK(got.find("HTTP/1.1 200") == 0);
  CHECK(got.find("data:") == std::string::npos);
  CHECK(site.open_streams() == 0);
}

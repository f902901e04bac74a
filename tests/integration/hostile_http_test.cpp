// Requests an attacker would send, over real loopback to the real binary:
// each part of a message the peer controls is bounded, a refusal is an
// answer (431, 413, 414, 400), and the service goes on answering. The
// client side meets a hostile server the same way.
#include "harness.hpp"
#include "raw_socket.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

using namespace harness;
using namespace std::chrono_literals;

namespace {

struct world {
  explicit world(std::map<std::string, std::string> env = {}) : sim(dir.path), app(dir.path, sim, std::move(env)) {
    app.start();
  }
  temp_dir dir;
  wa_sim sim;
  banditore_server app;

  std::uint16_t port() const { return port_of(app.base); }
  bool healthy() { return call(app.base, "GET", "/healthz", {}, {}, 10s).status == 200; }
};

std::string status_line(const std::string& answer) { return answer.substr(0, answer.find("\r\n")); }

}  // namespace

TEST_CASE("a trailer field of 65,534 bytes is refused and the service goes on answering") {
  world w;
  raw_socket s(w.port());
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " +
                              std::string(65534, 'a') + "\r\n\r\n";
  s.send_all(request);
  const auto answer = s.read_until("\r\n\r\n", 10s);
  CHECK(status_line(answer) == "HTTP/1.1 431 Request Header Fields Too Large");
  CHECK(w.app.process.running());
  CHECK(w.healthy());
}

TEST_CASE("a trailer that fits is read and not taken for a header") {
  world w;
  raw_socket s(w.port());
  // Authorization in the trailer must not reach the handler as a header.
  s.send_all("GET /v1/alerts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
             "0\r\nAuthorization: Bearer bnd_x\r\n\r\n");
  const auto answer = s.read_all(10s);
  CHECK(status_line(answer) == "HTTP/1.1 401 Unauthorized");
  CHECK(answer.find("send an API key") != std::string::npos);
}

TEST_CASE("a chunk extension of 1 MiB is refused long before it has all been sent") {
  world w;
  raw_socket s(w.port());
  REQUIRE(s.send_all("POST /webhook/whatsapp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10;x="));
  const std::string piece(1024, 'a');
  std::size_t sent = 0;
  // Each piece waits a little for the answer: the wait is on the answer, the
  // piece count bounds it.
  while (sent < 1024 * 1024 && !s.readable(20ms)) {
    if (!s.send_all(piece)) break;
    sent += piece.size();
  }
  INFO("extension bytes sent before the answer: " << sent);
  CHECK(sent < 256 * 1024);
  const auto answer = s.read_until("\r\n\r\n", 10s);
  CHECK(status_line(answer) == "HTTP/1.1 400 Bad Request");
  CHECK(w.healthy());
}

TEST_CASE("a chunk extension over 256 bytes is refused with 400") {
  world w;
  raw_socket s(w.port());
  s.send_all("POST /webhook/whatsapp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;x=" +
             std::string(300, 'a') + "\r\n{}\r\n0\r\n\r\n");
  const auto answer = s.read_until("\r\n\r\n", 10s);
  CHECK(status_line(answer) == "HTTP/1.1 400 Bad Request");
}

TEST_CASE("a header field over 8 KiB is answered 431 and a target over 8 KiB 414") {
  world w;
  {
    raw_socket s(w.port());
    s.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: " + std::string(9000, 'b') + "\r\n\r\n");
    CHECK(status_line(s.read_until("\r\n\r\n", 10s)) == "HTTP/1.1 431 Request Header Fields Too Large");
  }
  {
    raw_socket s(w.port());
    s.send_all("GET /healthz?" + std::string(9000, 'c') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(status_line(s.read_until("\r\n\r\n", 10s)) == "HTTP/1.1 414 URI Too Long");
  }
  CHECK(w.healthy());
}

TEST_CASE("one address holding many idle sockets does not make another get 503") {
  world w(std::map<std::string, std::string>{{"BANDITORE_MAX_CONNECTIONS_PER_ADDRESS", "32"}});
  // 40 idle connections from 127.0.0.2: the per-address limit (32) answers
  // the ones over it at once, and 127.0.0.1 is still served.
  std::vector<raw_socket> idle;
  for (int i = 0; i < 40; ++i) idle.emplace_back(w.port(), "127.0.0.2");
  const auto refused = idle.back().read_until("\r\n\r\n", 10s);
  CHECK(status_line(refused) == "HTTP/1.1 503 Service Unavailable");
  CHECK(refused.find("Retry-After: 1") != std::string::npos);
  CHECK(idle.front().readable(0ms) == false);
  CHECK(w.healthy());
  CHECK(call(w.app.base, "GET", "/v1/alerts", {}, {}, 10s).status == 401);
}

TEST_CASE("with every ordinary connection taken, health checks and the webhook still get through") {
  world w(std::map<std::string, std::string>{{"BANDITORE_MAX_CONNECTIONS", "8"}});
  // Eight addresses, one idle connection each: the ordinary cap is full
  // without any address reaching its own limit.
  std::vector<raw_socket> idle;
  for (int i = 0; i < 8; ++i) idle.emplace_back(w.port(), "127.0.1." + std::to_string(i + 1));
  // The accept loop is sequential: once a ninth connection is answered, the
  // eight before it are counted.
  {
    raw_socket probe(w.port(), "127.0.2.1");
    probe.send_all("GET /v1/alerts HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(status_line(probe.read_until("\r\n\r\n", 10s)) == "HTTP/1.1 503 Service Unavailable");
  }
  CHECK(w.healthy());
  CHECK(call(w.app.base, "GET", "/readyz", {}, {}, 10s).status == 200);
  // The webhook's GET handshake answers (403 for a wrong token is still an answer).
  CHECK(call(w.app.base, "GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=no&hub.challenge=1", {}, {},
             10s).status == 403);
}

TEST_CASE("the client survives a server answering with a 65,534-byte trailer field or an endless chunk line") {
  for (const std::string& tail : {"0\r\nX: " + std::string(65534, 'a') + "\r\n\r\n",
                                 "10;x=" + std::string(1024 * 1024, 'a')}) {
    auto listener = raw_socket::listener();
    const auto port = listener.local_port();
    std::thread hostile([&listener, &tail] {
      try {
        auto peer = listener.accept(10s);
        peer.read_until("\r\n\r\n", 10s);
        peer.send_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + tail);
        peer.read_all(2s);
      } catch (const std::exception&) {
      }
    });
    banditore::http::client_response r;
    const auto base = "http://127.0.0.1:" + std::to_string(port);
    auto fetch = [&base] { return call(base, "GET", "/feed", {}, {}, 10s); };
    CHECK_NOTHROW(r = fetch());
    hostile.join();
    CHECK_FALSE(r.answered());
    CHECK(r.transport_error.find("exceeds 16384 bytes") != std::string::npos);
  }
}

TEST_CASE("wrong tokens from one address are throttled with 429, and the answer never says revoked") {
  world w;
  const std::vector<banditore::http::header_field> wrong{{"Authorization", "Bearer bnd_" + std::string(80, 'f')}};
  int unauthorized = 0, throttled = 0;
  std::string retry_after;
  for (int i = 0; i < 12; ++i) {
    auto r = call(w.app.base, "GET", "/v1/alerts", {}, wrong, 10s);
    if (r.status == 401) {
      ++unauthorized;
      CHECK(r.body.find("this API key is not valid") != std::string::npos);
    }
    if (r.status == 429) {
      ++throttled;
      retry_after = std::string(r.header("Retry-After"));
    }
  }
  // Ten at once, then one every 6 s: a slow run may earn one more try.
  CHECK(unauthorized >= 10);
  CHECK(unauthorized <= 11);
  CHECK(throttled == 12 - unauthorized);
  CHECK((retry_after >= "1" && retry_after <= "6" && retry_after.size() == 1));
}

TEST_CASE("behind a trusted proxy each forwarded client is throttled on its own; untrusted forwarding is ignored") {
  world w(std::map<std::string, std::string>{{"BANDITORE_TRUSTED_PROXIES", "127.0.0.1"}});
  auto attempt = [&](const std::string& forwarded_for) {
    std::vector<banditore::http::header_field> h{{"Authorization", "Bearer bnd_" + std::string(80, 'e')},
                                                 {"X-Forwarded-For", forwarded_for}};
    return call(w.app.base, "GET", "/v1/alerts", {}, h, 10s).status;
  };
  for (int i = 0; i < 10; ++i) REQUIRE(attempt("198.51.100.1") == 401);
  CHECK(attempt("198.51.100.1") == 429);
  // A client behind the proxy cannot pick its address by sending its own header first.
  CHECK(attempt("203.0.113.5, 198.51.100.1") == 429);
  CHECK(attempt("198.51.100.2") == 401);
}

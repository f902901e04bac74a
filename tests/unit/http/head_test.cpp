#include <banditore/http/head.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

using namespace banditore::http;

TEST_CASE("a request head is the start line, the defaults, the fields and the body's length") {
  const auto head = request_head("POST", "/v21.0/1/messages", {{"Host", "graph.facebook.com"}, {"User-Agent", "banditore"}},
                                 {{"Authorization", "Bearer t"}, {"Content-Type", "application/json"}}, 42);
  CHECK(head ==
        "POST /v21.0/1/messages HTTP/1.1\r\n"
        "Host: graph.facebook.com\r\n"
        "User-Agent: banditore\r\n"
        "Authorization: Bearer t\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 42\r\n"
        "\r\n");
}

TEST_CASE("a given field replaces the default of the same name, whatever its case") {
  const auto head = request_head("GET", "/feed", {{"Host", "h"}, {"User-Agent", "banditore"}},
                                 {{"user-agent", "banditore/cap"}}, 0);
  CHECK(head == "GET /feed HTTP/1.1\r\nHost: h\r\nuser-agent: banditore/cap\r\n\r\n");
}

TEST_CASE("a body-less GET has no Content-Length; a body-less POST says 0") {
  CHECK(request_head("GET", "/", {}, {}, 0) == "GET / HTTP/1.1\r\n\r\n");
  CHECK(request_head("POST", "/", {}, {}, 0) == "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("a field or start line that would break the framing is refused") {
  const header_field injected{"X-Note", "a\r\nContent-Length: 0"};
  CHECK_THROWS_AS(request_head("GET", "/", {}, {injected}, 0), std::invalid_argument);
  CHECK_THROWS_AS(request_head("GET", "/", {}, {{"X-Note", std::string("a\0b", 3)}}, 0), std::invalid_argument);
  CHECK_THROWS_AS(request_head("GET", "/", {}, {{"X Note", "v"}}, 0), std::invalid_argument);
  CHECK_THROWS_AS(request_head("GET", "/", {}, {{"X-Note:", "v"}}, 0), std::invalid_argument);
  CHECK_THROWS_AS(request_head("GET", "/", {}, {{"", "v"}}, 0), std::invalid_argument);
  CHECK_THROWS_AS(request_head("GET", "/", {}, {{"content-length", "5"}}, 0), std::invalid_argument);
  CHECK_THROWS_AS(request_head("GET", "/", {}, {{"Transfer-Encoding", "chunked"}}, 0), std::invalid_argument);
  CHECK_THROWS_AS(request_head("GET", "/a b", {}, {}, 0), std::invalid_argument);
  CHECK_THROWS_AS(request_head("GET", "/a\r\n", {}, {}, 0), std::invalid_argument);
  CHECK_THROWS_AS(request_head("GET", "", {}, {}, 0), std::invalid_argument);
  CHECK_THROWS_AS(request_head("GE T", "/", {}, {}, 0), std::invalid_argument);
  CHECK_THROWS_AS(response_head(200, 11, {{"Content-Type", "text/plain\n"}}, {}, 0, true), std::invalid_argument);
  CHECK_THROWS_AS(response_head(42, 11, {}, {}, 0, true), std::invalid_argument);
}

TEST_CASE("a control character other than a tab in a field value is refused; a tab and UTF-8 pass") {
  for (char c : {'\x01', '\x08', '\x0b', '\x1b', '\x1f', '\x7f'}) {
    CAPTURE(int(c));
    const header_field f{"X-Note", std::string("a") + c + "b"};
    CHECK_THROWS_AS(request_head("GET", "/", {}, {f}, 0), std::invalid_argument);
    CHECK_THROWS_AS(response_head(200, 11, {}, {f}, 0, true), std::invalid_argument);
  }
  CHECK(request_head("GET", "/", {}, {{"X-Note", "a\tb \xc3\xa8"}}, 0).find("X-Note: a\tb \xc3\xa8\r\n") !=
        std::string::npos);
}

// Found by the head fuzzer: Beast, like any RFC 9110 recipient, refuses a
// Connection field that is not a list of tokens, so such a head is never
// written.
TEST_CASE("a Connection field must be a list of tokens") {
  for (const char* bad : {"`\xff`\xff", "close; x", "keep-alive, \"a\"", "a b"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(request_head("GET", "/", {}, {{"Connection", bad}}, 0), std::invalid_argument);
    CHECK_THROWS_AS(response_head(200, 11, {}, {{"proxy-connection", bad}}, 0, true), std::invalid_argument);
  }
  for (const char* good : {"close", "keep-alive, Upgrade", " a ,, b\t", ""}) {
    CAPTURE(good);
    CHECK_NOTHROW(request_head("GET", "/", {}, {{"Connection", good}}, 0));
  }
}

TEST_CASE("a response head carries the reason, the fields, the length and what keep-alive needs") {
  CHECK(response_head(202, 11, {{"Content-Type", "application/json"}}, {{"Location", "/v1/alerts/7"}}, 12, true) ==
        "HTTP/1.1 202 Accepted\r\n"
        "Content-Type: application/json\r\n"
        "Location: /v1/alerts/7\r\n"
        "Content-Length: 12\r\n"
        "\r\n");
  CHECK(response_head(503, 11, {}, {{"Retry-After", "1"}}, 0, false) ==
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  CHECK(response_head(200, 10, {}, {}, 2, true) == "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n");
  CHECK(response_head(200, 10, {}, {}, 2, false) == "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n");
  CHECK(response_head(429, 11, {{"Cache-Control", "no-store"}}, {{"cache-control", "max-age=5"}}, 0, true) ==
        "HTTP/1.1 429 Too Many Requests\r\ncache-control: max-age=5\r\nContent-Length: 0\r\n\r\n");
  CHECK(response_head(204, 11, {}, {}, 0, true) == "HTTP/1.1 204 No Content\r\n\r\n");
  CHECK(response_head(304, 11, {{"ETag", "\"v1\""}}, {}, 0, true) == "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n");
  CHECK_THROWS_AS(response_head(204, 11, {}, {}, 3, true), std::invalid_argument);
}

TEST_CASE("a streamed answer's head says chunked on HTTP/1.1, no length, and that the connection closes after it") {
  CHECK(streamed_response_head(200, 11, {{"Content-Type", "text/event-stream"}}, {}) ==
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: text/event-stream\r\n"
        "Transfer-Encoding: chunked\r\n"
        "Connection: close\r\n"
        "\r\n");
  // HTTP/1.0 has no chunks: the close ends the body.
  CHECK(streamed_response_head(200, 10, {{"Content-Type", "text/event-stream"}}, {}) ==
        "HTTP/1.0 200 OK\r\n"
        "Content-Type: text/event-stream\r\n"
        "Connection: close\r\n"
        "\r\n");
  CHECK_THROWS_AS(streamed_response_head(204, 11, {}, {}), std::invalid_argument);
  CHECK_THROWS_AS(streamed_response_head(200, 11, {}, {{"Transfer-Encoding", "gzip"}}), std::invalid_argument);
  CHECK_THROWS_AS(streamed_response_head(200, 11, {}, {{"X-Bad", "a\r\nb"}}), std::invalid_argument);
}

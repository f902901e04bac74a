#include <banditore/http/message.hpp>
#include <banditore/http/json_text.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace banditore::http;

TEST_CASE("query parameters are percent-decoded and plus means space") {
  request r;
  r.query = "hub.mode=subscribe&hub.verify_token=a%2Bb+c&hub.challenge=123&empty";
  CHECK(r.query_param("hub.mode") == "subscribe");
  CHECK(r.query_param("hub.verify_token") == "a+b c");
  CHECK(r.query_param("empty") == "");
  CHECK_FALSE(r.query_param("missing").has_value());
}

TEST_CASE("a malformed percent escape is refused") {
  CHECK_FALSE(percent_decode("%4", false).has_value());
  CHECK_FALSE(percent_decode("%zz", false).has_value());
  CHECK_FALSE(percent_decode("abc%", false).has_value());
  CHECK(percent_decode("%41%62", false) == "Ab");
}

TEST_CASE("headers are found whatever their case") {
  request r;
  r.headers = {{"X-Hub-Signature-256", "sha256=00"}};
  CHECK(r.header("x-hub-signature-256") == "sha256=00");
  CHECK(r.header("missing").empty());
}

TEST_CASE("the bearer token is read from the Authorization header") {
  request r;
  r.headers = {{"Authorization", "Bearer abc.def"}};
  CHECK(r.bearer_token() == "abc.def");
  r.headers = {{"Authorization", "Basic abc"}};
  CHECK_FALSE(r.bearer_token().has_value());
  r.headers = {{"Authorization", "Bearer "}};
  CHECK_FALSE(r.bearer_token().has_value());
}

TEST_CASE("a problem answer is application/problem+json with type, title, status and detail") {
  auto p = problem(413, "Content Too Large", "request body exceeds 10 bytes");
  CHECK(p.status == 413);
  CHECK(p.content_type == "application/problem+json");
  auto j = nlohmann::json::parse(p.body);
  CHECK(j["type"] == "about:blank");
  CHECK(j["title"] == "Content Too Large");
  CHECK(j["status"] == 413);
  CHECK(j["detail"] == "request body exceeds 10 bytes");
}

TEST_CASE("a JSON answer over stored bytes that are not UTF-8 is written with U+FFFD, never a throw") {
  const nlohmann::json body = {{"title", std::string("Allerta \xC3\x28 meteo")}, {"id", 7}};
  std::string text;
  CHECK_NOTHROW(text = banditore::http::json_text(body));
  CHECK(text == "{\"id\":7,\"title\":\"Allerta \xEF\xBF\xBD( meteo\"}");
  auto p = banditore::http::problem(400, "Bad Request", std::string("bad \xFF byte"));
  CHECK(p.body.find("\xEF\xBF\xBD") != std::string::npos);
}

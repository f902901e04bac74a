#include <banditore/app/auth.hpp>

#include <banditore/store/sqlite/api_keys.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>

using namespace banditore;
using json = nlohmann::json;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

struct fixture {
  std::unique_ptr<SQLite::Database> db = [] {
    auto d = store::sqlite::open_database(":memory:");
    store::sqlite::migrate(*d);
    return d;
  }();
  store::sqlite::api_key_store keys{*db};
  std::string sender = keys.create("press-office", {"alerts:send", "alerts:read"}, t0).token;
  std::string reader = keys.create("dashboard", {"stats:read"}, t0).token;
};

// What app::authorize does with the store's answer: the key the token
// belongs to, then the verdict.
app::auth_result check_access(const http::request& request, std::string_view scope,
                              store::sqlite::api_key_store& keys, std::int64_t now_ms) {
  std::optional<store::key_info> key;
  if (auto token = request.bearer_token()) key = keys.authenticate(*token, now_ms);
  return app::check_access(request, scope, key);
}

http::request with_authorization(std::string value) {
  http::request r;
  r.method = "POST";
  r.path = "/v1/alerts";
  r.headers = {{"Authorization", std::move(value)}};
  return r;
}

http::request bearer(const std::string& token) { return with_authorization("Bearer " + token); }

std::string detail_of(const http::response& r) { return json::parse(r.body).at("detail").get<std::string>(); }

}  // namespace

TEST_CASE("a key with the scope is let through and named") {
  fixture f;
  auto result = check_access(bearer(f.sender), "alerts:send", f.keys, t0);
  CHECK_FALSE(result.refusal.has_value());
  REQUIRE(result.key.has_value());
  CHECK(result.key->name == "press-office");
}

TEST_CASE("a route open to any valid key lets every scope through, and still refuses no key or a revoked one") {
  fixture f;
  auto result = check_access(bearer(f.reader), app::any_key, f.keys, t0);
  CHECK_FALSE(result.refusal.has_value());
  CHECK(check_access(with_authorization(""), app::any_key, f.keys, t0).refusal->status == 401);
  f.keys.revoke("dashboard", t0);
  CHECK(check_access(bearer(f.reader), app::any_key, f.keys, t0).refusal->status == 401);
}

TEST_CASE("a request without a bearer token gets 401 and a Bearer challenge") {
  fixture f;
  auto result = check_access(http::request{}, "alerts:send", f.keys, t0);
  CHECK_FALSE(result.key.has_value());
  REQUIRE(result.refusal.has_value());
  const auto& r = *result.refusal;
  CHECK(r.status == 401);
  CHECK(r.content_type == "application/problem+json");
  CHECK(json::parse(r.body).at("status") == 401);
  CHECK(http::find_header(r.headers, "WWW-Authenticate").substr(0, 6) == "Bearer");
  CHECK(detail_of(r).find("Authorization: Bearer") != std::string::npos);
}

TEST_CASE("an Authorization header of another scheme gets 401") {
  fixture f;
  auto result = check_access(with_authorization("Basic " + f.sender), "alerts:send", f.keys, t0);
  REQUIRE(result.refusal.has_value());
  CHECK(result.refusal->status == 401);
  CHECK(http::find_header(result.refusal->headers, "WWW-Authenticate").substr(0, 6) == "Bearer");
  CHECK(result.refusal->body.find(f.sender) == std::string::npos);
}

TEST_CASE("an unknown token gets 401 that does not repeat it") {
  fixture f;
  std::string unknown = f.sender;
  unknown.back() = unknown.back() == 'a' ? 'b' : 'a';
  auto result = check_access(bearer(unknown), "alerts:send", f.keys, t0);
  REQUIRE(result.refusal.has_value());
  const auto& r = *result.refusal;
  CHECK(r.status == 401);
  CHECK(r.content_type == "application/problem+json");
  CHECK(detail_of(r) == "this API key is not valid");
  CHECK(http::find_header(r.headers, "WWW-Authenticate").find("invalid_token") != std::string::npos);
  CHECK(r.body.find(unknown.substr(4)) == std::string::npos);
}

TEST_CASE("a revoked key gets the same 401 as an unknown one, so keys cannot be told apart") {
  fixture f;
  std::string unknown = f.sender;
  unknown.back() = unknown.back() == 'a' ? 'b' : 'a';
  f.keys.revoke("press-office", t0 + 1);
  auto revoked = check_access(bearer(f.sender), "alerts:send", f.keys, t0 + 2);
  auto never = check_access(bearer(unknown), "alerts:send", f.keys, t0 + 2);
  CHECK_FALSE(revoked.key.has_value());
  REQUIRE(revoked.refusal.has_value());
  REQUIRE(never.refusal.has_value());
  CHECK(revoked.refusal->status == 401);
  CHECK(revoked.refusal->body == never.refusal->body);
  CHECK(http::find_header(revoked.refusal->headers, "WWW-Authenticate") ==
        http::find_header(never.refusal->headers, "WWW-Authenticate"));
  CHECK(revoked.refusal->body.find(f.sender.substr(4)) == std::string::npos);
}

TEST_CASE("a token of the wrong shape is refused before any lookup and counted as a failure") {
  app::auth_throttle throttle;
  for (const std::string& token : {std::string("bnd_short"), "xyz_" + std::string(80, 'a'), "bnd_" + std::string(80, 'A'),
                                  "bnd_" + std::string(79, 'a') + "g"}) {
    CAPTURE(token);
    auto r = bearer(token);
    r.remote_address = "192.0.2.1";
    auto refusal = app::refuse_before_lookup(r, throttle, t0);
    REQUIRE(refusal.has_value());
    CHECK(refusal->status == 401);
    CHECK(detail_of(*refusal) == "this API key is not valid");
  }
  fixture f;
  auto good = bearer(f.sender);
  good.remote_address = "192.0.2.2";
  CHECK_FALSE(app::refuse_before_lookup(good, throttle, t0).has_value());
}

TEST_CASE("after ten failures an address gets 429 with Retry-After, other addresses do not") {
  app::auth_throttle throttle;
  fixture f;
  std::string unknown = f.sender;
  unknown.back() = unknown.back() == 'a' ? 'b' : 'a';
  auto attacker = bearer(unknown);
  attacker.remote_address = "198.51.100.9";
  for (int i = 0; i < 10; ++i) {
    CAPTURE(i);
    REQUIRE_FALSE(app::refuse_before_lookup(attacker, throttle, t0).has_value());
    auto result = check_access(attacker, "alerts:send", f.keys, t0);
    app::count_refusal(attacker, result, throttle, t0);
  }
  auto refusal = app::refuse_before_lookup(attacker, throttle, t0);
  REQUIRE(refusal.has_value());
  CHECK(refusal->status == 429);
  CHECK(http::find_header(refusal->headers, "Retry-After") == "6");
  // Even the right key waits: the throttle acts before the key is looked up.
  auto same_address = bearer(f.sender);
  same_address.remote_address = "198.51.100.9";
  CHECK(app::refuse_before_lookup(same_address, throttle, t0 + 1000)->status == 429);
  auto elsewhere = bearer(f.sender);
  elsewhere.remote_address = "198.51.100.10";
  CHECK_FALSE(app::refuse_before_lookup(elsewhere, throttle, t0).has_value());
  // One try per 6 s comes back.
  CHECK_FALSE(app::refuse_before_lookup(attacker, throttle, t0 + 6000).has_value());
}

TEST_CASE("a granted request or a missing token is not a failure") {
  app::auth_throttle throttle;
  fixture f;
  auto granted = bearer(f.sender);
  granted.remote_address = "203.0.113.1";
  auto none = http::request{};
  none.remote_address = "203.0.113.1";
  for (int i = 0; i < 20; ++i) {
    app::count_refusal(granted, check_access(granted, "alerts:send", f.keys, t0), throttle, t0);
    app::count_refusal(none, check_access(none, "alerts:send", f.keys, t0), throttle, t0);
  }
  CHECK(throttle.addresses() == 0);
}

TEST_CASE("the throttle forgets addresses rather than grow without bound") {
  app::auth_throttle throttle({10, 6000, 100});
  for (int i = 0; i < 1000; ++i) throttle.failed("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), t0);
  CHECK(throttle.addresses() <= 100);
}

TEST_CASE("a key without the scope gets 403 naming the scope") {
  fixture f;
  auto result = check_access(bearer(f.reader), "alerts:send", f.keys, t0);
  CHECK_FALSE(result.key.has_value());
  REQUIRE(result.refusal.has_value());
  const auto& r = *result.refusal;
  CHECK(r.status == 403);
  CHECK(r.content_type == "application/problem+json");
  CHECK(json::parse(r.body).at("status") == 403);
  CHECK(detail_of(r) == "this key lacks the scope alerts:send");
  CHECK(r.body.find(f.reader.substr(4)) == std::string::npos);
}

TEST_CASE("each route's scope is checked on its own") {
  fixture f;
  CHECK(check_access(bearer(f.reader), "stats:read", f.keys, t0).key.has_value());
  CHECK(check_access(bearer(f.sender), "alerts:read", f.keys, t0).key.has_value());
  CHECK(check_access(bearer(f.sender), "stats:read", f.keys, t0).refusal->status == 403);
  CHECK(check_access(bearer(f.sender), "cap:ingest", f.keys, t0).refusal->status == 403);
}

TEST_CASE("a granted request counts as the key's last use") {
  fixture f;
  check_access(bearer(f.sender), "alerts:send", f.keys, t0 + 5000);
  CHECK(f.keys.list().front().last_used_at == t0 + 5000);
}

TEST_CASE("a route asking for an unknown scope is a programming error") {
  fixture f;
  CHECK_THROWS_AS(check_access(bearer(f.sender), "alerts:write", f.keys, t0), std::invalid_argument);
}

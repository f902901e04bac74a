#include <banditore/app/console_session.hpp>

#include <banditore/crypto/password.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore;
using namespace banditore::app;

namespace {

std::string token() { return crypto::base64url(crypto::sodium_random_bytes(32)); }

}  // namespace

TEST_CASE("the session cookie over https is HttpOnly, Secure, SameSite=Strict, Path=/ under a __Host- name") {
  CHECK(session_cookie("abc", 43200, true) ==
        "__Host-banditore_session=abc; Path=/; Max-Age=43200; HttpOnly; Secure; SameSite=Strict");
}

TEST_CASE("over plain http the cookie has no Secure and no __Host- prefix, which browsers would refuse") {
  CHECK(session_cookie("abc", 43200, false) == "banditore_session=abc; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict");
}

TEST_CASE("logout clears the cookie with Max-Age=0 and the same attributes") {
  CHECK(cleared_session_cookie(true) == "__Host-banditore_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
  CHECK(cleared_session_cookie(false) == "banditore_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

TEST_CASE("the session token is read back from a Cookie header among other cookies") {
  CHECK(session_token_from_cookies("a=1; __Host-banditore_session=tok; b=2") == "tok");
  CHECK(session_token_from_cookies("banditore_session=plain") == "plain");
  CHECK(session_token_from_cookies("banditore_session=\"quoted\"") == "quoted");
  // The secure one wins when both are sent.
  CHECK(session_token_from_cookies("banditore_session=plain; __Host-banditore_session=secure") == "secure");
  CHECK_FALSE(session_token_from_cookies("xbanditore_session=nope; other=1"));
  CHECK_FALSE(session_token_from_cookies(""));
}

TEST_CASE("https is TLS, or a trusted proxy's X-Forwarded-Proto: https, never a client's say-so") {
  const auto proxies = http::proxy_list::parse("10.0.0.1");
  CHECK(request_is_https(true, "192.0.2.1", "", proxies));
  CHECK(request_is_https(false, "10.0.0.1", "https", proxies));
  CHECK(request_is_https(false, "10.0.0.1", "HTTPS, http", proxies));
  CHECK_FALSE(request_is_https(false, "10.0.0.1", "http", proxies));
  CHECK_FALSE(request_is_https(false, "10.0.0.1", "", proxies));
  CHECK_FALSE(request_is_https(false, "192.0.2.1", "https", proxies));
  CHECK_FALSE(request_is_https(false, "10.0.0.1", "https", http::proxy_list{}));
}

TEST_CASE("a CSRF token passes with its own session and fails with any other or none") {
  const auto keys = crypto::generate_data_keys();
  const auto key = csrf_key(keys);
  const auto mine = token();
  const auto theirs = token();
  const auto t = csrf_token(key, mine);
  CHECK(t.size() == 43);
  CHECK(t.find(mine) == std::string::npos);
  CHECK(csrf_valid(key, mine, t));
  CHECK(csrf_token(key, mine) == t);  // stable for the session's life
  CHECK_FALSE(csrf_valid(key, theirs, t));
  CHECK_FALSE(csrf_valid(key, mine, ""));
  CHECK_FALSE(csrf_valid(key, "", csrf_token(key, "")));
  CHECK_FALSE(csrf_valid(key, mine, t.substr(0, 42)));
  std::string altered = t;
  altered[10] = altered[10] == 'A' ? 'B' : 'A';
  CHECK_FALSE(csrf_valid(key, mine, altered));
}

TEST_CASE("the CSRF key comes from the data keys: the same after a restart, another for other keys") {
  const auto keys = crypto::generate_data_keys();
  CHECK(csrf_key(keys) == csrf_key(keys));
  CHECK(csrf_key(keys) != csrf_key(crypto::generate_data_keys()));
  CHECK(csrf_key(keys) != keys.lookup);
  CHECK(csrf_key(keys) != keys.encryption);
  const auto s = token();
  CHECK_FALSE(csrf_valid(csrf_key(crypto::generate_data_keys()), s, csrf_token(csrf_key(keys), s)));
}

#include <banditore/crypto/password.hpp>

#include <doctest/doctest.h>

#include <set>
#include <stdexcept>
#include <string>

using namespace banditore::crypto;

TEST_CASE("a password verifies against its own Argon2id hash and no other password") {
  const auto cost = minimum_password_cost();
  const auto h = hash_password("correct horse battery staple", cost);
  CHECK(h.starts_with("$argon2id$v=19$"));
  CHECK(h.find("correct") == std::string::npos);
  CHECK(verify_password(h, "correct horse battery staple"));
  CHECK_FALSE(verify_password(h, "correct horse battery stapl"));
  CHECK_FALSE(verify_password(h, "Correct horse battery staple"));
  CHECK_FALSE(verify_password(h, ""));
}

TEST_CASE("two hashes of one password differ by their salt and both verify") {
  const auto cost = minimum_password_cost();
  const auto a = hash_password("same password here", cost);
  const auto b = hash_password("same password here", cost);
  CHECK(a != b);
  CHECK(verify_password(a, "same password here"));
  CHECK(verify_password(b, "same password here"));
}

TEST_CASE("the interactive cost is written into the hash: 64 MiB and 2 passes") {
  const auto cost = interactive_password_cost();
  CHECK(cost.memory == 64u * 1024 * 1024);
  CHECK(cost.ops == 2);
  const auto h = hash_password("a staff password", cost);
  CHECK(h.find("$m=65536,t=2,p=1$") != std::string::npos);
  CHECK(verify_password(h, "a staff password"));
  CHECK_FALSE(password_needs_rehash(h, cost));
}

TEST_CASE("a hash made at another cost asks to be hashed again") {
  const auto weak = hash_password("a staff password", minimum_password_cost());
  CHECK(password_needs_rehash(weak, interactive_password_cost()));
  CHECK_FALSE(password_needs_rehash(weak, minimum_password_cost()));
  CHECK(password_needs_rehash("", interactive_password_cost()));
  CHECK(password_needs_rehash("$2y$10$abcdefghijklmnopqrstuv", interactive_password_cost()));
}

TEST_CASE("a malformed or foreign stored hash refuses every password without throwing") {
  CHECK_FALSE(verify_password("", "x"));
  CHECK_FALSE(verify_password("plain text password", "plain text password"));
  CHECK_FALSE(verify_password("$argon2id$v=19$m=65536,t=2,p=1$garbage", "x"));
  CHECK_FALSE(verify_password(std::string("$argon2id$\0x", 12), "x"));
  CHECK_FALSE(verify_password(std::string(500, '$'), "x"));
  // An Argon2i hash (not id) is not what we store.
  CHECK_FALSE(verify_password("$argon2i$v=19$m=32768,t=4,p=1$c29tZXNhbHQ$ABCDEFGHIJKLMNOPQRSTUVWXYZ012345678", "x"));
}

TEST_CASE("a password longer than 1024 bytes is never hashed") {
  CHECK_THROWS_AS(hash_password(std::string(1025, 'a'), minimum_password_cost()), std::invalid_argument);
  const auto h = hash_password(std::string(1024, 'a'), minimum_password_cost());
  CHECK(verify_password(h, std::string(1024, 'a')));
  CHECK_FALSE(verify_password(h, std::string(1025, 'a')));
}

TEST_CASE("random bytes from libsodium come in the size asked and differ each time") {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const auto b = sodium_random_bytes(32);
    CHECK(b.size() == 32);
    seen.insert(b);
  }
  CHECK(seen.size() == 50);
}

TEST_CASE("base64url follows RFC 4648 section 5 without padding") {
  // RFC 4648 section 10 vectors, padding dropped.
  CHECK(base64url("") == "");
  CHECK(base64url("f") == "Zg");
  CHECK(base64url("fo") == "Zm8");
  CHECK(base64url("foo") == "Zm9v");
  CHECK(base64url("foob") == "Zm9vYg");
  CHECK(base64url("fooba") == "Zm9vYmE");
  CHECK(base64url("foobar") == "Zm9vYmFy");
  // The URL-safe alphabet: 62 and 63 are '-' and '_'.
  CHECK(base64url("\xfb\xff") == "-_8");
  CHECK(base64url(std::string(32, '\0')).size() == 43);
}

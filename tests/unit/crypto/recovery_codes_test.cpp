#include <banditore/crypto/recovery_codes.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace banditore::crypto;

TEST_CASE("ten recovery codes, each of four groups of four base32 symbols, all different") {
  const auto codes = new_recovery_codes();
  REQUIRE(codes.size() == 10);
  std::set<std::string> distinct(codes.begin(), codes.end());
  CHECK(distinct.size() == 10);
  for (const auto& c : codes) {
    CHECK(c.size() == 19);
    CHECK(c[4] == '-');
    CHECK(c[9] == '-');
    CHECK(c[14] == '-');
    CHECK(recovery_code_hash(c).has_value());
  }
}

TEST_CASE("a recovery code hashes the same however it is typed, and unlike any other code") {
  const auto code = new_recovery_codes(1).front();
  const auto h = recovery_code_hash(code);
  REQUIRE(h);
  CHECK(h->size() == 32);
  std::string upper;
  for (char c : code) upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  CHECK(recovery_code_hash(upper) == h);
  std::string spaced;
  for (char c : code) spaced.push_back(c == '-' ? ' ' : c);
  CHECK(recovery_code_hash(spaced) == h);
  CHECK(recovery_code_hash("aaaa-aaaa-aaaa-aaab") != recovery_code_hash("aaaa-aaaa-aaaa-aaaa"));
}

TEST_CASE("text that cannot be a recovery code has no hash") {
  CHECK_FALSE(recovery_code_hash(""));
  CHECK_FALSE(recovery_code_hash("aaaa-aaaa-aaaa-aaa"));
  CHECK_FALSE(recovery_code_hash("aaaa-aaaa-aaaa-aaaaa"));
  CHECK_FALSE(recovery_code_hash("aaaa-aaaa-aaaa-aa1a"));  // 1 is not base32
  CHECK_FALSE(recovery_code_hash("123456"));
}

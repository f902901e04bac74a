#include <banditore/crypto/hash.hpp>

#include <doctest/doctest.h>

#include <cctype>
#include <string>
#include <thread>
#include <vector>

using namespace banditore::crypto;

namespace {

std::string hex_hmac(std::string_view key, std::string_view data) {
  return to_hex(hmac_sha256(key, data));
}

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

}  // namespace

TEST_CASE("HMAC-SHA256 matches the RFC 4231 test vectors") {
  struct vector {
    int number;
    std::string key;
    std::string data;
    std::string mac;  // in full, or truncated as the RFC gives it
  };
  const std::string big_key = repeat('\xaa', 131);
  const vector vectors[] = {
      {1, repeat('\x0b', 20), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {2, "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {3, repeat('\xaa', 20), repeat('\xdd', 50),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {4, *from_hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat('\xcd', 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {5, repeat('\x0c', 20), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
      {6, big_key, "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {7, big_key,
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.number);
    CHECK(hex_hmac(v.key, v.data).substr(0, v.mac.size()) == v.mac);
  }
}

TEST_CASE("the byte-key and text-key HMAC overloads agree") {
  const std::string secret = "Jefe";
  const std::uint8_t bytes[] = {'J', 'e', 'f', 'e'};
  CHECK(hmac_sha256(bytes, "what do ya want for nothing?") ==
        hmac_sha256(secret, "what do ya want for nothing?"));
}

TEST_CASE("one thread switching between keys gets each key's MAC every time") {
  // A thread keeps its last key set up; a change of key must not reuse it.
  const std::string a = "first key", b = "second key", long_key(131, '\xaa');
  const auto mac_a = hex_hmac(a, "message"), mac_b = hex_hmac(b, "message");
  const auto mac_long = hex_hmac(long_key, "message"), mac_empty = hex_hmac("", "message");
  CHECK(mac_a != mac_b);
  for (int round = 0; round < 3; ++round) {
    CHECK(hex_hmac(a, "message") == mac_a);
    CHECK(hex_hmac(a, "message") == mac_a);
    CHECK(hex_hmac(b, "message") == mac_b);
    CHECK(hex_hmac("", "message") == mac_empty);
    CHECK(hex_hmac(long_key, "message") == mac_long);
  }
  // The same key as bytes and as text is one key.
  const std::vector<std::uint8_t> a_bytes(a.begin(), a.end());
  CHECK(to_hex(hmac_sha256(std::span<const std::uint8_t>(a_bytes), "message")) == mac_a);
  // A prefix of the cached key is another key.
  CHECK(hex_hmac(a.substr(0, 5), "message") != mac_a);
  // From a fresh thread, where nothing is cached, the same results.
  std::string from_thread_a, from_thread_b;
  std::thread([&] {
    from_thread_a = hex_hmac(a, "message");
    from_thread_b = hex_hmac(b, "message");
  }).join();
  CHECK(from_thread_a == mac_a);
  CHECK(from_thread_b == mac_b);
}

TEST_CASE("HMAC-SHA256 accepts an empty key") {
  CHECK(hex_hmac("", "") == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("a Meta webhook signature over raw UTF-8 bytes matches openssl dgst") {
  // Expected value from:
  //   printf '%s' "$body" | openssl dgst -sha256 -hmac f3a9c1e07b5d4e2a9c8b7a6f5e4d3c2b
  const std::string body =
      R"({"object":"whatsapp_business_account","entry":[{"id":"0","changes":[{"field":"messages",)"
      R"("value":{"messages":[{"from":"390000000000","id":"wamid.TEST","type":"text",)"
      R"("text":{"body":"Attiva perché è già ora ☔🚰"}}]}}]}]})";
  REQUIRE(body.size() == 224);  // the UTF-8 bytes the expected value was computed over
  const std::string app_secret = "f3a9c1e07b5d4e2a9c8b7a6f5e4d3c2b";
  CHECK("sha256=" + hex_hmac(app_secret, body) ==
        "sha256=7f977677bdf5dece88cfb1fba998144adf0056a6acb6232968e8e8dcbc9b56bf");
}

TEST_CASE("SHA-256 of abc matches the FIPS 180-2 vector") {
  CHECK(to_hex(sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("every byte value survives a hex round trip") {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  auto hex = to_hex(all);
  CHECK(hex.size() == 512);
  CHECK(from_hex(hex) == all);
}

TEST_CASE("to_hex writes lowercase") {
  const std::uint8_t bytes[] = {0xab, 0xcd, 0xef, 0x09};
  CHECK(to_hex(bytes) == "abcdef09");
}

TEST_CASE("from_hex accepts upper and lower case alike") {
  CHECK(from_hex("ABcdEf") == std::string("\xab\xcd\xef"));
}

TEST_CASE("from_hex rejects an odd length") {
  CHECK_FALSE(from_hex("abc").has_value());
}

TEST_CASE("from_hex rejects a character that is not hex") {
  CHECK_FALSE(from_hex("0g").has_value());
  CHECK_FALSE(from_hex("0 ").has_value());
  CHECK_FALSE(from_hex("-1").has_value());
}

TEST_CASE("from_hex of nothing is nothing") {
  CHECK(from_hex("") == std::string());
}

TEST_CASE("digest_from_hex reads exactly 64 hex digits, in either case") {
  const auto d = sha256("abc");
  const auto hex = to_hex(d);
  CHECK(digest_from_hex(hex) == d);
  std::string upper = hex;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(digest_from_hex(upper) == d);
  CHECK_FALSE(digest_from_hex(hex.substr(2)).has_value());
  CHECK_FALSE(digest_from_hex(hex + "00").has_value());
  CHECK_FALSE(digest_from_hex("").has_value());
  std::string bad = hex;
  bad.back() = 'g';
  CHECK_FALSE(digest_from_hex(bad).has_value());
}

TEST_CASE("constant_time_equal of digests is true for equal digests only") {
  CHECK(constant_time_equal(sha256("abc"), sha256("abc")));
  CHECK_FALSE(constant_time_equal(sha256("abc"), sha256("abd")));
}

TEST_CASE("constant_time_equal is true for equal strings only") {
  CHECK(constant_time_equal("sha256=abcd", "sha256=abcd"));
  CHECK(constant_time_equal("", ""));
  CHECK_FALSE(constant_time_equal("sha256=abcd", "sha256=abce"));
  CHECK_FALSE(constant_time_equal("xha256=abcd", "sha256=abcd"));
}

TEST_CASE("constant_time_equal is false when only the lengths differ") {
  CHECK_FALSE(constant_time_equal("sha256=abcd", "sha256=abc"));
  CHECK_FALSE(constant_time_equal("", "a"));
}

TEST_CASE("random_bytes returns as many bytes as asked, different each time") {
  CHECK(random_bytes(0).empty());
  auto a = random_bytes(32);
  auto b = random_bytes(32);
  CHECK(a.size() == 32);
  CHECK(a != b);
}

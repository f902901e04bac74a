#include <banditore/crypto/hash.hpp>
#include <banditore/crypto/sealed_box.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <thread>

using namespace banditore::crypto;

namespace {

key key_of(std::uint8_t fill) {
  key k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(fill + i);
  return k;
}

const sealed_box box(key_of(1));
const std::string number = "393331234567";

const char* region_of(std::size_t i, std::size_t size) {
  if (i == 0) return "version";
  if (i < 1 + sealed_box::nonce_size) return "nonce";
  if (i < size - sealed_box::tag_size) return "ciphertext";
  return "tag";
}

}  // namespace

TEST_CASE("a sealed number opens to the same number") {
  auto sealed = box.seal(number);
  CHECK(box.open(sealed) == number);
}

TEST_CASE("binary and empty plaintexts round-trip") {
  const std::string binary("\0\x01\xff\x00z", 5);
  CHECK(box.open(box.seal(binary)) == binary);
  CHECK(box.open(box.seal("")) == std::string());
}

TEST_CASE("the sealed form is version, nonce, ciphertext and tag") {
  auto sealed = box.seal(number);
  CHECK(sealed.size() == 1 + 12 + number.size() + 16);
  CHECK(sealed[0] == '\x01');
  CHECK(sealed.find(number) == std::string::npos);
}

TEST_CASE("sealing the same plaintext twice gives different boxes") {
  auto a = box.seal(number);
  auto b = box.seal(number);
  CHECK(a.substr(1, sealed_box::nonce_size) != b.substr(1, sealed_box::nonce_size));
  CHECK(a != b);
}

TEST_CASE("changing any byte of a box makes it unopenable") {
  const auto sealed = box.seal(number, "subscriber");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    CAPTURE(i);
    INFO("region: ", region_of(i, sealed.size()));
    auto tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    CHECK_FALSE(box.open(tampered, "subscriber").has_value());
  }
}

TEST_CASE("a box of an unknown version is refused") {
  auto sealed = box.seal(number);
  sealed[0] = '\x02';
  CHECK_FALSE(box.open(sealed).has_value());
}

TEST_CASE("a box does not open with another key") {
  const sealed_box other(key_of(2));
  CHECK_FALSE(other.open(box.seal(number)).has_value());
}

TEST_CASE("a box does not open with another aad") {
  auto sealed = box.seal(number, "subscriber:1");
  CHECK_FALSE(box.open(sealed, "subscriber:2").has_value());
  CHECK_FALSE(box.open(sealed).has_value());
  CHECK(box.open(sealed, "subscriber:1") == number);
}

TEST_CASE("a truncated or extended box is refused") {
  const auto sealed = box.seal(number);
  for (std::size_t n = 0; n < sealed.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(box.open(sealed.substr(0, n)).has_value());
  }
  CHECK_FALSE(box.open(sealed + '\0').has_value());
}

TEST_CASE("a copied box opens what the original sealed") {
  const sealed_box copy = box;
  CHECK(copy.open(box.seal(number)) == number);
}

TEST_CASE("boxes of several keys seal and open in any order on one thread and on others") {
  // A thread keeps its last key set up; a change of key must not reuse it,
  // and a refused box must not spoil the next one.
  const sealed_box first(key_of(10)), second(key_of(20));
  const auto by_first = first.seal(number, "a");
  const auto by_second = second.seal("393339999999", "b");
  for (int round = 0; round < 3; ++round) {
    CHECK(first.open(by_first, "a") == number);
    CHECK_FALSE(first.open(by_second, "b").has_value());
    CHECK(second.open(by_second, "b") == "393339999999");
    CHECK_FALSE(second.open(by_first, "a").has_value());
    CHECK_FALSE(first.open(by_first, "wrong aad").has_value());
    CHECK(first.open(by_first, "a") == number);
    CHECK(second.open(first.seal("39333", "c"), "c") == std::nullopt);
    CHECK(first.open(second.seal("39333", "c"), "c") == std::nullopt);
  }
  std::optional<std::string> opened_elsewhere, refused_elsewhere;
  std::string sealed_elsewhere;
  std::thread([&] {
    opened_elsewhere = second.open(by_second, "b");
    refused_elsewhere = first.open(by_second, "b");
    sealed_elsewhere = first.seal(number, "d");
  }).join();
  CHECK(opened_elsewhere == "393339999999");
  CHECK_FALSE(refused_elsewhere.has_value());
  CHECK(first.open(sealed_elsewhere, "d") == number);
}

TEST_CASE("a box sealed before the aad went to OpenSSL in two parts still opens") {
  // Sealed with key_of(1) and aad "subscriber:7" when version and aad were
  // one buffer: stored numbers must keep opening.
  const auto sealed = from_hex(
      "0179dff9fc04ebec27e4ac630cdd780fee4aad6c1b77434fc3610f76cf3e93147b812f086be7f56095");
  REQUIRE(sealed.has_value());
  CHECK(box.open(*sealed, "subscriber:7") == number);
  CHECK_FALSE(box.open(*sealed, "subscriber:8").has_value());
}

#include <banditore/crypto/sealed_box.hpp>

#include <doctest/doctest.h>

#include <string>

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

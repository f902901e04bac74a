#include <banditore/crypto/totp.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::crypto;

namespace {

// RFC 6238 Appendix B: each algorithm has its own seed, the ASCII digits
// "1234567890" repeated to the hash's size (20, 32 and 64 bytes).
const std::string seed_sha1 = "12345678901234567890";
const std::string seed_sha256 = "12345678901234567890123456789012";
const std::string seed_sha512 = "1234567890123456789012345678901234567890123456789012345678901234";

struct vector_row {
  std::int64_t time;
  const char* code;
  totp_algorithm algorithm;
};

}  // namespace

TEST_CASE("HOTP gives every value of RFC 4226 Appendix D") {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t count = 0; count < 10; ++count)
    CHECK_MESSAGE(hotp(seed_sha1, count) == expected[count], "count ", count);
}

TEST_CASE("TOTP gives every value of RFC 6238 Appendix B, for SHA-1, SHA-256 and SHA-512") {
  const vector_row rows[] = {
      {59, "94287082", totp_algorithm::sha1},          {59, "46119246", totp_algorithm::sha256},
      {59, "90693936", totp_algorithm::sha512},        {1111111109, "07081804", totp_algorithm::sha1},
      {1111111109, "68084774", totp_algorithm::sha256}, {1111111109, "25091201", totp_algorithm::sha512},
      {1111111111, "14050471", totp_algorithm::sha1},  {1111111111, "67062674", totp_algorithm::sha256},
      {1111111111, "99943326", totp_algorithm::sha512}, {1234567890, "89005924", totp_algorithm::sha1},
      {1234567890, "91819424", totp_algorithm::sha256}, {1234567890, "93441116", totp_algorithm::sha512},
      {2000000000, "69279037", totp_algorithm::sha1},  {2000000000, "90698825", totp_algorithm::sha256},
      {2000000000, "38618901", totp_algorithm::sha512}, {20000000000, "65353130", totp_algorithm::sha1},
      {20000000000, "77737706", totp_algorithm::sha256}, {20000000000, "47863826", totp_algorithm::sha512},
  };
  for (const auto& r : rows) {
    const auto& seed = r.algorithm == totp_algorithm::sha1     ? seed_sha1
                       : r.algorithm == totp_algorithm::sha256 ? seed_sha256
                                                               : seed_sha512;
    const totp_params params{r.algorithm, 8, 30};
    CHECK_MESSAGE(totp(seed, r.time, params) == r.code, "time ", r.time);
  }
}

TEST_CASE("the step is floor(time / 30), and 6 digits are the last 6 of 8") {
  CHECK(totp_step(0) == 0);
  CHECK(totp_step(29) == 0);
  CHECK(totp_step(30) == 1);
  CHECK(totp_step(1111111109) == 0x23523EC);  // RFC 6238 Appendix B's T column
  CHECK(totp_step(20000000000) == 0x27BC86AA);
  CHECK(totp(seed_sha1, 59) == "287082");
  CHECK_THROWS(hotp(seed_sha1, 0, 7));
}

TEST_CASE("a code is accepted in its step and one step either side, and nowhere else") {
  const std::int64_t t = 1234567890;
  const auto code = totp(seed_sha1, t);
  CHECK(totp_accept(seed_sha1, code, t, std::nullopt) == totp_step(t));
  CHECK(totp_accept(seed_sha1, code, t + 30, std::nullopt) == totp_step(t));
  CHECK(totp_accept(seed_sha1, code, t - 30, std::nullopt) == totp_step(t));
  CHECK_FALSE(totp_accept(seed_sha1, code, t + 60, std::nullopt));
  CHECK_FALSE(totp_accept(seed_sha1, code, t - 60, std::nullopt));
  CHECK_FALSE(totp_accept(seed_sha256, code, t, std::nullopt));
}

TEST_CASE("a code already used is refused, and so is any code of an earlier step") {
  const std::int64_t t = 1234567890;
  const auto code = totp(seed_sha1, t);
  const auto step = totp_accept(seed_sha1, code, t, std::nullopt);
  REQUIRE(step);
  CHECK_FALSE(totp_accept(seed_sha1, code, t, step));
  CHECK_FALSE(totp_accept(seed_sha1, code, t + 10, step));
  // The previous step's code, still inside the window, is refused too.
  CHECK_FALSE(totp_accept(seed_sha1, totp(seed_sha1, t - 30), t, step));
  // The next step's code is taken.
  CHECK(totp_accept(seed_sha1, totp(seed_sha1, t + 30), t + 30, step) == *step + 1);
}

TEST_CASE("a code of the wrong length or with other characters is refused") {
  const std::int64_t t = 1234567890;
  const auto code = totp(seed_sha1, t);
  CHECK_FALSE(totp_accept(seed_sha1, code + "0", t, std::nullopt));
  CHECK_FALSE(totp_accept(seed_sha1, code.substr(1), t, std::nullopt));
  CHECK_FALSE(totp_accept(seed_sha1, "", t, std::nullopt));
  CHECK_FALSE(totp_accept(seed_sha1, "abcdef", t, std::nullopt));
}

TEST_CASE("base32 follows RFC 4648 section 10 without padding, and reads what people paste") {
  CHECK(base32_encode("") == "");
  CHECK(base32_encode("f") == "MY");
  CHECK(base32_encode("fo") == "MZXQ");
  CHECK(base32_encode("foo") == "MZXW6");
  CHECK(base32_encode("foob") == "MZXW6YQ");
  CHECK(base32_encode("fooba") == "MZXW6YTB");
  CHECK(base32_encode("foobar") == "MZXW6YTBOI");
  CHECK(base32_encode(seed_sha1) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  CHECK(base32_decode("MZXW6YTBOI") == "foobar");
  CHECK(base32_decode("MZXW6YTBOI======") == "foobar");
  CHECK(base32_decode("mzxw 6ytb-oi") == "foobar");
  CHECK_FALSE(base32_decode("MZXW6YTBO1"));  // '1' is not in the alphabet
  CHECK_FALSE(base32_decode("M"));           // one symbol carries no byte
  for (const auto& s : {seed_sha1, seed_sha256, seed_sha512}) CHECK(base32_decode(base32_encode(s)) == s);
}

TEST_CASE("a new secret has the size RFC 4226 and RFC 6238 give each hash") {
  CHECK(new_totp_secret(totp_algorithm::sha1).size() == 20);
  CHECK(new_totp_secret(totp_algorithm::sha256).size() == 32);
  CHECK(new_totp_secret(totp_algorithm::sha512).size() == 64);
  CHECK(new_totp_secret() != new_totp_secret());
}

TEST_CASE("the otpauth URI names the issuer and the deployment and percent-encodes the label") {
  const auto uri = otpauth_uri(seed_sha1, "Comune di Forlì", "m.rossi+press@comune.it");
  CHECK(uri ==
        "otpauth://totp/banditore:Comune%20di%20Forl%C3%AC%20%28m.rossi%2Bpress%40comune.it%29"
        "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=banditore&algorithm=SHA1&digits=6&period=30");
  const auto sha256 = otpauth_uri(seed_sha256, "", "a@b.it", {totp_algorithm::sha256, 8, 30});
  CHECK(sha256.find("otpauth://totp/banditore:a%40b.it?") == 0);
  CHECK(sha256.find("&algorithm=SHA256&digits=8&period=30") != std::string::npos);
}

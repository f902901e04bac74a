#include <banditore/whatsapp/signature.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

using namespace banditore::whatsapp;
using nlohmann::json;

// X-Hub-Signature-256 over real webhook bodies (tests/fixtures/whatsapp).

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BANDITORE_FIXTURES) + "/whatsapp/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("the signature is HMAC-SHA256 in lower-case hex (RFC 4231 case 2)") {
  CHECK(sign_body("what do ya want for nothing?", "Jefe") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("a body signed with the app secret verifies") {
  auto body = fixture("text.json");
  CHECK(verify_signature(body, sign_body(body, "app-secret"), "app-secret") == signature_check::ok);
}

TEST_CASE("a body signed with another secret does not verify") {
  auto body = fixture("text.json");
  CHECK(verify_signature(body, sign_body(body, "other-secret"), "app-secret") ==
        signature_check::mismatch);
}

TEST_CASE("a body changed by one byte after signing does not verify") {
  auto body = fixture("text.json");
  auto header = sign_body(body, "app-secret");
  body[body.size() / 2] ^= 0x01;
  CHECK(verify_signature(body, header, "app-secret") == signature_check::mismatch);
}

TEST_CASE("an absent signature header is missing") {
  CHECK(verify_signature("{}", "", "app-secret") == signature_check::missing);
}

TEST_CASE("a sha1 signature is malformed") {
  CHECK(verify_signature("{}", "sha1=0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33", "app-secret") ==
        signature_check::malformed);
}

TEST_CASE("a signature with a non-hex digit or the wrong length is malformed") {
  auto good = sign_body("{}", "app-secret");
  auto bad_digit = good;
  bad_digit.back() = 'g';
  CHECK(verify_signature("{}", bad_digit, "app-secret") == signature_check::malformed);
  CHECK(verify_signature("{}", good.substr(0, good.size() - 2), "app-secret") ==
        signature_check::malformed);
  CHECK(verify_signature("{}", good + "00", "app-secret") == signature_check::malformed);
  CHECK(verify_signature("{}", "sha256=", "app-secret") == signature_check::malformed);
}

TEST_CASE("a signature in upper-case hex verifies") {
  auto header = sign_body("{}", "app-secret");
  for (auto i = std::string("sha256=").size(); i < header.size(); ++i)
    header[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(header[i])));
  CHECK(verify_signature("{}", header, "app-secret") == signature_check::ok);
}

TEST_CASE("an empty app secret never verifies, even a body signed with it") {
  CHECK(verify_signature("{}", sign_body("{}", ""), "") == signature_check::mismatch);
}

TEST_CASE("the signature covers the raw bytes: the same JSON re-serialised does not verify") {
  const std::string raw =
      R"({"object":"whatsapp_business_account","entry":[{"text":{"body":"è già 🙏"}}]})";
  const auto header = sign_body(raw, "app-secret");
  CHECK(verify_signature(raw, header, "app-secret") == signature_check::ok);

  const auto reserialised = json::parse(raw).dump(-1, ' ', /*ensure_ascii=*/true);
  REQUIRE(json::parse(reserialised) == json::parse(raw));
  CHECK(verify_signature(reserialised, header, "app-secret") == signature_check::mismatch);
}

TEST_CASE("signature outcomes have names for logs") {
  CHECK(to_string(signature_check::mismatch) == "mismatch");
  CHECK(to_string(signature_check::missing) == "missing");
}

#include <banditore/whatsapp/signature.hpp>

#include <banditore/crypto/hash.hpp>

namespace banditore::whatsapp {

namespace {

constexpr std::string_view signature_prefix = "sha256=";

}  // namespace

std::string_view to_string(signature_check check) {
  switch (check) {
    case signature_check::ok: return "ok";
    case signature_check::missing: return "missing";
    case signature_check::malformed: return "malformed";
    case signature_check::mismatch: return "mismatch";
  }
  return "mismatch";
}

signature_check verify_signature(std::string_view raw_body, std::string_view header_value,
                                 std::string_view app_secret) {
  if (header_value.empty()) return signature_check::missing;
  if (!header_value.starts_with(signature_prefix)) return signature_check::malformed;
  const auto claimed = crypto::digest_from_hex(header_value.substr(signature_prefix.size()));
  if (!claimed) return signature_check::malformed;
  // An empty secret would let anyone sign: refuse rather than accept.
  if (app_secret.empty()) return signature_check::mismatch;
  return crypto::constant_time_equal(crypto::hmac_sha256(app_secret, raw_body), *claimed)
             ? signature_check::ok
             : signature_check::mismatch;
}

std::string sign_body(std::string_view raw_body, std::string_view app_secret) {
  return std::string(signature_prefix) + crypto::to_hex(crypto::hmac_sha256(app_secret, raw_body));
}

}  // namespace banditore::whatsapp

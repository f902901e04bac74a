// X-Hub-Signature-256: how a webhook POST proves it comes from Meta. The
// header is "sha256=" + hex HMAC-SHA256 of the raw body, keyed with the app
// secret, built on crypto/hash.
#pragma once

#include <string>
#include <string_view>

namespace banditore::whatsapp {

// The signature covers the bytes as received: verify before parsing, and
// never over a re-serialised body.
enum class signature_check { ok, missing, malformed, mismatch };
std::string_view to_string(signature_check);

signature_check verify_signature(std::string_view raw_body, std::string_view header_value,
                                 std::string_view app_secret);

// The header value ("sha256=<64 lower-case hex>") Meta would send for a body.
std::string sign_body(std::string_view raw_body, std::string_view app_secret);

}  // namespace banditore::whatsapp

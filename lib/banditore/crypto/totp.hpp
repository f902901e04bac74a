// One-time codes of the staff's second factor: HOTP (RFC 4226) and TOTP
// (RFC 6238) with HMAC-SHA-1, -256 or -512 (OpenSSL), the base32 secret
// (RFC 4648) an authenticator app is given, and the otpauth:// URI of its
// QR code (Google Authenticator's "Key Uri Format", which every app reads).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace banditore::crypto {

enum class totp_algorithm { sha1, sha256, sha512 };

struct totp_params {
  totp_algorithm algorithm = totp_algorithm::sha1;  // what every app supports
  int digits = 6;                                   // 6 or 8
  std::int64_t step_seconds = 30;
};

// RFC 4226 section 5.3: HMAC of the counter (8 bytes, big-endian), dynamic
// truncation, modulo 10^digits; the code zero-padded to digits. Throws
// std::invalid_argument for digits other than 6 or 8.
std::string hotp(std::string_view key, std::uint64_t counter, int digits = 6,
                 totp_algorithm algorithm = totp_algorithm::sha1);

// RFC 6238: T = floor(unix_seconds / step), with T0 = 0.
std::int64_t totp_step(std::int64_t unix_seconds, std::int64_t step_seconds = 30);
std::string totp(std::string_view key, std::int64_t unix_seconds, const totp_params& params = {});

// The step a code is accepted at: the current one or one step either side
// (a phone's clock a little off, a code typed as it changed; RFC 6238
// section 5.2), never at or before last_used_step, so a code seen over a
// shoulder or replayed is refused once it has been used. nullopt: refused.
// The comparison is constant-time in the code.
std::optional<std::int64_t> totp_accept(std::string_view key, std::string_view code, std::int64_t unix_seconds,
                                        std::optional<std::int64_t> last_used_step, const totp_params& params = {});

// RFC 4648 section 6 base32, upper case, without '=' padding (as the Key
// Uri Format wants it).
std::string base32_encode(std::string_view bytes);
// Accepts upper and lower case, spaces and dashes (people copy secrets in
// groups) and trailing padding; nullopt for any other character or a
// length no encoding has.
std::optional<std::string> base32_decode(std::string_view text);

// A new TOTP secret: 20 random bytes for SHA-1 (the HMAC's block-size
// recommendation of RFC 4226 section 4 is at least 16, 20 recommended),
// 32 for SHA-256, 64 for SHA-512.
std::string new_totp_secret(totp_algorithm algorithm = totp_algorithm::sha1);

// otpauth://totp/ISSUER:LABEL?secret=..&issuer=..&algorithm=..&digits=..&period=..
// The label is "<deployment> (<email>)", percent-encoded (RFC 3986
// unreserved characters only kept), so a staff member with accounts on two
// towns' services tells them apart in the app; the issuer is "banditore".
std::string otpauth_uri(std::string_view secret, std::string_view deployment, std::string_view email,
                        const totp_params& params = {});

inline constexpr std::string_view totp_issuer = "banditore";

}  // namespace banditore::crypto

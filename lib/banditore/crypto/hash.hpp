// Hashing and the small primitives around it: SHA-256, HMAC-SHA256 (phone
// number lookup hashes, the X-Hub-Signature-256 of Meta's webhooks), hex,
// comparison of secrets in constant time, and random bytes. OpenSSL 3 EVP.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace banditore::crypto {

using digest = std::array<std::uint8_t, 32>;

digest sha256(std::string_view data);

// SHA-1 as 40 lowercase hex digits. Only where a format names it (a CAP
// resource's <digest>, CAP 1.2 3.2.3): never for anything secret.
std::string sha1_hex(std::string_view data);

digest hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);
// For textual secrets such as Meta's app secret, used as its bytes.
digest hmac_sha256(std::string_view key, std::string_view data);

// Lowercase hex, two characters a byte.
std::string to_hex(std::span<const std::uint8_t> bytes);
std::string to_hex(std::string_view bytes);
// Accepts upper and lower case; nullopt on odd length or a non-hex character.
std::optional<std::string> from_hex(std::string_view hex);
// A digest written as 64 hex digits, in either case (a signature header's
// value); nullopt for any other text.
std::optional<digest> digest_from_hex(std::string_view hex);

// Compares secrets (signatures, tokens) without leaking through timing where
// they first differ. Lengths are not secret: different lengths are unequal
// at once, equal lengths are always compared in full.
bool constant_time_equal(std::string_view a, std::string_view b);
bool constant_time_equal(const digest& a, const digest& b);

// n bytes from OpenSSL's CSPRNG. Throws std::runtime_error if it fails: a
// missing entropy source is not something to carry on without.
std::string random_bytes(std::size_t n);

}  // namespace banditore::crypto

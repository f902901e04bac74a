// Staff passwords, hashed with Argon2id by libsodium (Debian's
// libsodium-dev). The stored text is libsodium's "$argon2id$v=19$m=..,t=..,p=1$..."
// string, which carries its salt and its cost, so a later change of cost
// still verifies old hashes and tells which ones to hash again at login.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace banditore::crypto {

// Initialises libsodium once per process (thread-safe; later calls do
// nothing). Throws std::runtime_error if it cannot (no entropy source).
void sodium_ready();

struct password_cost {
  unsigned long long ops = 0;  // Argon2 passes over the memory
  std::size_t memory = 0;      // bytes
};

// libsodium's "interactive" class: 2 passes over 64 MiB, one lane
// (libsodium's Argon2id always uses one). It is above OWASP's minimum for
// Argon2id (19 MiB, 2 passes); one hash costs about 80 ms of one core of
// this project's 2-core test machine (bench/password_hash,
// docs/operations.md): slow for a guesser with a stolen database, quick
// enough for a person logging in. On 2 cores, two logins hash at once at 128 MiB; the
// login throttle keeps a crowd of guesses from hashing at all.
password_cost interactive_password_cost();
// The least libsodium accepts (1 pass, 8 KiB): for tests only, where a
// hash should take microseconds.
password_cost minimum_password_cost();

// At most this many bytes of password are accepted anywhere: Argon2 reads
// any length, but a request body of megabytes must not become a hash.
inline constexpr std::size_t max_password_bytes = 1024;

// A fresh salt every time. Throws std::invalid_argument for a password
// longer than max_password_bytes, std::runtime_error if libsodium fails
// (out of memory).
std::string hash_password(std::string_view password, password_cost cost = interactive_password_cost());

// Whether password is the one stored_hash was made from. False, never an
// exception, for a malformed or foreign stored hash.
bool verify_password(std::string_view stored_hash, std::string_view password);

// Whether stored_hash was made with another cost than cost (or is not an
// Argon2id hash at all): after a successful login it is hashed again.
bool password_needs_rehash(std::string_view stored_hash, password_cost cost = interactive_password_cost());

// n bytes from libsodium's CSPRNG (randombytes_buf), for session tokens.
std::string sodium_random_bytes(std::size_t n);

// A temporary password for a new or reset staff account: 16 base32
// symbols (80 bits) in groups of four, like a recovery code: easy to read
// out over the phone, and no list of common passwords holds it.
std::string temporary_password();

// RFC 4648 section 5 base64url without padding: a token that fits a cookie
// and a URL unescaped.
std::string base64url(std::string_view bytes);

}  // namespace banditore::crypto

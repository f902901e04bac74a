// The data keys of a deployment: one encrypts phone numbers at rest, the
// other keys the HMAC by which a number is found without decrypting. They
// live in a key file created on first run (mode 0600) or in configuration.
// While the encryption key is being rotated, the keys it replaces stay
// beside it as retired keys: they still open old ciphertexts, never seal.
#pragma once

#include <banditore/crypto/keys.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::crypto {

struct data_keys {
  key encryption{};  // AES-256-GCM of phone numbers: seals, and opens first
  key lookup{};      // HMAC-SHA256 of normalised phone numbers
  std::vector<key> retired{};  // earlier encryption keys: open only, newest first
};

// Two fresh independent random keys.
data_keys generate_data_keys();

// The keys a rotation moves to: a fresh encryption key (never the lookup
// key), the current one retired ahead of any older ones, the lookup key
// unchanged.
data_keys with_new_encryption_key(const data_keys& keys);

// The key file text:
//   # comments
//   encryption=<64 hex>
//   retired=<64 hex>     (zero or more, while a rotation is under way)
//   lookup=<64 hex>
std::string format_key_file(const data_keys& keys);

// Parses the key file text. Entries are separated by newlines; spaces, tabs
// and ';' also separate them, so both keys fit one environment variable.
// Throws std::runtime_error on a missing, repeated, unknown or malformed
// entry, or a key given in two roles; the message names the problem and
// line, never the key material.
data_keys parse_key_file(std::string_view text);

// Keys given by configuration (an environment variable or its *_FILE): the
// same text format, errors worded for configuration.
data_keys parse_key_material(std::string_view text);

// Reads the key file at path, or creates it if it does not exist (parent
// directories too) and sets created. Refuses, with std::runtime_error, a
// file open to group or others, and an empty or damaged file: an existing
// key file is never replaced, since the data it protects would be lost.
data_keys load_or_create_key_file(const std::filesystem::path& path, bool& created);

// Reads an existing key file (same checks as load_or_create_key_file, but
// a missing file is an error: it is never created here).
data_keys read_key_file(const std::filesystem::path& path);

// Replaces the existing key file at path with keys, atomically: a new file
// (mode 0600, the old file's owner) in the same directory, synced, then
// renamed over the old one, so a crash leaves either the old file or the
// new one, never a mix.
void replace_key_file(const std::filesystem::path& path, const data_keys& keys);

// A non-secret check value of the current keys (32 hex characters: 16 for
// the encryption key, then 16 for the lookup key). The store saves it on
// first run; a different value later means the wrong keys for the data.
std::string key_fingerprint(const data_keys& keys);

// Whether fingerprint is that of these keys, either as they are or with one
// of the retired keys as the encryption key: the database may still name
// the key a rotation is replacing (the file was replaced, the database not
// yet told).
bool answers_to(const data_keys& keys, std::string_view fingerprint);

// Seals a phone number (E.164 digits) under the current encryption key; the
// phone hash is the aad, so a ciphertext only opens in its own row.
std::string seal_phone(const data_keys& keys, std::string_view e164_digits, std::string_view phone_hash);

// Opens a sealed phone number with the current key, then each retired key.
// nullopt when none of them opens it.
std::optional<std::string> open_phone(const data_keys& keys, std::string_view sealed,
                                      std::string_view phone_hash);

// HMAC-SHA256(lookup, digits) as 32 raw bytes (an SQLite BLOB). The caller
// passes the normalised E.164 digits, so one number has one hash.
std::string phone_hash(const data_keys& keys, std::string_view e164_digits);

// The first 8 hex characters of a phone hash: what log lines show instead of
// a number. Without the lookup key it cannot be turned back into one.
std::string phone_tag(std::string_view phone_hash_bytes);

}  // namespace banditore::crypto

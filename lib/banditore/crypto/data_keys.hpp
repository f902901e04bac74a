// The data keys of a deployment: one encrypts phone numbers at rest, the
// other keys the HMAC by which a number is found without decrypting. They
// live in a key file created on first run (mode 0600) or in configuration.
#pragma once

#include <banditore/crypto/keys.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace banditore::crypto {

struct data_keys {
  key encryption{};  // AES-256-GCM of phone numbers
  key lookup{};      // HMAC-SHA256 of normalised phone numbers
};

// Two fresh independent random keys.
data_keys generate_data_keys();

// The key file text:
//   # comments
//   encryption=<64 hex>
//   lookup=<64 hex>
std::string format_key_file(const data_keys& keys);

// Parses the key file text. Entries are separated by newlines; spaces, tabs
// and ';' also separate them, so both keys fit one environment variable.
// Throws std::runtime_error on a missing, repeated, unknown or malformed
// entry; the message names the problem and line, never the key material.
data_keys parse_key_file(std::string_view text);

// Keys given by configuration (an environment variable or its *_FILE): the
// same text format, errors worded for configuration.
data_keys parse_key_material(std::string_view text);

// Reads the key file at path, or creates it if it does not exist (parent
// directories too) and sets created. Refuses, with std::runtime_error, a
// file open to group or others, and an empty or damaged file: an existing
// key file is never replaced, since the data it protects would be lost.
data_keys load_or_create_key_file(const std::filesystem::path& path, bool& created);

// A non-secret check value of both keys (32 hex characters: 16 for the
// encryption key, then 16 for the lookup key). The store saves it on first
// run; a different value later means the wrong keys for the existing data.
std::string key_fingerprint(const data_keys& keys);

// HMAC-SHA256(lookup, digits) as 32 raw bytes (an SQLite BLOB). The caller
// passes the normalised E.164 digits, so one number has one hash.
std::string phone_hash(const data_keys& keys, std::string_view e164_digits);

// The first 8 hex characters of a phone hash: what log lines show instead of
// a number. Without the lookup key it cannot be turned back into one.
std::string phone_tag(std::string_view phone_hash_bytes);

}  // namespace banditore::crypto

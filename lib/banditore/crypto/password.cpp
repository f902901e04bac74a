#include <banditore/crypto/password.hpp>

#include <banditore/crypto/recovery_codes.hpp>

#include <sodium.h>

#include <mutex>
#include <stdexcept>
#include <vector>

namespace banditore::crypto {

void sodium_ready() {
  static std::once_flag once;
  std::call_once(once, [] {
    // 0: initialised now, 1: already initialised (by another library).
    if (sodium_init() < 0) throw std::runtime_error("libsodium: sodium_init failed");
  });
}

password_cost interactive_password_cost() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

password_cost minimum_password_cost() {
  // libsodium refuses fewer than 3 passes for Argon2i but accepts 1 for
  // Argon2id (crypto_pwhash_argon2id_OPSLIMIT_MIN).
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

std::string hash_password(std::string_view password, password_cost cost) {
  if (password.size() > max_password_bytes)
    throw std::invalid_argument("a password has at most " + std::to_string(max_password_bytes) + " bytes");
  sodium_ready();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.memory,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("libsodium: crypto_pwhash_str failed (out of memory?)");
  return std::string(out);
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  if (password.size() > max_password_bytes) return false;
  // libsodium reads a NUL-terminated string of at most STRBYTES - 1.
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  if (stored_hash.find('\0') != std::string_view::npos) return false;
  if (!stored_hash.starts_with(crypto_pwhash_argon2id_STRPREFIX)) return false;
  sodium_ready();
  const std::string terminated(stored_hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view stored_hash, password_cost cost) {
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return true;
  if (!stored_hash.starts_with(crypto_pwhash_argon2id_STRPREFIX)) return true;
  sodium_ready();
  const std::string terminated(stored_hash);
  // 1: other parameters, -1: not a hash libsodium can read.
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), cost.ops, cost.memory) != 0;
}

std::string sodium_random_bytes(std::size_t n) {
  sodium_ready();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string base64url(std::string_view bytes) {
  sodium_ready();
  const auto size = sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::vector<char> out(size);
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(out.data());
}

std::string temporary_password() { return new_recovery_codes(1).front(); }

}  // namespace banditore::crypto

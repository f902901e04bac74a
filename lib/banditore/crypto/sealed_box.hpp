// Authenticated encryption of small secrets at rest (phone numbers): AES-256-GCM
// with a fresh random nonce per message. Sealed form:
//   version (0x01) || nonce (12 bytes) || ciphertext || tag (16 bytes)
#pragma once

#include <banditore/crypto/keys.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace banditore::crypto {

class sealed_box {
 public:
  explicit sealed_box(const key& k);
  ~sealed_box();
  sealed_box(const sealed_box&) = default;
  sealed_box& operator=(const sealed_box&) = default;

  // The aad (e.g. a row's purpose) is authenticated but not stored: open must
  // be given the same aad. Throws only if OpenSSL itself fails.
  std::string seal(std::string_view plaintext, std::string_view aad = {}) const;

  // nullopt for anything that is not a box this key sealed with this aad:
  // wrong version, truncated, altered anywhere, wrong key, wrong aad.
  std::optional<std::string> open(std::string_view sealed, std::string_view aad = {}) const;

  static constexpr std::size_t nonce_size = 12;
  static constexpr std::size_t tag_size = 16;
  static constexpr std::size_t overhead = 1 + nonce_size + tag_size;

 private:
  key key_;
};

}  // namespace banditore::crypto

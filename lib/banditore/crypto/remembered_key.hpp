// The key a thread's OpenSSL context was last set up with, so the next call
// with the same key can skip the setup (see hash.cpp and sealed_box.cpp).
// Compared in constant time; wiped when replaced and when the thread ends.
#pragma once

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace banditore::crypto {

class remembered_key {
 public:
  remembered_key() = default;
  remembered_key(const remembered_key&) = delete;
  remembered_key& operator=(const remembered_key&) = delete;
  ~remembered_key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

  bool holds(const std::uint8_t* key, std::size_t size) const {
    return set_ && size == size_ && CRYPTO_memcmp(bytes_.data(), key, size) == 0;
  }
  // Before the context is set up with another key: if the setup fails,
  // nothing is remembered.
  void forget() { set_ = false; }
  // After the setup succeeded. A key longer than 64 bytes is not kept, so
  // it is set up every time.
  void remember(const std::uint8_t* key, std::size_t size) {
    if (size > bytes_.size()) return;
    OPENSSL_cleanse(bytes_.data(), bytes_.size());
    std::copy(key, key + size, bytes_.begin());
    size_ = size;
    set_ = true;
  }

 private:
  std::array<std::uint8_t, 64> bytes_{};
  std::size_t size_ = 0;
  bool set_ = false;
};

}  // namespace banditore::crypto

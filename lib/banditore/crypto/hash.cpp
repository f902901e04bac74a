#include <banditore/crypto/hash.hpp>

#include <banditore/crypto/remembered_key.hpp>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <stdexcept>

namespace banditore::crypto {

namespace {

struct mac_deleter {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct mac_ctx_deleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

[[noreturn]] void fail(const char* what) {
  ERR_clear_error();
  throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

// Fetched once: a fetch takes a lock in the library context, and HMAC runs
// for every webhook and every phone number lookup.
EVP_MAC* hmac_algorithm() {
  static const std::unique_ptr<EVP_MAC, mac_deleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) fail("fetching HMAC");
  return mac.get();
}

// A thread's HMAC context keeps the last key it was given: setting a key
// (fetching the digest, hashing the padded key twice) cost more than the
// MAC of a short message, and a thread mostly uses one key (the database
// thread hashes every send's message id with the lookup key). The key stays
// inside the context until another key replaces it or the thread ends, as
// it stays in the process's own key structures.
struct keyed_mac {
  std::unique_ptr<EVP_MAC_CTX, mac_ctx_deleter> ctx;
  remembered_key last_key;
};

digest hmac(const std::uint8_t* key, std::size_t key_size, std::string_view data) {
  thread_local keyed_mac cached;
  if (!cached.ctx) {
    cached.ctx.reset(EVP_MAC_CTX_new(hmac_algorithm()));
    if (!cached.ctx) fail("EVP_MAC_CTX_new");
  }
  EVP_MAC_CTX* ctx = cached.ctx.get();
  if (cached.last_key.holds(key, key_size)) {
    // A null key restarts the MAC with the key already set.
    if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1) fail("EVP_MAC_init");
  } else {
    cached.last_key.forget();
    char sha256_name[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, sha256_name, 0),
        OSSL_PARAM_construct_end()};
    // An empty key is still a key: pass a valid pointer, since a null one
    // means "keep the previous key" to EVP_MAC_init.
    static const std::uint8_t no_key = 0;
    if (EVP_MAC_init(ctx, key_size ? key : &no_key, key_size, params) != 1) fail("EVP_MAC_init");
    cached.last_key.remember(key, key_size);  // longer keys (only tests use them): set every time
  }
  if (!data.empty() &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    fail("EVP_MAC_update");
  digest out{};
  std::size_t out_size = 0;
  if (EVP_MAC_final(ctx, out.data(), &out_size, out.size()) != 1 || out_size != out.size())
    fail("EVP_MAC_final");
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

digest sha256(std::string_view data) {
  digest out{};
  unsigned int out_size = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &out_size, EVP_sha256(), nullptr) != 1 ||
      out_size != out.size())
    fail("EVP_Digest");
  return out;
}

std::string sha1_hex(std::string_view data) {
  std::array<std::uint8_t, 20> out{};
  unsigned int out_size = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &out_size, EVP_sha1(), nullptr) != 1 ||
      out_size != out.size())
    fail("EVP_Digest");
  return to_hex(std::span<const std::uint8_t>(out));
}

digest hmac_sha256(std::span<const std::uint8_t> key, std::string_view data) {
  return hmac(key.data(), key.size(), data);
}

digest hmac_sha256(std::string_view key, std::string_view data) {
  return hmac(reinterpret_cast<const std::uint8_t*>(key.data()), key.size(), data);
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  return to_hex(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]);
    int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

std::optional<digest> digest_from_hex(std::string_view hex) {
  digest out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool constant_time_equal(const digest& a, const digest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  // RAND_bytes takes an int length: fill in chunks so any size works.
  std::size_t done = 0;
  while (done < n) {
    int chunk = static_cast<int>(std::min<std::size_t>(n - done, INT_MAX));
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done), chunk) != 1)
      fail("RAND_bytes");
    done += static_cast<std::size_t>(chunk);
  }
  return out;
}

}  // namespace banditore::crypto

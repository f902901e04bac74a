#include <banditore/crypto/sealed_box.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/crypto/remembered_key.hpp>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <stdexcept>

namespace banditore::crypto {

namespace {

constexpr char version_1 = 0x01;
// Far above any phone number; keeps every length inside OpenSSL's int.
constexpr std::size_t max_size = std::size_t(1) << 30;

struct cipher_ctx_deleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;

[[noreturn]] void fail(const char* what) {
  ERR_clear_error();
  throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

// A thread's AES-GCM contexts (one to seal, one to open) keep the last key
// they were given: expanding the key and its GHASH table cost more than
// opening a phone number, which every send does. A box then only sets its
// nonce. The key stays inside the context until another replaces it or the
// thread ends, as it stays in the process's own key structures.
struct keyed_cipher {
  cipher_ctx ctx;
  remembered_key last_key;
};

// The thread's context for this direction, keyed with k and given the nonce.
EVP_CIPHER_CTX* ready_ctx(bool encrypt, const key& k, const unsigned char* nonce) {
  thread_local keyed_cipher sealing, opening;
  auto& c = encrypt ? sealing : opening;
  if (!c.ctx) {
    c.ctx.reset(EVP_CIPHER_CTX_new());
    if (!c.ctx) fail("EVP_CIPHER_CTX_new");
  }
  const bool same_key = c.last_key.holds(k.data(), k.size());
  if (!same_key) c.last_key.forget();
  if (EVP_CipherInit_ex(c.ctx.get(), same_key ? nullptr : EVP_aes_256_gcm(), nullptr, same_key ? nullptr : k.data(),
                        nonce, encrypt ? 1 : 0) != 1)
    fail("EVP_CipherInit_ex");
  if (!same_key) c.last_key.remember(k.data(), k.size());
  return c.ctx.get();
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The version byte is authenticated ahead of the caller's aad (GCM takes
// the aad in parts), so a future format cannot be passed off as this one.
void add_aad(EVP_CIPHER_CTX* ctx, std::string_view aad) {
  static const unsigned char version = version_1;
  int len = 0;
  if (EVP_CipherUpdate(ctx, nullptr, &len, &version, 1) != 1) fail("EVP_CipherUpdate (version)");
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1)
    fail("EVP_CipherUpdate (aad)");
}

}  // namespace

sealed_box::sealed_box(const key& k) : key_(k) {}

sealed_box::~sealed_box() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string sealed_box::seal(std::string_view plaintext, std::string_view aad) const {
  if (plaintext.size() > max_size || aad.size() > max_size)
    throw std::length_error("sealed_box: input too large");
  const std::string nonce = random_bytes(nonce_size);

  std::string out;
  out.resize(1 + nonce_size + plaintext.size() + tag_size);
  out[0] = version_1;
  out.replace(1, nonce_size, nonce);
  auto* body = reinterpret_cast<unsigned char*>(out.data() + 1 + nonce_size);

  auto* ctx = ready_ctx(true, key_, bytes(nonce));
  int len = 0;
  add_aad(ctx, aad);
  int written = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx, body, &len, bytes(plaintext),
                          static_cast<int>(plaintext.size())) != 1)
      fail("EVP_EncryptUpdate");
    written = len;
  }
  if (EVP_EncryptFinal_ex(ctx, body + written, &len) != 1) fail("EVP_EncryptFinal_ex");
  written += len;
  if (static_cast<std::size_t>(written) != plaintext.size()) fail("AES-GCM length check");
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size),
                          body + written) != 1)
    fail("EVP_CTRL_GCM_GET_TAG");
  return out;
}

std::optional<std::string> sealed_box::open(std::string_view sealed, std::string_view aad) const {
  if (sealed.size() < overhead || sealed.size() - overhead > max_size || aad.size() > max_size)
    return std::nullopt;
  if (sealed[0] != version_1) return std::nullopt;
  const auto nonce = sealed.substr(1, nonce_size);
  const auto ciphertext = sealed.substr(1 + nonce_size, sealed.size() - overhead);
  // GCM_SET_TAG takes a non-const pointer; it only reads from it.
  std::array<unsigned char, tag_size> tag;
  std::copy_n(sealed.end() - tag_size, tag_size, tag.begin());

  std::string plain(ciphertext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  auto* ctx = ready_ctx(false, key_, bytes(nonce));
  int len = 0;
  add_aad(ctx, aad);
  int written = 0;
  if (!ciphertext.empty()) {
    if (EVP_DecryptUpdate(ctx, out, &len, bytes(ciphertext),
                          static_cast<int>(ciphertext.size())) != 1)
      fail("EVP_DecryptUpdate");
    written = len;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_size),
                          tag.data()) != 1)
    fail("EVP_CTRL_GCM_SET_TAG");
  if (EVP_DecryptFinal_ex(ctx, out + written, &len) != 1) {
    // Unauthenticated plaintext is still derived from a real number: wipe it.
    OPENSSL_cleanse(plain.data(), plain.size());
    ERR_clear_error();
    return std::nullopt;
  }
  return plain;
}

}  // namespace banditore::crypto

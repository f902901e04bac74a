#include <banditore/crypto/sealed_box.hpp>

#include <banditore/crypto/hash.hpp>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

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

cipher_ctx new_ctx() {
  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) fail("EVP_CIPHER_CTX_new");
  return ctx;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The version byte is authenticated with the caller's aad, so a future
// format cannot be passed off as this one.
std::string full_aad(std::string_view aad) {
  std::string out(1, version_1);
  out.append(aad);
  return out;
}

}  // namespace

sealed_box::sealed_box(const key& k) : key_(k) {}

sealed_box::~sealed_box() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string sealed_box::seal(std::string_view plaintext, std::string_view aad) const {
  if (plaintext.size() > max_size || aad.size() > max_size)
    throw std::length_error("sealed_box: input too large");
  const std::string nonce = random_bytes(nonce_size);
  const std::string header_aad = full_aad(aad);

  std::string out;
  out.resize(1 + nonce_size + plaintext.size() + tag_size);
  out[0] = version_1;
  out.replace(1, nonce_size, nonce);
  auto* body = reinterpret_cast<unsigned char*>(out.data() + 1 + nonce_size);

  auto ctx = new_ctx();
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes(nonce)) != 1)
    fail("EVP_EncryptInit_ex");
  if (EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(header_aad),
                        static_cast<int>(header_aad.size())) != 1)
    fail("EVP_EncryptUpdate (aad)");
  int written = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), body, &len, bytes(plaintext),
                          static_cast<int>(plaintext.size())) != 1)
      fail("EVP_EncryptUpdate");
    written = len;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), body + written, &len) != 1) fail("EVP_EncryptFinal_ex");
  written += len;
  if (static_cast<std::size_t>(written) != plaintext.size()) fail("AES-GCM length check");
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size),
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
  std::string tag(sealed.substr(sealed.size() - tag_size));
  const std::string header_aad = full_aad(aad);

  std::string plain(ciphertext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  auto ctx = new_ctx();
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes(nonce)) != 1)
    fail("EVP_DecryptInit_ex");
  if (EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(header_aad),
                        static_cast<int>(header_aad.size())) != 1)
    fail("EVP_DecryptUpdate (aad)");
  int written = 0;
  if (!ciphertext.empty()) {
    if (EVP_DecryptUpdate(ctx.get(), out, &len, bytes(ciphertext),
                          static_cast<int>(ciphertext.size())) != 1)
      fail("EVP_DecryptUpdate");
    written = len;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_size),
                          tag.data()) != 1)
    fail("EVP_CTRL_GCM_SET_TAG");
  if (EVP_DecryptFinal_ex(ctx.get(), out + written, &len) != 1) {
    // Unauthenticated plaintext is still derived from a real number: wipe it.
    OPENSSL_cleanse(plain.data(), plain.size());
    ERR_clear_error();
    return std::nullopt;
  }
  return plain;
}

}  // namespace banditore::crypto

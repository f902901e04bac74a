#include <banditore/crypto/totp.hpp>

#include <banditore/crypto/hash.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

namespace banditore::crypto {

namespace {

const EVP_MD* digest_of(totp_algorithm a) {
  switch (a) {
    case totp_algorithm::sha1: return EVP_sha1();
    case totp_algorithm::sha256: return EVP_sha256();
    case totp_algorithm::sha512: return EVP_sha512();
  }
  return EVP_sha1();
}

std::string_view name_of(totp_algorithm a) {
  switch (a) {
    case totp_algorithm::sha1: return "SHA1";
    case totp_algorithm::sha256: return "SHA256";
    case totp_algorithm::sha512: return "SHA512";
  }
  return "SHA1";
}

constexpr std::string_view base32_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string percent_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 0xf]);
    }
  }
  return out;
}

}  // namespace

std::string hotp(std::string_view key, std::uint64_t counter, int digits, totp_algorithm algorithm) {
  if (digits != 6 && digits != 8) throw std::invalid_argument("a one-time code has 6 or 8 digits");
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  if (!HMAC(digest_of(algorithm), key.data(), static_cast<int>(key.size()), message.data(), message.size(),
            mac.data(), &mac_size))
    throw std::runtime_error("OpenSSL: HMAC failed");
  // Dynamic truncation: the low 4 bits of the last byte say where the 31
  // bits of the code start.
  const unsigned offset = mac[mac_size - 1] & 0x0f;
  const std::uint32_t binary = (std::uint32_t(mac[offset] & 0x7f) << 24) | (std::uint32_t(mac[offset + 1]) << 16) |
                               (std::uint32_t(mac[offset + 2]) << 8) | std::uint32_t(mac[offset + 3]);
  OPENSSL_cleanse(mac.data(), mac.size());
  const std::uint32_t modulus = digits == 6 ? 1'000'000u : 100'000'000u;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::int64_t totp_step(std::int64_t unix_seconds, std::int64_t step_seconds) {
  if (step_seconds <= 0) throw std::invalid_argument("a TOTP step is a positive number of seconds");
  // Floor, also for a time before 1970 (never met, but not wrong).
  auto q = unix_seconds / step_seconds;
  if (unix_seconds % step_seconds < 0) --q;
  return q;
}

std::string totp(std::string_view key, std::int64_t unix_seconds, const totp_params& params) {
  return hotp(key, static_cast<std::uint64_t>(totp_step(unix_seconds, params.step_seconds)), params.digits,
              params.algorithm);
}

std::optional<std::int64_t> totp_accept(std::string_view key, std::string_view code, std::int64_t unix_seconds,
                                        std::optional<std::int64_t> last_used_step, const totp_params& params) {
  if (code.size() != static_cast<std::size_t>(params.digits)) return std::nullopt;
  const auto now = totp_step(unix_seconds, params.step_seconds);
  std::optional<std::int64_t> accepted;
  // Every candidate is computed and compared, so the time taken does not
  // tell which step (if any) matched.
  for (std::int64_t step = now - 1; step <= now + 1; ++step) {
    if (step < 0) continue;
    const auto expected = hotp(key, static_cast<std::uint64_t>(step), params.digits, params.algorithm);
    if (constant_time_equal(expected, code) && !accepted) accepted = step;
  }
  if (accepted && last_used_step && *accepted <= *last_used_step) return std::nullopt;
  return accepted;
}

std::string base32_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 5) {
      out.push_back(base32_alphabet[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(base32_alphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t symbols = 0;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    const auto at = base32_alphabet.find(c);
    if (at == std::string_view::npos) return std::nullopt;
    ++symbols;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(at);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  // 8 symbols carry 5 bytes; a final group of 1, 3 or 6 symbols is no
  // encoding's end (RFC 4648 section 6).
  const auto tail = symbols % 8;
  if (tail == 1 || tail == 3 || tail == 6) return std::nullopt;
  return out;
}

std::string new_totp_secret(totp_algorithm algorithm) {
  switch (algorithm) {
    case totp_algorithm::sha1: return random_bytes(20);
    case totp_algorithm::sha256: return random_bytes(32);
    case totp_algorithm::sha512: return random_bytes(64);
  }
  return random_bytes(20);
}

std::string otpauth_uri(std::string_view secret, std::string_view deployment, std::string_view email,
                        const totp_params& params) {
  std::string label = std::string(deployment);
  label += label.empty() ? std::string(email) : " (" + std::string(email) + ")";
  std::string uri = "otpauth://totp/";
  uri += percent_encode(totp_issuer);
  uri += ':';
  uri += percent_encode(label);
  uri += "?secret=" + base32_encode(secret);
  uri += "&issuer=" + percent_encode(totp_issuer);
  uri += "&algorithm=" + std::string(name_of(params.algorithm));
  uri += "&digits=" + std::to_string(params.digits);
  uri += "&period=" + std::to_string(params.step_seconds);
  return uri;
}

}  // namespace banditore::crypto

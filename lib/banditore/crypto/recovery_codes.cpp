#include <banditore/crypto/recovery_codes.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/crypto/totp.hpp>

namespace banditore::crypto {

namespace {

constexpr std::size_t symbols = 16;  // 80 bits

}  // namespace

std::vector<std::string> new_recovery_codes(std::size_t n) {
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    // 10 random bytes are exactly 16 base32 symbols.
    std::string raw = base32_encode(random_bytes(10));
    std::string code;
    for (std::size_t j = 0; j < raw.size(); ++j) {
      if (j > 0 && j % 4 == 0) code.push_back('-');
      const char c = raw[j];
      code.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    out.push_back(std::move(code));
  }
  return out;
}

std::optional<std::string> recovery_code_hash(std::string_view typed) {
  std::string canonical;
  for (char c : typed) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool in_alphabet = (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
    if (!in_alphabet || canonical.size() == symbols) return std::nullopt;
    canonical.push_back(c);
  }
  if (canonical.size() != symbols) return std::nullopt;
  const auto d = sha256(canonical);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace banditore::crypto

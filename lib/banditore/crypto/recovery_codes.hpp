// One-time recovery codes of the second factor: shown once when TOTP is
// enrolled, for the day the phone is lost. Each has 80 random bits, so a
// plain SHA-256 is enough to store it (as for API tokens: nobody can try
// 2^80 codes against a stolen hash), and each works once.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::crypto {

inline constexpr std::size_t recovery_code_count = 10;

// n codes of 16 base32 symbols, lower case, in groups of four:
// "k7dq-m2xa-p4tn-b6vw".
std::vector<std::string> new_recovery_codes(std::size_t n = recovery_code_count);

// SHA-256 (32 raw bytes) of the code as typed, once case, spaces and
// dashes are set aside; nullopt for text that cannot be a code, which is
// then refused without asking the store.
std::optional<std::string> recovery_code_hash(std::string_view typed);

}  // namespace banditore::crypto

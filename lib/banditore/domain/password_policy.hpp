// Which passwords a staff account may have: at least 12 characters, none
// of the passwords people choose most (Italian ones included: squads,
// names, "tiamo"), and not the account's own email name. Case does not
// help: "JUVENTUS2024!" is "juventus". The messages are the console's, in
// Italian.
#pragma once

#include <string>
#include <string_view>

namespace banditore::domain {

inline constexpr std::size_t min_password_characters = 12;
// The same bound as crypto::max_password_bytes (what is ever hashed): a
// passphrase fits, a pasted file does not.
inline constexpr std::size_t max_password_bytes = 1024;

enum class password_problem { none, too_short, too_long, not_utf8, common, contains_email };

struct password_verdict {
  password_problem problem = password_problem::none;
  std::string message;  // Italian, for the person choosing; empty when accepted
  bool ok() const { return problem == password_problem::none; }
};

// email: the account's, whose local part ("m.rossi" of m.rossi@comune.it)
// must not appear in the password; empty to skip that rule.
password_verdict check_password(std::string_view password, std::string_view email);

// Whether text, ignoring case, is on the embedded list of common passwords
// or is one of them with digits, spaces and punctuation around or inside
// it ("Forza Napoli 1926!"), or one of them repeated.
bool is_common_password(std::string_view text);

}  // namespace banditore::domain

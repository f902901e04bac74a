// What a browser or a person sends the staff login and console: the Cookie
// header (the session token), the email and password typed, a TOTP or
// recovery code, a base32 secret pasted back, a time typed in a form. None may crash or throw, and
// each reading must be stable: what is accepted reads the same again.
#include "check.hpp"

#include <banditore/app/console_session.hpp>
#include <banditore/crypto/recovery_codes.hpp>
#include <banditore/crypto/totp.hpp>
#include <banditore/domain/local_time.hpp>
#include <banditore/domain/password_policy.hpp>
#include <banditore/domain/utf8.hpp>
#include <banditore/store/staff.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto text = fuzz::bytes(data, size);

  if (const auto token = app::session_token_from_cookies(text)) {
    require(token->find(';') == std::string::npos, "a cookie value never holds the separator");
    require(token->size() <= text.size(), "a cookie value is part of the header");
  }

  if (const auto decoded = crypto::base32_decode(text)) {
    require(decoded->size() * 8 <= text.size() * 5, "base32 carries 5 bits a symbol");
    require(crypto::base32_decode(crypto::base32_encode(*decoded)) == decoded, "base32 reads back what it wrote");
  }

  if (const auto h = crypto::recovery_code_hash(text)) {
    require(h->size() == 32, "a recovery code's hash is a SHA-256");
    std::string upper(text);
    for (auto& c : upper)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    require(crypto::recovery_code_hash(upper) == h, "a recovery code hashes alike in either case");
  }

  if (const auto email = store::normalise_staff_email(text)) {
    require(store::normalise_staff_email(*email) == email, "a normalised email normalises to itself");
    require(std::count(email->begin(), email->end(), '@') == 1, "an email has one @");
    require(std::none_of(email->begin(), email->end(), [](char c) { return c >= 'A' && c <= 'Z'; }),
            "an email is stored in lower case");
    require(email->size() <= store::max_staff_email_length, "an email is at most 254 bytes");
  }

  const auto verdict = domain::check_password(text, "m.rossi@comune.it");
  require(verdict.ok() == verdict.message.empty(), "a refusal always says why, an acceptance says nothing");
  if (verdict.ok()) {
    const auto n = domain::utf8::count_code_points(text);
    require(n && *n >= domain::min_password_characters, "an accepted password has at least 12 characters");
  }

  // A code accepted at some time is the code of the step it was accepted at.
  static const std::string secret = "12345678901234567890";
  const std::int64_t now = 1'700'000'000;
  if (const auto step = crypto::totp_accept(secret, text, now, std::nullopt)) {
    require(*step >= crypto::totp_step(now) - 1 && *step <= crypto::totp_step(now) + 1, "within one step");
    require(crypto::totp(secret, *step * 30) == text, "the code is its step's");
    require(!crypto::totp_accept(secret, text, now, step), "a code is never taken twice");
  }

  // A scheduled time or an expiry typed in the compose form (Rome's wall
  // clock): what is read writes back to a time that reads the same, to
  // the minute.
  if (const auto t = domain::parse_local_input(domain::default_time_zone, text)) {
    const auto written = domain::format_local_input(domain::default_time_zone, *t);
    const auto again = domain::parse_local_input(domain::default_time_zone, written);
    require(again.has_value(), "a written time reads back");
    require(*again == *t - ((*t % 60'000) + 60'000) % 60'000, "a time reads back to its minute");
  }
  return 0;
}

// Failed console logins, counted per account and per client address with
// the token buckets of the API keys' throttle (auth_throttle.hpp). The
// account is the email as typed (normalised), whether or not such an
// account exists, so the throttle answers alike for both and never tells
// a guesser which emails are staff. While either bucket is empty, the
// login is refused before any password is hashed.
#pragma once

#include <banditore/app/auth_throttle.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace banditore::app {

struct login_throttle_options {
  // One account: 5 wrong tries at once, then one every 3 minutes (20 an
  // hour): a person who mistypes is not locked out for long, a guesser
  // gets a few hundred tries a day against any one account.
  auth_throttle_options per_account{5, 180'000, 100'000};
  // One address (an office behind one NAT counts as one): 20 wrong tries
  // at once, then one every 30 s, across every account.
  auth_throttle_options per_address{20, 30'000, 100'000};
};

class login_throttle {
 public:
  explicit login_throttle(login_throttle_options options = {})
      : accounts_(options.per_account), addresses_(options.per_address) {}

  // 0 when this email may be tried from this address now; otherwise the
  // milliseconds until it may (the longer of the two waits).
  std::int64_t wait_ms(std::string_view email, std::string_view address, std::int64_t now_ms);
  // A refused login: counted against the account and the address.
  void failed(std::string_view email, std::string_view address, std::int64_t now_ms);
  // A successful login clears the account's failures (a person who got in
  // does not carry old typos into tomorrow); the address keeps its count.
  void succeeded(std::string_view email);

 private:
  static std::string account_key(std::string_view email);
  auth_throttle accounts_;
  auth_throttle addresses_;
};

// "Troppi tentativi: riprova tra N minuti." (1 minuto in the singular),
// minutes rounded up (within a second).
std::string throttled_message(std::int64_t wait_ms);

}  // namespace banditore::app

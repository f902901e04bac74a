#include <banditore/app/login_throttle.hpp>

#include <banditore/store/staff.hpp>

#include <algorithm>

namespace banditore::app {

std::string login_throttle::account_key(std::string_view email) {
  // The normalised email when it is one, so "M.Rossi@x.it " and
  // "m.rossi@x.it" share a bucket; any other text as typed, lowered.
  if (auto normal = store::normalise_staff_email(email)) return *normal;
  std::string out(email.substr(0, store::max_staff_email_length));
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::int64_t login_throttle::wait_ms(std::string_view email, std::string_view address, std::int64_t now_ms) {
  return std::max(accounts_.wait_ms(account_key(email), now_ms), addresses_.wait_ms(address, now_ms));
}

void login_throttle::failed(std::string_view email, std::string_view address, std::int64_t now_ms) {
  accounts_.failed(account_key(email), now_ms);
  addresses_.failed(address, now_ms);
}

void login_throttle::succeeded(std::string_view email) { accounts_.forget(account_key(email)); }

std::string throttled_message(std::int64_t wait_ms) {
  // Rounded up, but a second past a whole minute is that minute: the
  // buckets count in doubles, and "3 minuti" for 2 minutes and 1 ms reads
  // as a wrong promise.
  const auto minutes = std::max<std::int64_t>(1, (wait_ms + 59'000) / 60'000);
  return "Troppi tentativi: riprova tra " + std::to_string(minutes) + (minutes == 1 ? " minuto." : " minuti.");
}

}  // namespace banditore::app

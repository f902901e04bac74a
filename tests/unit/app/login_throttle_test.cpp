#include <banditore/app/login_throttle.hpp>

#include <doctest/doctest.h>

using namespace banditore::app;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;
constexpr std::int64_t minute = 60'000;

}  // namespace

TEST_CASE("an account gets 5 wrong tries at once, then waits 3 minutes for each next one") {
  login_throttle t;
  std::int64_t now = t0;
  for (int i = 0; i < 5; ++i) {
    CHECK(t.wait_ms("m.rossi@comune.it", "192.0.2.1", now) == 0);
    t.failed("m.rossi@comune.it", "192.0.2.1", now);
  }
  CHECK(t.wait_ms("m.rossi@comune.it", "192.0.2.1", now) == 3 * minute);
  // From another address too: the account is what is guessed.
  CHECK(t.wait_ms("m.rossi@comune.it", "198.51.100.7", now) == 3 * minute);
  CHECK(t.wait_ms("M.Rossi@Comune.it ", "198.51.100.7", now) == 3 * minute);
  now += 2 * minute;
  // The buckets count in doubles: within a millisecond.
  CHECK(t.wait_ms("m.rossi@comune.it", "192.0.2.1", now) >= minute);
  CHECK(t.wait_ms("m.rossi@comune.it", "192.0.2.1", now) <= minute + 1);
  now += minute;
  CHECK(t.wait_ms("m.rossi@comune.it", "192.0.2.1", now) == 0);
  // Another account from the same address is not held back by this one.
  CHECK(t.wait_ms("b.verdi@comune.it", "192.0.2.1", t0) == 0);
}

TEST_CASE("an address trying many accounts is held back after 20 failures, whichever accounts") {
  login_throttle t;
  for (int i = 0; i < 20; ++i) {
    const auto email = "user" + std::to_string(i) + "@comune.it";
    CHECK(t.wait_ms(email, "203.0.113.9", t0) == 0);
    t.failed(email, "203.0.113.9", t0);
  }
  CHECK(t.wait_ms("someone-new@comune.it", "203.0.113.9", t0) == 30'000);
  CHECK(t.wait_ms("someone-new@comune.it", "203.0.113.10", t0) == 0);
  CHECK(t.wait_ms("someone-new@comune.it", "203.0.113.9", t0 + 30'000) == 0);
}

TEST_CASE("an email that is no account is throttled exactly like one that is") {
  // The throttle never asks the store: what it answers depends only on the
  // text typed, so its answer cannot tell the two apart.
  login_throttle t;
  for (int i = 0; i < 5; ++i) {
    t.failed("exists@comune.it", "192.0.2.1", t0);
    t.failed("nobody@comune.it", "192.0.2.2", t0);
  }
  CHECK(t.wait_ms("exists@comune.it", "192.0.2.3", t0) == t.wait_ms("nobody@comune.it", "192.0.2.3", t0));
}

TEST_CASE("a successful login clears the account's failures but not the address's") {
  login_throttle_options o;
  o.per_account = {3, 180'000, 100};
  o.per_address = {3, 30'000, 100};
  login_throttle t(o);
  for (int i = 0; i < 3; ++i) t.failed("m.rossi@comune.it", "192.0.2.1", t0);
  CHECK(t.wait_ms("m.rossi@comune.it", "192.0.2.2", t0) > 0);
  t.succeeded("m.rossi@comune.it");
  CHECK(t.wait_ms("m.rossi@comune.it", "192.0.2.2", t0) == 0);
  CHECK(t.wait_ms("m.rossi@comune.it", "192.0.2.1", t0) > 0);
}

TEST_CASE("the refusal says in Italian how many minutes to wait, rounded up") {
  CHECK(throttled_message(1) == "Troppi tentativi: riprova tra 1 minuto.");
  CHECK(throttled_message(60'000) == "Troppi tentativi: riprova tra 1 minuto.");
  CHECK(throttled_message(60'001) == "Troppi tentativi: riprova tra 1 minuto.");
  CHECK(throttled_message(61'001) == "Troppi tentativi: riprova tra 2 minuti.");
  CHECK(throttled_message(180'000) == "Troppi tentativi: riprova tra 3 minuti.");
}

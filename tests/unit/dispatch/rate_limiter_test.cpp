#include <banditore/dispatch/rate_limiter.hpp>

#include <banditore/dispatch/sender.hpp>

#include <doctest/doctest.h>

using namespace banditore::dispatch;
using namespace std::chrono;

TEST_CASE("the limiter spaces sends evenly at the configured rate") {
  rate_limiter limiter(80);
  auto t0 = steady_clock::time_point{} + hours(1);
  auto now = t0;
  for (int i = 0; i < 800; ++i) now = limiter.reserve(now);
  // 800 sends at 80/s: the last starts 799/80 s after the first.
  auto elapsed = duration<double>(now - t0).count();
  CHECK(elapsed == doctest::Approx(799.0 / 80).epsilon(0.001));
}

TEST_CASE("no one-second window holds more than the rate plus the burst") {
  rate_limiter limiter(1000, 5);
  auto t0 = steady_clock::time_point{} + hours(1);
  std::vector<steady_clock::time_point> starts;
  for (int i = 0; i < 5000; ++i) starts.push_back(limiter.reserve(t0));
  std::size_t j = 0, worst = 0;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    while (starts[i] - starts[j] >= seconds(1)) ++j;
    worst = std::max(worst, i - j + 1);
  }
  CHECK(worst <= 1000 + 5);
}

TEST_CASE("a pause holds every send until it ends") {
  rate_limiter limiter(100);
  auto t0 = steady_clock::time_point{} + hours(1);
  limiter.reserve(t0);
  limiter.pause_until(t0 + seconds(2));
  CHECK(limiter.reserve(t0 + milliseconds(50)) == t0 + seconds(2));
}

TEST_CASE("an idle limiter does not bank sends for later") {
  rate_limiter limiter(10);
  auto t0 = steady_clock::time_point{} + hours(1);
  limiter.reserve(t0);
  auto later = t0 + seconds(60);
  CHECK(limiter.reserve(later) == later);
  CHECK(limiter.reserve(later) == later + milliseconds(100));
}

TEST_CASE("backoff grows exponentially up to its cap, scaled by the jitter") {
  CHECK(backoff_delay(1, milliseconds(1000), minutes(10), 1.0) == milliseconds(1000));
  CHECK(backoff_delay(4, milliseconds(1000), minutes(10), 1.0) == milliseconds(8000));
  CHECK(backoff_delay(30, milliseconds(1000), minutes(10), 1.0) == minutes(10));
  CHECK(backoff_delay(4, milliseconds(1000), minutes(10), 0.5) == milliseconds(4000));
  CHECK(backoff_delay(4, milliseconds(1000), minutes(10), 0.0) == milliseconds(0));
}

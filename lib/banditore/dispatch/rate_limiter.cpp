#include <banditore/dispatch/rate_limiter.hpp>

#include <algorithm>
#include <stdexcept>

namespace banditore::dispatch {

rate_limiter::rate_limiter(double rate, double burst) : rate_(rate) {
  if (!(rate > 0)) throw std::invalid_argument("rate must be positive");
  interval_ = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / rate));
  if (interval_.count() == 0) interval_ = clock::duration(1);
  tolerance_ = interval_ * static_cast<long>(std::max(0.0, burst - 1));
}

rate_limiter::clock::time_point rate_limiter::reserve(clock::time_point now) {
  auto start = std::max(now, tat_ - tolerance_);
  tat_ = std::max(tat_, now) + interval_;
  return start;
}

void rate_limiter::pause_until(clock::time_point t) {
  tat_ = std::max(tat_, t + tolerance_);
}

}  // namespace banditore::dispatch

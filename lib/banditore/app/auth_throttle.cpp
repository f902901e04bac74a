#include <banditore/app/auth_throttle.hpp>

#include <algorithm>
#include <cmath>

namespace banditore::app {

double auth_throttle::level(const bucket& b, std::int64_t now_ms) const {
  const auto elapsed = static_cast<double>(std::max<std::int64_t>(0, now_ms - b.at_ms));
  return std::min(options_.burst, b.tokens + elapsed / static_cast<double>(options_.refill_ms));
}

std::int64_t auth_throttle::wait_ms(std::string_view address, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(address));
  if (it == buckets_.end()) return 0;
  const double tokens = level(it->second, now_ms);
  if (tokens >= 1) return 0;
  return static_cast<std::int64_t>(std::ceil((1 - tokens) * static_cast<double>(options_.refill_ms)));
}

void auth_throttle::failed(std::string_view address, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(address));
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_addresses)
      std::erase_if(buckets_, [&](const auto& entry) { return level(entry.second, now_ms) >= options_.burst; });
    if (buckets_.size() >= options_.max_addresses) buckets_.clear();
    it = buckets_.emplace(std::string(address), bucket{options_.burst, now_ms}).first;
  }
  it->second.tokens = std::max(0.0, level(it->second, now_ms) - 1);
  it->second.at_ms = now_ms;
}

void auth_throttle::forget(std::string_view address) {
  std::lock_guard lock(mutex_);
  buckets_.erase(std::string(address));
}

std::size_t auth_throttle::addresses() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace banditore::app

// Failed API authentications, counted per client address: after a burst
// of failures an address waits before its next try is even looked at, so
// guessing keys costs time and no database round trip. A token bucket per
// address: `burst` failures at once, then one every `refill`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace banditore::app {

struct auth_throttle_options {
  double burst = 10;
  std::int64_t refill_ms = 6'000;
  // Addresses remembered at most; the ones whose bucket is full again go
  // first, and at worst every address is forgotten (never unbounded).
  std::size_t max_addresses = 100'000;
};

class auth_throttle {
 public:
  explicit auth_throttle(auth_throttle_options options = {}) : options_(options) {}

  // 0 when the address may try now; otherwise the milliseconds until it may.
  std::int64_t wait_ms(std::string_view address, std::int64_t now_ms);
  // A refused key or token from the address.
  void failed(std::string_view address, std::int64_t now_ms);
  // Drops what is counted against the address (a key whose owner proved
  // who they are: a staff login that succeeded).
  void forget(std::string_view address);
  std::size_t addresses() const;

 private:
  struct bucket {
    double tokens = 0;
    std::int64_t at_ms = 0;
  };
  double level(const bucket& b, std::int64_t now_ms) const;

  auth_throttle_options options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace banditore::app

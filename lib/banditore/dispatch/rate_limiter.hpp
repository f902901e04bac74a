// The sending rate allowed to one business number, as a token bucket in its
// GCRA form: each reservation returns the instant a send may start. Bursts
// are kept small so that no one-second window ever exceeds the rate that
// WhatsApp counts per number. Pure: time is passed in.
#pragma once

#include <chrono>

namespace banditore::dispatch {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  // rate: messages per second (> 0); burst: how many may go back to back.
  rate_limiter(double rate, double burst = 1);

  // Reserves the next slot and returns when it starts (now or later).
  clock::time_point reserve(clock::time_point now);

  // Nothing starts before t (Retry-After, 130429).
  void pause_until(clock::time_point t);

  double rate() const { return rate_; }

 private:
  double rate_;
  clock::duration interval_;
  clock::duration tolerance_;
  clock::time_point tat_{};  // theoretical arrival time of the next slot
};

}  // namespace banditore::dispatch

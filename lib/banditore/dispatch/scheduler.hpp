// The scheduler: alerts given a later send_at wait as "scheduled"; this
// wakes at the next one's time, hands what is due to the planner
// (store::alert_schedule, one audited transaction) and sleeps again. A
// new scheduled alert wakes it, so it never oversleeps a time set after
// it went to sleep. The clock is injectable: tests move time themselves.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace banditore::store {
class alert_schedule;
}  // namespace banditore::store

namespace banditore::dispatch {

struct scheduler_options {
  std::function<std::int64_t()> now;  // Unix ms; unset: the wall clock
  // The longest sleep: a wall clock set forward, or an alert scheduled by
  // another process on the same database, is noticed within it.
  std::chrono::milliseconds max_wait{60'000};
  // After a failed database call.
  std::chrono::milliseconds retry_wait{5'000};
};

class scheduler {
 public:
  // released() is called after alerts were released (wake the planner).
  scheduler(boost::asio::io_context& io, store::alert_schedule& schedule, std::function<void()> released,
            scheduler_options options = {});
  ~scheduler();

  void start();
  // An alert was scheduled: look again now.
  void wake();
  boost::asio::awaitable<void> stop();
  bool running() const;

  // One round at the clock's now: releases what is due and returns how
  // long to sleep before the next one (0 when more is due already). What
  // the loop does between waits; tests call it with their clock.
  boost::asio::awaitable<std::chrono::milliseconds> round();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace banditore::dispatch

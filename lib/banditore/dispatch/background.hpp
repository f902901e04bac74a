// A long-running coroutine of the service (the sender, the planner, the CAP
// feed poller) with a clear start and stop: started once; woken early from
// its waits; stopped by a flag, a wake and a wait until its body has
// returned. It lives on one io_context thread and needs no locking.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace banditore::dispatch {

class background_task {
 public:
  // name prefixes the log event of an escaped error ("<name>.stopped_by_error").
  background_task(boost::asio::io_context& io, std::string name);
  background_task(const background_task&) = delete;
  background_task& operator=(const background_task&) = delete;

  // Spawns body once; later calls do nothing. keep_alive is held until the
  // body has ended (the owner of the state it uses). An exception that
  // escapes body is logged, and the task counts as finished.
  void start(std::function<boost::asio::awaitable<void>()> body, std::shared_ptr<void> keep_alive = {});

  bool started() const { return started_; }
  bool stopping() const { return stopping_; }
  bool running() const { return running_; }

  // Ends the wait in progress at once, or the next one when the body is
  // not waiting: a planner woken while it reads the database (before the
  // alert that woke it was committed) must look again, not sleep a whole
  // poll interval.
  void wake() {
    wake_pending_ = true;
    wake_.cancel();
  }
  boost::asio::awaitable<void> wait_for(std::chrono::steady_clock::duration d);
  boost::asio::awaitable<void> wait_until(std::chrono::steady_clock::time_point t);

  // Sets stopping, wakes the body and returns once it has returned.
  boost::asio::awaitable<void> stop();

 private:
  static boost::asio::awaitable<void> run(background_task* self, std::function<boost::asio::awaitable<void>()> body,
                                          std::shared_ptr<void> keep_alive);
  void finished();

  boost::asio::io_context& io_;
  std::string name_;
  boost::asio::steady_timer wake_, done_;
  bool started_ = false, stopping_ = false, running_ = false, wake_pending_ = false;
};

}  // namespace banditore::dispatch

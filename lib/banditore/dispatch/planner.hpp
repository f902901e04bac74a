// The fan-out planner: turns each alert into outbox rows, most urgent alert
// first, a batch of subscribers per transaction, so memory stays flat and
// the sender can start on the first batch while the rest is planned.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace banditore::store {
class planning;
}  // namespace banditore::store

namespace banditore::dispatch {

struct planner_options {
  std::size_t batch = 5000;
  std::chrono::milliseconds idle_poll{1000};
};

class planner {
 public:
  // planned() is called after each batch committed (wake the sender).
  planner(boost::asio::io_context& io, store::planning& plans,
          std::function<void()> planned, planner_options options = {});
  ~planner();
  void start();
  void wake();
  boost::asio::awaitable<void> stop();
  bool running() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace banditore::dispatch

#include <banditore/dispatch/background.hpp>

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <chrono>

using namespace banditore;
namespace asio = boost::asio;

// The planner reads the database, finds nothing, and waits a poll interval;
// an alert committed while it read wakes it before it waits. That wake must
// not be lost (it was: 232 ms, a poll interval, from POST to first message).
TEST_CASE("a wake while the body is busy ends its next wait at once; a wake is used once") {
  asio::io_context io;
  dispatch::background_task task(io, "test");
  std::chrono::steady_clock::duration first{}, second{};
  task.start([&]() -> asio::awaitable<void> {
    task.wake();  // while busy: not waiting yet
    auto t0 = std::chrono::steady_clock::now();
    co_await task.wait_for(std::chrono::seconds(3));
    first = std::chrono::steady_clock::now() - t0;
    t0 = std::chrono::steady_clock::now();
    co_await task.wait_for(std::chrono::milliseconds(50));
    second = std::chrono::steady_clock::now() - t0;
  });
  io.run();
  CHECK(first < std::chrono::seconds(2));  // not the 3 s of the wait
  CHECK(second >= std::chrono::milliseconds(50));
}

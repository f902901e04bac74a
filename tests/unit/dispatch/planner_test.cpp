#include <banditore/dispatch/planner.hpp>

#include "../fake_store.hpp"
#include "../run_blocking.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <functional>

using namespace banditore;
namespace asio = boost::asio;
using testing::fake_store;

namespace {

std::int64_t create_alert(fake_store& store) {
  store::new_alert a;
  a.draft.category = "water";
  a.draft.level = domain::severity::severe;
  a.draft.title = "Guasto acquedotto";
  a.draft.text = "Via Roma senz'acqua.";
  store::actor who{"cli", std::nullopt};
  return testing::run_blocking(store.create(std::move(a), std::move(who), 0, 1000)).result.id;
}

// Runs until done() holds or five seconds pass; then stops the planner.
bool run_until(asio::io_context& io, dispatch::planner& planner, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool reached = false;
  while (!(reached = done()) && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(2));
  bool stopped = false;
  auto stop = [&planner, &stopped]() -> asio::awaitable<void> {
    co_await planner.stop();
    stopped = true;
  };
  asio::co_spawn(io, stop(), asio::detached);
  while (!stopped && std::chrono::steady_clock::now() < deadline + std::chrono::seconds(5))
    io.run_for(std::chrono::milliseconds(2));
  CHECK(stopped);
  CHECK_FALSE(planner.running());
  return reached;
}

}  // namespace

TEST_CASE("an alert is planned batch by batch, the first one small, and the sender is woken after each") {
  fake_store store;
  for (int i = 0; i < 700; ++i) store.add_subscriber();
  const auto id = create_alert(store);
  asio::io_context io;
  int wakes = 0;
  dispatch::planner_options options;
  options.batch = 300;
  options.idle_poll = std::chrono::milliseconds(5);
  dispatch::planner planner(io, store, [&wakes] { ++wakes; }, options);
  planner.start();
  REQUIRE(run_until(io, planner, [&] { return store.alert_rows[id].state == "sending"; }));
  CHECK(store.outbox.size() == 700);
  CHECK(store.alert_rows[id].planned_count == 700);
  CHECK(wakes == 3);  // 256, then 300, then 144
}

TEST_CASE("with nothing to plan the planner waits, and a wake makes it look again at once") {
  fake_store store;
  store.add_subscriber();
  asio::io_context io;
  int wakes = 0;
  dispatch::planner_options options;
  options.idle_poll = std::chrono::hours(1);  // only a wake can make it look again
  dispatch::planner planner(io, store, [&wakes] { ++wakes; }, options);
  planner.start();
  io.run_for(std::chrono::milliseconds(20));
  CHECK(store.plan_calls == 1);
  const auto id = create_alert(store);
  planner.wake();
  REQUIRE(run_until(io, planner, [&] { return store.alert_rows[id].state == "sending"; }));
  CHECK(wakes == 1);
  CHECK(store.outbox.size() == 1);
}

TEST_CASE("a cancelled alert is planned no further") {
  fake_store store;
  for (int i = 0; i < 1000; ++i) store.add_subscriber();
  const auto id = create_alert(store);
  store::actor who{"cli", std::nullopt};
  testing::run_blocking(store.cancel(id, std::move(who), 2000));
  asio::io_context io;
  dispatch::planner_options options;
  options.idle_poll = std::chrono::milliseconds(5);
  dispatch::planner planner(io, store, {}, options);
  planner.start();
  REQUIRE(run_until(io, planner, [&] { return store.plan_calls >= 2; }));
  CHECK(store.outbox.empty());
}

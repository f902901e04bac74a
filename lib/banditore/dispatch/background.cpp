#include <banditore/dispatch/background.hpp>

#include <utility>

#include <banditore/log/log.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

namespace banditore::dispatch {

namespace asio = boost::asio;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

background_task::background_task(asio::io_context& io, std::string name)
    : io_(io), name_(std::move(name)), wake_(io), done_(io) {}

void background_task::start(std::function<asio::awaitable<void>()> body, std::shared_ptr<void> keep_alive) {
  if (started_) return;
  started_ = true;
  running_ = true;
  auto done = [this, keep_alive](std::exception_ptr e) {
    if (!e) return;
    // The body catches what a round throws; reaching here is a bug, and the
    // service goes on without this task.
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      log::error(name_ + ".stopped_by_error", {{"error", x.what()}});
    } catch (...) {
      log::error(name_ + ".stopped_by_error", {{"error", "unknown"}});
    }
    finished();
  };
  asio::co_spawn(io_, run(this, std::move(body), std::move(keep_alive)), std::move(done));
}

// Its parameters live in the coroutine's frame (a lambda's captures would
// not).
asio::awaitable<void> background_task::run(background_task* self, std::function<asio::awaitable<void>()> body,
                                           std::shared_ptr<void>) {
  co_await body();
  self->finished();
}

void background_task::finished() {
  running_ = false;
  done_.cancel();
}

asio::awaitable<void> background_task::wait_for(std::chrono::steady_clock::duration d) {
  co_await wait_until(std::chrono::steady_clock::now() + d);
}

asio::awaitable<void> background_task::wait_until(std::chrono::steady_clock::time_point t) {
  // A wake that came while the body was busy ends this wait before it starts.
  if (std::exchange(wake_pending_, false)) co_return;
  wake_.expires_at(t);
  co_await wake_.async_wait(use_nothrow);
  wake_pending_ = false;
}

asio::awaitable<void> background_task::stop() {
  if (!started_) co_return;
  stopping_ = true;
  wake_.cancel();
  while (running_) {
    done_.expires_at(std::chrono::steady_clock::time_point::max());
    co_await done_.async_wait(use_nothrow);
  }
}

}  // namespace banditore::dispatch

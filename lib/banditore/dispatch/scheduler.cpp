#include <banditore/dispatch/scheduler.hpp>

#include <banditore/dispatch/background.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/alert_schedule.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

namespace banditore::dispatch {

namespace asio = boost::asio;

struct scheduler::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, store::alert_schedule& schedule, std::function<void()> released, scheduler_options o)
      : schedule_(schedule), released_(std::move(released)), options_(std::move(o)), task_(io, "scheduler") {}

  std::int64_t now() const { return options_.now ? options_.now() : domain::now_ms(); }

  asio::awaitable<std::chrono::milliseconds> round() {
    const auto at = now();
    store::schedule_round r;
    std::string failure;
    try {
      r = co_await schedule_.release_due(at);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      log::error("scheduler.database_failed", {{"error", failure}});
      co_return options_.retry_wait;
    }
    bool any = false;
    for (const auto& x : r.released) {
      if (x.expired) {
        log::info("alert.schedule_expired", {{"alert_id", x.alert_id}});
      } else {
        log::info("alert.schedule_released", {{"alert_id", x.alert_id}});
        any = true;
      }
    }
    if (any && released_) released_();
    if (!r.next_due) co_return options_.max_wait;
    const auto wait = std::chrono::milliseconds(std::max<std::int64_t>(0, *r.next_due - at));
    co_return std::min(wait, options_.max_wait);
  }

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    while (!task_.stopping()) {
      const auto wait = co_await round();
      if (wait.count() > 0) co_await task_.wait_for(wait);
    }
  }

  store::alert_schedule& schedule_;
  std::function<void()> released_;
  scheduler_options options_;
  background_task task_;
};

scheduler::scheduler(asio::io_context& io, store::alert_schedule& schedule, std::function<void()> released,
                     scheduler_options options)
    : impl_(std::make_shared<impl>(io, schedule, std::move(released), std::move(options))) {}

scheduler::~scheduler() = default;

void scheduler::start() {
  auto* impl = impl_.get();
  impl->task_.start([impl] { return impl->run(); }, impl_);
}

void scheduler::wake() { impl_->task_.wake(); }

bool scheduler::running() const { return impl_->task_.running(); }

asio::awaitable<std::chrono::milliseconds> scheduler::round() {
  auto self = impl_;
  co_return co_await self->round();
}

asio::awaitable<void> scheduler::stop() {
  auto self = impl_;
  co_await self->task_.stop();
}

}  // namespace banditore::dispatch

#include <banditore/dispatch/planner.hpp>

#include <banditore/dispatch/background.hpp>
#include <banditore/log/log.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/store/planning.hpp>

#include <nlohmann/json.hpp>

namespace banditore::dispatch {

namespace asio = boost::asio;

using domain::now_ms;

struct planner::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, store::planning& plans, std::function<void()> planned, planner_options o)
      : plans_(plans), planned_(std::move(planned)), options_(o), task_(io, "planner") {}

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    while (!task_.stopping()) {
      const auto batch = options_.batch;
      std::optional<store::plan_step> step;
      std::string failure;
      try {
        const auto now = now_ms();
        step = co_await plans_.next_step(batch, now);
      } catch (const std::exception& e) {
        failure = e.what();
      }
      if (!failure.empty()) log::error("planner.database_failed", {{"error", failure}});
      if (step) {
        if (step->added > 0 && planned_) planned_();
        if (step->finished_planning)
          log::info("alert.planned", {{"alert_id", step->alert_id}});
        continue;
      }
      co_await task_.wait_for(options_.idle_poll);
    }
  }

  store::planning& plans_;
  std::function<void()> planned_;
  planner_options options_;
  background_task task_;
};

planner::planner(asio::io_context& io, store::planning& plans, std::function<void()> planned,
                 planner_options options)
    : impl_(std::make_shared<impl>(io, plans, std::move(planned), options)) {}

planner::~planner() = default;

void planner::start() {
  auto* impl = impl_.get();
  impl->task_.start([impl] { return impl->run(); }, impl_);
}

void planner::wake() { impl_->task_.wake(); }

bool planner::running() const { return impl_->task_.running(); }

asio::awaitable<void> planner::stop() {
  auto self = impl_;
  co_await self->task_.stop();
}

}  // namespace banditore::dispatch

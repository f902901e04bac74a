#include <banditore/dispatch/planner.hpp>

#include <banditore/log/log.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/worker.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

namespace banditore::dispatch {

namespace asio = boost::asio;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

namespace {
std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
}  // namespace

struct planner::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, store::db_worker& db, store::alert_store& alerts, std::function<void()> planned,
       planner_options o)
      : io_(io), db_(db), alerts_(alerts), planned_(std::move(planned)), options_(o), signal_(io), done_(io) {}

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    running_ = true;
    while (!stopping_) {
      const auto batch = options_.batch;
      auto step_work = [this, batch](SQLite::Database& db) {
        const auto now = now_ms();
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        auto step = alerts_.plan_next(batch, now);
        if (!step) alerts_.finish_settled(now);
        tx.commit();
        return step;
      };
      std::optional<store::plan_step> step;
      std::string failure;
      try {
        step = co_await db_.run(std::move(step_work));
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
      signal_.expires_after(options_.idle_poll);
      co_await signal_.async_wait(use_nothrow);
    }
    running_ = false;
    done_.cancel();
  }

  asio::io_context& io_;
  store::db_worker& db_;
  store::alert_store& alerts_;
  std::function<void()> planned_;
  planner_options options_;
  asio::steady_timer signal_, done_;
  bool stopping_ = false, running_ = false, started_ = false;
};

planner::planner(asio::io_context& io, store::db_worker& db, store::alert_store& alerts,
                 std::function<void()> planned, planner_options options)
    : impl_(std::make_shared<impl>(io, db, alerts, std::move(planned), options)) {}

planner::~planner() = default;

void planner::start() {
  impl_->started_ = true;
  asio::co_spawn(impl_->io_, impl_->run(), [](std::exception_ptr e) {
    if (e) {
      try { std::rethrow_exception(e); } catch (const std::exception& x) {
        log::error("planner.stopped_by_error", {{"error", x.what()}});
      }
    }
  });
}

void planner::wake() { impl_->signal_.cancel(); }

bool planner::running() const { return impl_->running_; }

asio::awaitable<void> planner::stop() {
  auto self = impl_;
  if (!self->started_) co_return;
  self->stopping_ = true;
  self->signal_.cancel();
  while (self->running_) {
    self->done_.expires_at(std::chrono::steady_clock::time_point::max());
    co_await self->done_.async_wait(use_nothrow);
  }
}

}  // namespace banditore::dispatch

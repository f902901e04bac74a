// The one thread that owns the SQLite writer connection. Network coroutines
// hand it work with run(): the work executes on the database thread and the
// coroutine resumes on its own executor with the result (or the exception).
// SQLiteCpp objects never cross threads.
//
// run_grouped() is the group commit of small write requests (webhooks):
// the jobs that queued up while the database thread was busy run together
// in one transaction; one that throws is rolled back alone while the others
// commit (the group runs again, a savepoint per job). Every caller resumes
// only after the shared COMMIT: an answer sent then is durable.
//
// Idle work (set_idle_work) is what may wait for a quiet moment: it runs
// in bounded steps, each between groups, never while a grouped job waits
// (the inbound journal is applied so: store/sqlite/inbound_journal.hpp).
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

namespace SQLite { class Database; class Statement; }

namespace banditore::store::sqlite {

class wal_checkpointer;

// Resets every statement of the connection, so that none reports an
// undone job's failure at its next use (after a rollback).
void reset_statements(SQLite::Database& db);

class db_worker {
 public:
  explicit db_worker(std::unique_ptr<SQLite::Database> db);
  ~db_worker();  // finishes queued work, then closes the database
  db_worker(const db_worker&) = delete;
  db_worker& operator=(const db_worker&) = delete;

  // Runs f(SQLite::Database&) on the database thread.
  template <class F>
  auto run(F f) -> boost::asio::awaitable<std::invoke_result_t<F&, SQLite::Database&>> {
    using result = std::invoke_result_t<F&, SQLite::Database&>;
    if constexpr (std::is_void_v<result>) {
      auto wrapped = [f = std::move(f)](SQLite::Database& db) mutable { f(db); return true; };
      co_await run(std::move(wrapped));
    } else {
      auto initiate = [this, f = std::move(f)](auto handler) mutable {
        auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
        boost::asio::post(pool_, [this, f = std::move(f), handler = std::move(handler),
                                  work = std::move(work)]() mutable {
          std::optional<result> value;
          std::exception_ptr error;
          try {
            value.emplace(f(*db_));
          } catch (...) {
            error = std::current_exception();
          }
          auto ex = work.get_executor();
          boost::asio::dispatch(ex, [handler = std::move(handler), error,
                                     value = std::move(value)]() mutable {
            handler(error, value ? std::move(*value) : result{});
          });
        });
      };
      co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                     void(std::exception_ptr, result)>(
          std::move(initiate), boost::asio::use_awaitable);
    }
  }

  // Runs f(SQLite::Database&) on the database thread inside a transaction
  // shared with the other grouped jobs waiting at that moment; returns
  // after that transaction commits. f must not begin or end a transaction
  // itself. If f throws, only its own changes are undone and the exception
  // reaches this caller; if the COMMIT fails, every job of the group gets
  // that error. The jobs run without savepoints first; when one throws, the
  // transaction is rolled back and every job of the group runs again, each
  // inside a savepoint: f may run twice, so it changes nothing but the
  // database (and caches it may read again).
  template <class F>
  auto run_grouped(F f) -> boost::asio::awaitable<std::invoke_result_t<F&, SQLite::Database&>> {
    using result = std::invoke_result_t<F&, SQLite::Database&>;
    static_assert(!std::is_void_v<result>, "a grouped job returns a value");
    auto initiate = [this, f = std::move(f)](auto handler) mutable {
      using handler_type = decltype(handler);
      using guard_type =
          boost::asio::executor_work_guard<boost::asio::associated_executor_t<handler_type>>;
      struct state {
        F f;
        handler_type handler;
        guard_type guard;
        std::optional<result> value;
      };
      guard_type guard(boost::asio::get_associated_executor(handler));
      auto s = std::make_shared<state>(state{std::move(f), std::move(handler), std::move(guard), std::nullopt});
      grouped_job job;
      job.work = [s](SQLite::Database& db) { s->value.emplace(s->f(db)); };
      job.finish = [s](std::exception_ptr error) {
        auto ex = s->guard.get_executor();
        boost::asio::dispatch(ex, [s, error]() mutable {
          auto value = error || !s->value ? result{} : std::move(*s->value);
          auto handler = std::move(s->handler);
          handler(error, std::move(value));
        });
      };
      enqueue_grouped(std::move(job));
    };
    co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                   void(std::exception_ptr, result)>(
        std::move(initiate), boost::asio::use_awaitable);
  }

  // At most this many jobs share one transaction; more wait for the next.
  static constexpr std::size_t max_group = 256;

  // The WAL checkpoints, off the database thread (tests).
  wal_checkpointer* checkpointer() { return checkpointer_.get(); }

  // Called on the database thread after each group's COMMIT with the
  // number of jobs it held (metrics, tests). Set before the first job.
  void on_group_commit(std::function<void(std::size_t jobs)> observer) { group_observer_ = std::move(observer); }

  // The idle work: step(db) does one bounded piece of it in its own
  // transaction and returns whether more remains. A step runs after
  // wake_idle() once no grouped job waits, and again after each group's
  // commit until one returns false. A step that throws is logged and the
  // work rests until the next wake_idle(). Set before the first job.
  void set_idle_work(std::function<bool(SQLite::Database&)> step);
  void wake_idle();  // from any thread
  // On the database thread (a step that gives way): wake_idle() after
  // delay, unless a wake is already timed.
  void wake_idle_after(std::chrono::steady_clock::duration delay);
  void stop_idle();  // no step starts after this returns (shutdown)

  // Runs f synchronously on the database thread (start-up, commands, tests).
  template <class F>
  auto run_sync(F f) -> std::invoke_result_t<F&, SQLite::Database&>;

 private:
  struct grouped_job {
    std::function<void(SQLite::Database&)> work;     // inside the group's transaction
    std::function<void(std::exception_ptr)> finish;  // after the COMMIT
  };
  void post_sync(std::function<void()> job);
  void enqueue_grouped(grouped_job job);
  void commit_group();  // on the database thread
  void post_idle_locked();  // with grouped_mutex_ held
  void run_idle();          // on the database thread

  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<wal_checkpointer> checkpointer_;  // for a database in a file
  // BEGIN, SAVEPOINT, RELEASE, ROLLBACK TO and COMMIT of the groups,
  // prepared once on the database thread rather than parsed per job.
  struct group_statements;
  std::unique_ptr<group_statements> group_st_;
  std::mutex grouped_mutex_;
  std::vector<grouped_job> grouped_;  // waiting for the next group
  bool group_posted_ = false;         // a commit_group() is queued
  std::function<void(std::size_t)> group_observer_;
  std::function<bool(SQLite::Database&)> idle_;
  bool idle_wanted_ = false;   // a step should run (guarded by grouped_mutex_)
  bool idle_posted_ = false;   // a run_idle() is queued
  bool idle_stopped_ = false;
  boost::asio::thread_pool pool_{1};
  // Used on the database thread only; destroyed before the pool.
  boost::asio::steady_timer idle_timer_{pool_.get_executor()};
  bool idle_timed_ = false;
};

}  // namespace banditore::store::sqlite

#include <future>

namespace banditore::store::sqlite {

template <class F>
auto db_worker::run_sync(F f) -> std::invoke_result_t<F&, SQLite::Database&> {
  using result = std::invoke_result_t<F&, SQLite::Database&>;
  std::packaged_task<result()> task([this, &f] { return f(*db_); });
  auto future = task.get_future();
  post_sync([&task] { task(); });
  return future.get();
}

}  // namespace banditore::store::sqlite

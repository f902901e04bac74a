// The one thread that owns the SQLite writer connection. Network coroutines
// hand it work with run(): the work executes on the database thread and the
// coroutine resumes on its own executor with the result (or the exception).
// SQLiteCpp objects never cross threads.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <type_traits>

namespace SQLite { class Database; }

namespace banditore::store {

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

  // Runs f synchronously on the database thread (start-up, commands, tests).
  template <class F>
  auto run_sync(F f) -> std::invoke_result_t<F&, SQLite::Database&>;

 private:
  void post_sync(std::function<void()> job);
  std::unique_ptr<SQLite::Database> db_;
  boost::asio::thread_pool pool_{1};
};

}  // namespace banditore::store

#include <future>
#include <functional>

namespace banditore::store {

template <class F>
auto db_worker::run_sync(F f) -> std::invoke_result_t<F&, SQLite::Database&> {
  using result = std::invoke_result_t<F&, SQLite::Database&>;
  std::packaged_task<result()> task([this, &f] { return f(*db_); });
  auto future = task.get_future();
  post_sync([&task] { task(); });
  return future.get();
}

}  // namespace banditore::store

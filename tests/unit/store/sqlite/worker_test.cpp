#include <banditore/store/sqlite/worker.hpp>

#include <banditore/store/sqlite/checkpointer.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <stdexcept>
#include <unistd.h>

using namespace banditore::store;
using namespace banditore::store::sqlite;
namespace fs = std::filesystem;

namespace {

struct temp_db {
  fs::path dir = fs::temp_directory_path() / ("banditore-worker-test-" + std::to_string(getpid()));
  fs::path file = dir / "w.db";
  temp_db() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~temp_db() { fs::remove_all(dir); }
};

// Holds the database thread (a run_sync job that waits) so that what is
// queued meanwhile waits behind it, until release().
class held_thread {
 public:
  explicit held_thread(db_worker& worker)
      : held_(release_.get_future().share()), blocker_([this, &worker] {
          worker.run_sync([this](SQLite::Database&) {
            holding_.set_value();
            held_.wait();
            return 0;
          });
        }) {
    holding_.get_future().wait();
  }
  ~held_thread() {
    if (blocker_.joinable()) release();
  }
  void release() {
    release_.set_value();
    blocker_.join();
  }

 private:
  std::promise<void> release_, holding_;
  std::shared_future<void> held_;
  std::thread blocker_;
};

struct answer {
  bool done = false;
  bool failed = false;
  bool visible = false;  // the row was readable from another connection when the caller resumed
};

bool row_visible(const fs::path& file, int value) {
  SQLite::Database reader(file.string(), SQLite::OPEN_READONLY);
  reader.setBusyTimeout(5000);
  SQLite::Statement q(reader, "SELECT COUNT(*) FROM t WHERE v = ?");
  q.bind(1, value);
  q.executeStep();
  return q.getColumn(0).getInt() == 1;
}

boost::asio::awaitable<void> insert(db_worker& worker, const fs::path& file, int value, answer& out) {
  auto work = [value](SQLite::Database& db) {
    SQLite::Statement st(db, "INSERT INTO t (v) VALUES (?)");
    st.bind(1, value);
    st.exec();
    if (value % 5 == 0) throw std::runtime_error("refused after writing");  // its row must vanish
    return value;
  };
  try {
    auto got = co_await worker.run_grouped(std::move(work));
    out.visible = got == value && row_visible(file, value);
  } catch (const std::runtime_error&) {
    out.failed = true;
  }
  out.done = true;
}

}  // namespace

TEST_CASE("grouped jobs share one commit, a failing job is undone alone, and callers resume after the commit") {
  temp_db t;
  auto conn = open_database(t.file.string());
  conn->exec("CREATE TABLE t (v INTEGER NOT NULL)");
  db_worker worker(std::move(conn));
  std::vector<std::size_t> groups;
  worker.on_group_commit([&groups](std::size_t n) { groups.push_back(n); });

  // Hold the database thread so that every job queues behind it.
  held_thread hold(worker);

  boost::asio::io_context io;
  constexpr int n = 20;
  std::vector<answer> answers(n);
  for (int i = 1; i <= n; ++i)
    boost::asio::co_spawn(io, insert(worker, t.file, i, answers[static_cast<std::size_t>(i - 1)]),
                          boost::asio::detached);
  io.poll();  // every coroutine has queued its job
  hold.release();
  io.run();

  int failed = 0, visible = 0;
  for (const auto& a : answers) {
    CHECK(a.done);
    failed += a.failed;
    visible += a.visible;
  }
  CHECK(failed == n / 5);
  CHECK(visible == n - n / 5);
  REQUIRE(groups.size() == 1);
  CHECK(groups[0] == n);
  SQLite::Database reader(t.file.string(), SQLite::OPEN_READONLY);
  CHECK(reader.execAndGet("SELECT COUNT(*) FROM t").getInt() == n - n / 5);
  CHECK(reader.execAndGet("SELECT COUNT(*) FROM t WHERE v % 5 = 0").getInt() == 0);
}

TEST_CASE("more grouped jobs than a group holds are committed in several groups") {
  temp_db t;
  auto conn = open_database(t.file.string());
  conn->exec("CREATE TABLE t (v INTEGER NOT NULL)");
  db_worker worker(std::move(conn));
  std::vector<std::size_t> groups;
  worker.on_group_commit([&groups](std::size_t n) { groups.push_back(n); });
  held_thread hold(worker);
  boost::asio::io_context io;
  const int n = static_cast<int>(db_worker::max_group) + 10;
  std::vector<answer> answers(static_cast<std::size_t>(n));
  for (int i = 1; i <= n; ++i)
    boost::asio::co_spawn(io, insert(worker, t.file, i * 5 + 1, answers[static_cast<std::size_t>(i - 1)]),
                          boost::asio::detached);
  io.poll();
  hold.release();
  io.run();
  REQUIRE(groups.size() == 2);
  CHECK(groups[0] == db_worker::max_group);
  CHECK(groups[1] == 10);
  int visible = 0;
  for (const auto& a : answers) visible += a.visible;
  CHECK(visible == n);
}

namespace {

// One job that writes its row; job number `failing` then throws.
boost::asio::awaitable<void> counted(db_worker& worker, std::vector<int>& runs, int i, int failing) {
  auto work = [&runs, i, failing](SQLite::Database& db) {
    ++runs[static_cast<std::size_t>(i)];
    SQLite::Statement st(db, "INSERT INTO t (v) VALUES (?)");
    st.bind(1, i);
    st.exec();
    if (i == failing) throw std::runtime_error("refused after writing");
    return i;
  };
  try {
    co_await worker.run_grouped(std::move(work));
  } catch (const std::runtime_error&) {
  }
}

// Runs one group of n jobs; job `failing` (n or more: none) throws after
// writing its row. Returns how many times each job's work ran.
std::vector<int> run_one_group(const fs::path& file, int n, int failing, std::vector<std::size_t>& groups) {
  auto conn = open_database(file.string());
  conn->exec("CREATE TABLE IF NOT EXISTS t (v INTEGER NOT NULL)");
  conn->exec("DELETE FROM t");
  db_worker worker(std::move(conn));
  worker.on_group_commit([&groups](std::size_t jobs) { groups.push_back(jobs); });
  held_thread hold(worker);
  std::vector<int> runs(static_cast<std::size_t>(n), 0);  // written on the database thread only
  boost::asio::io_context io;
  for (int i = 0; i < n; ++i) boost::asio::co_spawn(io, counted(worker, runs, i, failing), boost::asio::detached);
  io.poll();
  hold.release();
  io.run();
  return runs;
}

}  // namespace

TEST_CASE("a group in which no job throws runs each job once; a job that throws makes the others run again, "
          "and each row is committed once") {
  temp_db t;
  constexpr int n = 10;
  std::vector<std::size_t> groups;
  const auto quiet = run_one_group(t.file, n, n, groups);
  for (int i = 0; i < n; ++i) CHECK(quiet[static_cast<std::size_t>(i)] == 1);
  {
    SQLite::Database reader(t.file.string(), SQLite::OPEN_READONLY);
    CHECK(reader.execAndGet("SELECT COUNT(*) FROM t").getInt() == n);
    CHECK(reader.execAndGet("SELECT COUNT(DISTINCT v) FROM t").getInt() == n);
  }

  groups.clear();
  constexpr int failing = 4;
  const auto again = run_one_group(t.file, n, failing, groups);
  REQUIRE(groups.size() == 1);
  CHECK(groups[0] == n);
  // Up to the failing job without savepoints, then the whole group again,
  // each inside one.
  for (int i = 0; i < n; ++i) CHECK(again[static_cast<std::size_t>(i)] == (i <= failing ? 2 : 1));
  SQLite::Database reader(t.file.string(), SQLite::OPEN_READONLY);
  CHECK(reader.execAndGet("SELECT COUNT(*) FROM t").getInt() == n - 1);
  CHECK(reader.execAndGet("SELECT COUNT(DISTINCT v) FROM t").getInt() == n - 1);
  CHECK(reader.execAndGet("SELECT COUNT(*) FROM t WHERE v = 4").getInt() == 0);
}

namespace {

// Jobs that share one prepared statement, as the stores keep theirs.
boost::asio::awaitable<void> shared_insert(db_worker& worker, std::unique_ptr<SQLite::Statement>& shared, int i,
                                           std::vector<int>& failed) {
  auto work = [&shared, i](SQLite::Database& db) {
    if (!shared) shared = std::make_unique<SQLite::Statement>(db, "INSERT INTO t (v) VALUES (?)");
    shared->reset();
    shared->bind(1, i);
    shared->exec();
    return i;
  };
  try {
    co_await worker.run_grouped(std::move(work));
  } catch (const SQLite::Exception&) {
    failed.push_back(i);
  }
}

}  // namespace

TEST_CASE("a job whose statement failed leaves its error to no other job of the group") {
  temp_db t;
  auto conn = open_database(t.file.string());
  conn->exec("CREATE TABLE t (v INTEGER NOT NULL CHECK (v <> 4))");
  db_worker worker(std::move(conn));
  std::unique_ptr<SQLite::Statement> shared;  // used on the database thread only
  held_thread hold(worker);
  constexpr int n = 10;
  std::vector<int> failed;
  boost::asio::io_context io;
  for (int i = 0; i < n; ++i) boost::asio::co_spawn(io, shared_insert(worker, shared, i, failed), boost::asio::detached);
  io.poll();
  hold.release();
  io.run();
  worker.run_sync([&shared](SQLite::Database&) {
    shared.reset();
    return 0;
  });
  // Only the row the CHECK refuses fails: not the job that used the
  // statement next, which a stale error would have failed.
  REQUIRE(failed.size() == 1);
  CHECK(failed[0] == 4);
  SQLite::Database reader(t.file.string(), SQLite::OPEN_READONLY);
  CHECK(reader.execAndGet("SELECT COUNT(*) FROM t").getInt() == n - 1);
}

TEST_CASE("the WAL is checkpointed off the database thread, and stays bounded while the writer writes") {
  temp_db t;
  auto conn = open_database(t.file.string());
  conn->exec("CREATE TABLE t (v BLOB NOT NULL)");
  db_worker worker(std::move(conn));
  REQUIRE(worker.checkpointer() != nullptr);

  // Enough pages past the background threshold for the thread to be woken.
  const std::string page(4000, 'x');
  auto write_pages = [&](int pages) {
    worker.run_sync([&](SQLite::Database& db) {
      SQLite::Statement st(db, "INSERT INTO t (v) VALUES (?)");
      for (int i = 0; i < pages; ++i) {
        st.bind(1, page.data(), static_cast<int>(page.size()));
        st.exec();
        st.reset();
      }
      return 0;
    });
  };
  write_pages(wal_checkpointer::background_pages + 200);
  worker.checkpointer()->wait_for_checkpoint_after(0);
  // Pages were copied into the database file, which held only the schema
  // (two pages) before: only a checkpoint writes there.
  CHECK(fs::file_size(t.file) >= 100u * 4096u);

  // A writer that keeps going past the inline bound checkpoints itself,
  // after any checkpoint of the thread has ended (on a loaded machine the
  // thread's can last several of the writer's commits): the WAL restarts
  // and never grows past the bound and one commit's pages, however slow
  // the thread is, for three times the bound written.
  constexpr int rounds = 9;
  for (int round = 0; round < rounds; ++round) write_pages(wal_checkpointer::inline_pages / 3);
  const auto wal = fs::path(t.file.string() + "-wal");
  CHECK(fs::file_size(wal) <=
        static_cast<std::uintmax_t>(wal_checkpointer::inline_pages + wal_checkpointer::inline_pages / 3 + 64) * 4200);
}

TEST_CASE("a database in memory has no WAL and no checkpointer") {
  db_worker worker(open_database(":memory:"));
  CHECK(worker.checkpointer() == nullptr);
}

TEST_CASE("idle work waits for the grouped jobs queued before it and runs in steps until one says it is done") {
  temp_db t;
  auto conn = open_database(t.file.string());
  conn->exec("CREATE TABLE t (v INTEGER NOT NULL)");
  db_worker worker(std::move(conn));
  std::vector<std::string> events;  // written on the database thread only
  int remaining = 3;
  std::promise<void>* done = nullptr;  // told by the last step
  worker.set_idle_work([&](SQLite::Database&) {
    events.push_back("idle");
    const bool more = --remaining > 0;
    if (!more) done->set_value();
    return more;
  });
  std::promise<void> first;
  done = &first;
  // The database thread held while a step is asked for and three webhooks
  // queue: the step comes first in the queue, yet runs after their group.
  held_thread hold(worker);
  worker.wake_idle();
  boost::asio::io_context io;
  auto job = [&worker, &events]() -> boost::asio::awaitable<void> {
    co_await worker.run_grouped([&events](SQLite::Database& db) {
      events.push_back("job");
      db.exec("INSERT INTO t (v) VALUES (1)");
      return 0;
    });
  };
  for (int i = 0; i < 3; ++i) boost::asio::co_spawn(io, job(), boost::asio::detached);
  io.poll();
  hold.release();
  io.run();
  first.get_future().wait();
  CHECK(events == std::vector<std::string>{"job", "job", "job", "idle", "idle", "idle"});

  // Done: nothing runs until the next wake.
  worker.run_sync([](SQLite::Database&) { return 0; });
  CHECK(events.size() == 6);
  std::promise<void> second;
  done = &second;
  remaining = 1;
  worker.wake_idle();
  second.get_future().wait();
  worker.run_sync([](SQLite::Database&) { return 0; });
  CHECK(events.size() == 7);

  // Stopped: a wake runs nothing.
  worker.stop_idle();
  worker.wake_idle();
  worker.run_sync([](SQLite::Database&) { return 0; });
  CHECK(events.size() == 7);
}

TEST_CASE("a step of idle work that throws is undone and the work rests until the next wake") {
  temp_db t;
  auto conn = open_database(t.file.string());
  conn->exec("CREATE TABLE t (v INTEGER NOT NULL)");
  db_worker worker(std::move(conn));
  int steps = 0;
  worker.set_idle_work([&steps](SQLite::Database& db) {
    ++steps;
    db.exec("BEGIN IMMEDIATE");
    db.exec("INSERT INTO t (v) VALUES (1)");
    if (steps == 1) throw std::runtime_error("refused halfway");
    db.exec("COMMIT");
    return false;
  });
  worker.wake_idle();
  worker.run_sync([](SQLite::Database&) { return 0; });
  CHECK(steps == 1);
  CHECK(worker.run_sync([](SQLite::Database& db) { return db.execAndGet("SELECT COUNT(*) FROM t").getInt(); }) == 0);
  worker.wake_idle();
  CHECK(worker.run_sync([](SQLite::Database& db) { return db.execAndGet("SELECT COUNT(*) FROM t").getInt(); }) == 1);
  CHECK(steps == 2);
}

#include <banditore/store/sqlite/worker.hpp>

#include <banditore/log/log.hpp>
#include <banditore/store/sqlite/checkpointer.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <utility>

namespace banditore::store::sqlite {

struct db_worker::group_statements {
  explicit group_statements(SQLite::Database& db)
      : begin(db, "BEGIN IMMEDIATE"),
        savepoint(db, "SAVEPOINT grouped_job"),
        release(db, "RELEASE grouped_job"),
        rollback_to(db, "ROLLBACK TO grouped_job"),
        commit(db, "COMMIT"),
        rollback(db, "ROLLBACK") {}
  SQLite::Statement begin, savepoint, release, rollback_to, commit, rollback;
};

namespace {
// tryReset: a statement that failed last time reports that failure on its
// next reset, which is not this run's.
void run_once(SQLite::Statement& st) {
  st.tryReset();
  st.exec();
  st.tryReset();
}

// The same holds for the statements the stores keep prepared: one whose
// step failed in a job that was undone would throw that failure at its
// next reset, in whichever job used it next. Every statement of the
// connection is reset once a failed job is undone (between jobs none is
// in use), so that the next job starts clean.
void forget_failures(SQLite::Database& db) {
  sqlite3* handle = db.getHandle();
  for (sqlite3_stmt* st = sqlite3_next_stmt(handle, nullptr); st; st = sqlite3_next_stmt(handle, st))
    sqlite3_reset(st);
}
}  // namespace

db_worker::db_worker(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {
  if (const char* file = sqlite3_db_filename(db_->getHandle(), "main"); file && *file)
    checkpointer_ = std::make_unique<wal_checkpointer>(db_->getHandle(), file);
}

db_worker::~db_worker() {
  // A timed wake would hold the pool until it fires.
  boost::asio::post(pool_, [this] { idle_timer_.cancel(); });
  pool_.join();
  checkpointer_.reset();
  group_st_.reset();  // before the connection they belong to
  db_.reset();
}

void db_worker::post_sync(std::function<void()> job) { boost::asio::post(pool_, std::move(job)); }

void db_worker::enqueue_grouped(grouped_job job) {
  bool post = false;
  {
    std::lock_guard lock(grouped_mutex_);
    grouped_.push_back(std::move(job));
    post = !std::exchange(group_posted_, true);
  }
  // One commit_group() in the queue at a time: jobs that arrive while it
  // waits or runs join the group it takes next.
  if (post) boost::asio::post(pool_, [this] { commit_group(); });
}

void db_worker::commit_group() {
  std::vector<grouped_job> group;
  {
    std::lock_guard lock(grouped_mutex_);
    if (grouped_.size() <= max_group) {
      group.swap(grouped_);
      group_posted_ = false;
    } else {
      auto split = grouped_.begin() + static_cast<std::ptrdiff_t>(max_group);
      group.assign(std::make_move_iterator(grouped_.begin()), std::make_move_iterator(split));
      grouped_.erase(grouped_.begin(), split);
      boost::asio::post(pool_, [this] { commit_group(); });
    }
  }
  if (group.empty()) return;

  std::vector<std::exception_ptr> errors(group.size());
  std::exception_ptr commit_error;
  try {
    if (!group_st_) group_st_ = std::make_unique<group_statements>(*db_);
    auto& st = *group_st_;
    run_once(st.begin);
    // First without savepoints: a savepoint copies every page its job
    // changes into the statement journal and frees the copies at RELEASE,
    // about a sixth of an "Attiva"'s instructions, for the rare job that
    // throws. When one does, the whole transaction goes back and the group
    // runs again with a savepoint per job, so that only its changes are
    // undone (the others' work runs twice, and changes the database once).
    bool all_ran = true;
    for (auto& job : group) {
      try {
        job.work(*db_);
      } catch (...) {
        all_ran = false;
        break;
      }
    }
    if (!all_ran) {
      // (An error of the database may have ended the transaction already.)
      if (sqlite3_get_autocommit(db_->getHandle()) == 0) run_once(st.rollback);
      forget_failures(*db_);
      run_once(st.begin);
      for (std::size_t i = 0; i < group.size(); ++i) {
        run_once(st.savepoint);
        try {
          group[i].work(*db_);
          run_once(st.release);
        } catch (...) {
          errors[i] = std::current_exception();
          // Undo this job's changes alone; the transaction stays open.
          run_once(st.rollback_to);
          run_once(st.release);
          forget_failures(*db_);
        }
      }
    }
    run_once(st.commit);
  } catch (...) {
    commit_error = std::current_exception();
    try {
      if (sqlite3_get_autocommit(db_->getHandle()) == 0) db_->exec("ROLLBACK");
    } catch (const std::exception& e) {
      log::error("db.group_rollback_failed", {{"error", e.what()}});
    }
  }
  if (!commit_error && group_observer_) group_observer_(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) group[i].finish(commit_error ? commit_error : errors[i]);
  std::lock_guard lock(grouped_mutex_);
  post_idle_locked();
}

void db_worker::wake_idle() {
  std::lock_guard lock(grouped_mutex_);
  idle_wanted_ = true;
  post_idle_locked();
}

void db_worker::set_idle_work(std::function<bool(SQLite::Database&)> step) {
  std::lock_guard lock(grouped_mutex_);
  idle_ = std::move(step);
}

void db_worker::wake_idle_after(std::chrono::steady_clock::duration delay) {
  if (std::exchange(idle_timed_, true)) return;
  idle_timer_.expires_after(delay);
  idle_timer_.async_wait([this](boost::system::error_code ec) {
    idle_timed_ = false;
    if (!ec) wake_idle();
  });
}

void db_worker::stop_idle() {
  {
    std::lock_guard lock(grouped_mutex_);
    idle_stopped_ = true;
  }
  boost::asio::post(pool_, [this] { idle_timer_.cancel(); });
}

void db_worker::post_idle_locked() {
  if (!idle_ || !idle_wanted_ || idle_posted_ || idle_stopped_) return;
  idle_posted_ = true;
  boost::asio::post(pool_, [this] { run_idle(); });
}

void db_worker::run_idle() {
  {
    std::lock_guard lock(grouped_mutex_);
    idle_posted_ = false;
    // A waiting group goes first; its commit_group() posts the step again.
    if (idle_stopped_ || !grouped_.empty()) return;
    idle_wanted_ = false;  // a wake from now on asks for another step
  }
  bool more = false;
  try {
    try {
      more = idle_(*db_);
    } catch (const std::exception& e) {
      log::error("db.idle_work_failed", {{"error", e.what()}});
      throw;
    }
  } catch (...) {
    if (sqlite3_get_autocommit(db_->getHandle()) == 0) {
      try {
        db_->exec("ROLLBACK");
      } catch (const std::exception& r) {
        log::error("db.idle_rollback_failed", {{"error", r.what()}});
      }
    }
    forget_failures(*db_);
  }
  std::lock_guard lock(grouped_mutex_);
  if (more) idle_wanted_ = true;
  post_idle_locked();
}

void reset_statements(SQLite::Database& db) { forget_failures(db); }

}  // namespace banditore::store::sqlite

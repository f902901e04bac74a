#include <banditore/store/sqlite/checkpointer.hpp>

#include <banditore/log/log.hpp>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <utility>

namespace banditore::store::sqlite {

wal_checkpointer::wal_checkpointer(sqlite3* writer, const std::string& path) : writer_(writer), path_(path) {
  sqlite3_wal_hook(writer_, &wal_checkpointer::on_commit, this);
  thread_ = std::thread([this] { run(); });
}

wal_checkpointer::~wal_checkpointer() {
  sqlite3_wal_autocheckpoint(writer_, background_pages);  // SQLite's own hook again
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

// On the writer's thread, after each COMMIT, with the WAL's size in pages.
int wal_checkpointer::on_commit(void* self, sqlite3* db, const char* schema, int pages) {
  auto& me = *static_cast<wal_checkpointer*>(self);
  if (pages >= inline_pages || (pages >= background_pages && me.unavailable_.load())) {
    // Returning an error here would be reported as the COMMIT's, which
    // has happened: a failure is logged and the next COMMIT tries again.
    // A checkpoint of the thread still running would make this one give
    // up at once (SQLITE_BUSY: one checkpointer at a time) and the WAL
    // would grow on for as long as the thread is slow, which a loaded
    // machine stretches without bound: the writer waits for it instead
    // (at most one checkpoint's time; it holds no lock of SQLite's here,
    // the COMMIT having released them), then copies what is left.
    std::lock_guard one_at_a_time(me.checkpointing_);
    const int rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      log::warn("db.checkpoint_failed", {{"where", "inline"}, {"error", sqlite3_errstr(rc)}});
    return SQLITE_OK;
  }
  if (pages >= background_pages) {
    bool wake = false;
    {
      std::lock_guard lock(me.mutex_);
      wake = !std::exchange(me.wanted_, true);
    }
    if (wake) me.wake_.notify_one();
  }
  return SQLITE_OK;
}

void wal_checkpointer::run() {
  sqlite3* db = nullptr;
  // Its own connection: a checkpoint needs no write lock, and a PASSIVE
  // one gives way to the writer instead of waiting for it.
  if (const int rc = sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
      rc != SQLITE_OK) {
    log::error("db.checkpointer_unavailable", {{"error", sqlite3_errstr(rc)}});
    sqlite3_close(db);
    unavailable_ = true;  // the writer checkpoints inline, as SQLite does
    return;
  }
  // A new connection learns that the file is in WAL mode when it first
  // reads it; until then a checkpoint is a silent no-op.
  sqlite3_busy_timeout(db, 5000);
  if (const int rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr); rc != SQLITE_OK)
    log::warn("db.checkpointer_read_failed", {{"error", sqlite3_errstr(rc)}});
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return wanted_ || stopping_; });
      if (stopping_) break;
      wanted_ = false;
    }
    int rc = SQLITE_OK;
    {
      std::lock_guard one_at_a_time(checkpointing_);
      rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      log::warn("db.checkpoint_failed", {{"where", "background"}, {"error", sqlite3_errstr(rc)}});
    {
      std::lock_guard lock(mutex_);
      ++checkpoints_;
    }
    done_.notify_all();
  }
  sqlite3_close(db);
}

std::uint64_t wal_checkpointer::wait_for_checkpoint_after(std::uint64_t seen) {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return checkpoints_ > seen; });
  return checkpoints_;
}

}  // namespace banditore::store::sqlite

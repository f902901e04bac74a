// WAL checkpoints off the writer's thread.
//
// SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000
// pages of WAL, on the committing thread: it copies the pages back into
// the database file and waits for two fdatasync calls, and every webhook
// queued behind that COMMIT waits with it (measured: a quarter to a half
// of the ingest throughput, and most of its p99). Here the writer's COMMIT
// only reports the WAL's size (sqlite3_wal_hook); past `background_pages`
// a thread with its own connection runs a PASSIVE checkpoint, which never
// blocks the writer. A writer that outruns it for long (past
// `inline_pages`, about 40 MB of WAL) checkpoints inline as before, after
// waiting for a checkpoint of the thread to end, which bounds the WAL:
// that checkpoint copies everything no reader still needs, and the next
// write starts the WAL over.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace banditore::store::sqlite {

class wal_checkpointer {
 public:
  static constexpr int background_pages = 1000;  // SQLite's default autocheckpoint
  static constexpr int inline_pages = 10000;

  // Takes over the WAL hook of `writer` (a connection in WAL mode to the
  // file at `path`) and starts the checkpoint thread.
  wal_checkpointer(sqlite3* writer, const std::string& path);
  ~wal_checkpointer();  // stops the thread; the hook goes back to SQLite's default
  wal_checkpointer(const wal_checkpointer&) = delete;
  wal_checkpointer& operator=(const wal_checkpointer&) = delete;

  // Checkpoints finished by the thread so far; waits until there are more
  // than `seen` (tests).
  std::uint64_t wait_for_checkpoint_after(std::uint64_t seen);

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  sqlite3* writer_;
  std::string path_;
  std::mutex mutex_;
  std::mutex checkpointing_;  // held around each checkpoint: the thread's, or the writer's inline one
  std::condition_variable wake_, done_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::uint64_t checkpoints_ = 0;
  std::atomic<bool> unavailable_ = false;  // no connection of its own
  std::thread thread_;
};

}  // namespace banditore::store::sqlite

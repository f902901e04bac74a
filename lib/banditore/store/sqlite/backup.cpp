#include <banditore/store/sqlite/backup.hpp>

#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>

#include <fmt/format.h>
#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace banditore::store::sqlite {

namespace fs = std::filesystem;

namespace {

std::runtime_error io_error(std::string_view what, const fs::path& path) {
  return std::runtime_error(fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

// Data first, then the directory entry of the rename: after a power cut the
// destination is the old backup or the new one, never half of one.
void sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw io_error("cannot open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw io_error("cannot sync", path);
}

void remove_temporary(const fs::path& tmp) {
  std::error_code ignored;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(fs::path(tmp.string() + suffix), ignored);
}

}  // namespace

backup_result backup_database(SQLite::Database& source, const fs::path& destination, bool overwrite) {
  backup_result result;
  std::error_code ec;
  const fs::path source_path = source.getFilename();
  if (!source_path.empty() && fs::exists(destination) && fs::equivalent(destination, source_path, ec))
    throw std::invalid_argument(fmt::format("{} is the database itself", destination.string()));
  if (!overwrite && fs::exists(destination)) {
    result.outcome = backup_outcome::destination_exists;
    return result;
  }

  const fs::path tmp = destination.string() + ".tmp";
  remove_temporary(tmp);  // left by an interrupted backup
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw io_error("cannot create", tmp);
  ::close(fd);

  try {
    {
      SQLite::Database copy(tmp.string(), SQLite::OPEN_READWRITE);
      {
        // All pages in one step: one read transaction, so one consistent
        // snapshot, however busy the writer is meanwhile.
        SQLite::Backup backup(copy, source);
        const int rc = backup.executeStep(-1);
        if (rc != SQLITE_DONE)
          throw std::runtime_error(fmt::format("the database stayed busy: {}", sqlite3_errstr(rc)));
      }
      // A single self-contained file, without a -wal beside it.
      copy.exec("PRAGMA journal_mode = DELETE");
      const auto check = copy.execAndGet("PRAGMA quick_check").getString();
      if (check != "ok") throw std::runtime_error(fmt::format("the copy failed its check: {}", check));
      result.schema_version = copy.execAndGet("PRAGMA user_version").getInt();
    }
    sync_path(tmp, O_RDONLY);
    if (!overwrite && fs::exists(destination)) {  // appeared meanwhile
      remove_temporary(tmp);
      result.outcome = backup_outcome::destination_exists;
      return result;
    }
    fs::rename(tmp, destination);
    const auto parent = destination.parent_path();
    sync_path(parent.empty() ? fs::path(".") : parent, O_RDONLY | O_DIRECTORY);
  } catch (...) {
    remove_temporary(tmp);
    throw;
  }
  result.bytes = fs::file_size(destination);
  return result;
}

backup_result backup_database(const std::string& source_path, const fs::path& destination, bool overwrite) {
  auto db = open_database(source_path);
  return backup_database(*db, destination, overwrite);
}

}  // namespace banditore::store::sqlite

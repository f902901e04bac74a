#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <stdexcept>

namespace banditore::store::sqlite {

namespace {
constexpr std::string_view marker = "-- migration ";
}

std::vector<migration> parse_migrations(std::string_view schema) {
  std::vector<migration> out;
  std::size_t pos = 0;
  while (pos < schema.size()) {
    auto end = schema.find('\n', pos);
    if (end == std::string_view::npos) end = schema.size();
    auto line = schema.substr(pos, end - pos);
    if (line.starts_with(marker)) {
      auto rest = line.substr(marker.size());
      int number = 0;
      auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
      if (ec != std::errc{} || number <= 0)
        throw std::runtime_error(fmt::format("schema.sql: bad migration header '{}'", line));
      int expected = out.empty() ? 1 : out.back().version + 1;
      if (number != expected)
        throw std::runtime_error(
            fmt::format("schema.sql: migration {} found where {} was expected", number, expected));
      std::string_view name(p, rest.data() + rest.size() - p);
      while (!name.empty() && (name.front() == ':' || name.front() == ' ')) name.remove_prefix(1);
      out.push_back({number, std::string(name), {}});
    } else if (!out.empty()) {
      out.back().sql.append(line).push_back('\n');
    }
    pos = end + 1;
  }
  if (out.empty()) throw std::runtime_error("schema.sql: no migrations found");
  return out;
}

int latest_schema_version() {
  static const int latest = parse_migrations(schema_sql).back().version;
  return latest;
}

std::unique_ptr<SQLite::Database> open_database(const std::string& path) {
  if (path != ":memory:") {
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    // SQLite would create the file 0644 less the umask (readable by all
    // outside systemd), and gives -wal and -shm the database file's mode:
    // created here 0600 first, all three stay private whatever the umask.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  // SQLite's allocation statistics take a global mutex on every malloc;
  // nothing reads them. Settable only before the library initialises
  // (else SQLITE_MISUSE, harmless).
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  // NOMUTEX: a connection is only ever used by one thread at a time (the
  // database thread, or a command's main thread), so the per-call
  // connection mutex is pure cost.
  auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX);
  db->setBusyTimeout(5000);
  if (path != ":memory:") db->exec("PRAGMA journal_mode = WAL");
  db->exec("PRAGMA synchronous = NORMAL");
  db->exec("PRAGMA foreign_keys = ON");
  // A grouped job's savepoint needs a statement journal: in memory, not a
  // temporary file created and unlinked for every group.
  db->exec("PRAGMA temp_store = MEMORY");
  // The page cache stays SQLite's default (2 MB): the pages read again come
  // from the kernel's cache, and the service's memory stays flat however
  // many subscribers a broadcast reads (the README's fan-out figures).
  return db;
}

int migrate(SQLite::Database& db) {
  const auto migrations = parse_migrations(schema_sql);
  const int current = db.execAndGet("PRAGMA user_version").getInt();
  if (current > migrations.back().version)
    throw std::runtime_error(fmt::format(
        "database schema version {} is newer than this binary's {}: refusing to run an older banditore on it",
        current, migrations.back().version));
  int applied = 0;
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    SQLite::Transaction tx(db);
    db.exec(m.sql);
    db.exec(fmt::format("PRAGMA user_version = {}", m.version));
    tx.commit();
    ++applied;
  }
  return applied;
}

}  // namespace banditore::store::sqlite

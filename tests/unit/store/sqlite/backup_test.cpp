#include <banditore/store/sqlite/backup.hpp>

#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include <unistd.h>

using namespace banditore::store;
using namespace banditore::store::sqlite;
namespace fs = std::filesystem;

namespace {

struct scratch {
  fs::path dir;
  std::unique_ptr<SQLite::Database> db;
  scratch() {
    static std::atomic<int> n{0};
    dir = fs::temp_directory_path() / ("banditore_backup_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    db = open_database((dir / "live.db").string());
    migrate(*db);
    db->exec("INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (x'01', x'00', 0), (x'02', x'00', 0)");
  }
  ~scratch() {
    db.reset();
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

int subscribers_in(const fs::path& file) {
  SQLite::Database copy(file.string(), SQLite::OPEN_READONLY);
  return copy.execAndGet("SELECT COUNT(*) FROM subscribers").getInt();
}

}  // namespace

TEST_CASE("a backup is a readable database with the same rows and schema version") {
  scratch s;
  auto r = backup_database(*s.db, s.dir / "copy.db", false);
  CHECK(r.outcome == backup_outcome::written);
  CHECK(r.schema_version == latest_schema_version());
  CHECK(r.bytes == fs::file_size(s.dir / "copy.db"));
  CHECK(subscribers_in(s.dir / "copy.db") == 2);
}

TEST_CASE("a backup leaves no temporary file and no -wal beside the copy") {
  scratch s;
  backup_database(*s.db, s.dir / "copy.db", false);
  CHECK_FALSE(fs::exists(s.dir / "copy.db.tmp"));
  CHECK_FALSE(fs::exists(s.dir / "copy.db-wal"));
  SQLite::Database copy((s.dir / "copy.db").string(), SQLite::OPEN_READONLY);
  CHECK(copy.execAndGet("PRAGMA journal_mode").getString() == "delete");
}

TEST_CASE("a backup file is readable by its owner only") {
  scratch s;
  backup_database(*s.db, s.dir / "copy.db", false);
  const auto perms = fs::status(s.dir / "copy.db").permissions();
  CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
}

TEST_CASE("an existing destination is kept unless overwriting is allowed") {
  scratch s;
  std::ofstream(s.dir / "copy.db") << "precious";
  CHECK(backup_database(*s.db, s.dir / "copy.db", false).outcome == backup_outcome::destination_exists);
  CHECK(fs::file_size(s.dir / "copy.db") == 8);
  CHECK(backup_database(*s.db, s.dir / "copy.db", true).outcome == backup_outcome::written);
  CHECK(subscribers_in(s.dir / "copy.db") == 2);
}

TEST_CASE("a stale temporary file from an interrupted backup does not stop the next one") {
  scratch s;
  std::ofstream(s.dir / "copy.db.tmp") << "half";
  CHECK(backup_database(*s.db, s.dir / "copy.db", false).outcome == backup_outcome::written);
  CHECK(subscribers_in(s.dir / "copy.db") == 2);
}

TEST_CASE("a backup over the database itself is refused even when overwriting") {
  scratch s;
  CHECK_THROWS_AS(backup_database(*s.db, s.dir / "live.db", true), std::invalid_argument);
  CHECK(s.db->execAndGet("SELECT COUNT(*) FROM subscribers").getInt() == 2);
}

TEST_CASE("a backup into a missing directory fails and leaves nothing behind") {
  scratch s;
  CHECK_THROWS_AS(backup_database(*s.db, s.dir / "nowhere" / "copy.db", false), std::runtime_error);
  CHECK_FALSE(fs::exists(s.dir / "nowhere"));
}

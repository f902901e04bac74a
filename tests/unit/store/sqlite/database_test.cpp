#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

using namespace banditore::store;
using namespace banditore::store::sqlite;

TEST_CASE("schema.sql splits into consecutive numbered migrations") {
  auto ms = parse_migrations(schema_sql);
  REQUIRE(!ms.empty());
  for (std::size_t i = 0; i < ms.size(); ++i) CHECK(ms[i].version == int(i) + 1);
  CHECK(latest_schema_version() == ms.back().version);
}

TEST_CASE("a gap in migration numbers is refused") {
  CHECK_THROWS(parse_migrations("-- migration 1: a\nSELECT 1;\n-- migration 3: c\nSELECT 1;\n"));
  CHECK_THROWS(parse_migrations("CREATE TABLE t(x);\n"));
}

TEST_CASE("migrating twice applies nothing the second time") {
  auto db = open_database(":memory:");
  CHECK(migrate(*db) == latest_schema_version());
  CHECK(migrate(*db) == 0);
  CHECK(db->execAndGet("PRAGMA user_version").getInt() == latest_schema_version());
  CHECK(db->tableExists("subscribers"));
  CHECK(db->tableExists("outbox"));
}

TEST_CASE("a database newer than the binary is refused") {
  auto db = open_database(":memory:");
  db->exec("PRAGMA user_version = 9999");
  CHECK_THROWS_WITH_AS(migrate(*db), doctest::Contains("newer"), std::runtime_error);
}

TEST_CASE("a new database and its -wal and -shm files are 0600 whatever the umask") {
  const auto dir = std::filesystem::temp_directory_path() / ("banditore-mode-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto path = (dir / "new.db").string();
  const auto old_mask = ::umask(0);
  {
    auto db = open_database(path);
    migrate(*db);
    // A write keeps the -wal and -shm files in place while the connection is open.
    db->exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)");
    for (const auto& name : {path, path + "-wal", path + "-shm"}) {
      CAPTURE(name);
      struct stat st {};
      REQUIRE(::stat(name.c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
    }
  }
  ::umask(old_mask);
  std::filesystem::remove_all(dir);
}

#include <banditore/store/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

using namespace banditore::store;

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

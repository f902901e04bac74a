#include <banditore/store/sqlite/audit.hpp>

#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

using namespace banditore::store;
using namespace banditore::store::sqlite;

TEST_CASE("the audit log reads back newest first, up to the limit") {
  auto db = open_database(":memory:");
  migrate(*db);
  record_audit(*db, "cli", "key.create", std::nullopt, 7, "name=a", 1000);
  record_audit(*db, "key:7", "alert.create", 3, 7, "", 2000);
  record_audit(*db, "cli", "key.revoke", std::nullopt, 7, "name=a", 3000);

  auto two = recent_audit(*db, 2);
  REQUIRE(two.size() == 2);
  CHECK(two[0].action == "key.revoke");
  CHECK(two[1].action == "alert.create");
  CHECK(two[1].actor == "key:7");
  CHECK(two[1].alert_id == 3);
  CHECK(two[1].api_key_id == 7);
  CHECK(two[1].at == 2000);
  CHECK(two[1].detail.empty());
  CHECK(recent_audit(*db, 10).size() == 3);
}

TEST_CASE("an audit entry without alert or key stores no ids") {
  auto db = open_database(":memory:");
  migrate(*db);
  record_audit(*db, "cli", "backup", std::nullopt, std::nullopt, "to /tmp/x", 1);
  auto e = recent_audit(*db, 1).at(0);
  CHECK_FALSE(e.alert_id.has_value());
  CHECK_FALSE(e.api_key_id.has_value());
  CHECK(e.detail == "to /tmp/x");
  CHECK(db->execAndGet("SELECT COUNT(*) FROM audit_log WHERE alert_id IS NULL AND api_key_id IS NULL").getInt() == 1);
}

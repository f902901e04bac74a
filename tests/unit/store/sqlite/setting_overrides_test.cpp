#include <banditore/store/sqlite/setting_overrides.hpp>

#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

nlohmann::json last_audit(SQLite::Database& db, std::string& action, std::string& actor) {
  SQLite::Statement q(db, "SELECT action, actor, detail FROM audit_log ORDER BY id DESC LIMIT 1");
  REQUIRE(q.executeStep());
  action = q.getColumn(0).getString();
  actor = q.getColumn(1).getString();
  return nlohmann::json::parse(q.getColumn(2).getString());
}

}  // namespace

TEST_CASE("setting overrides: set, changed again and returned to the environment, each audited with old and new") {
  auto db = open_database(":memory:");
  migrate(*db);
  CHECK(read_setting_overrides(*db).empty());

  auto first = change_setting_override(*db, {"BANDITORE_APPROVAL_RULE", "all", "none", "staff:a@b.it", 1000});
  CHECK(first.changed);
  CHECK(first.old_value == "none");  // no override before: the environment's
  REQUIRE(first.overrides.size() == 1);
  CHECK(first.overrides[0].value == "all");
  CHECK(first.overrides[0].changed_by == "staff:a@b.it");
  CHECK(first.overrides[0].changed_at == 1000);
  std::string action, actor;
  auto detail = last_audit(*db, action, actor);
  CHECK(action == "setting.change");
  CHECK(actor == "staff:a@b.it");
  CHECK(detail == nlohmann::json{{"name", "BANDITORE_APPROVAL_RULE"}, {"old", "none"}, {"new", "all"}});

  auto second = change_setting_override(*db, {"BANDITORE_APPROVAL_RULE", "severity>=severe", "none", "key:x", 2000});
  CHECK(second.old_value == "all");
  CHECK(second.sequence > first.sequence);
  CHECK(second.overrides.at(0).value == "severity>=severe");

  auto back = change_setting_override(*db, {"BANDITORE_APPROVAL_RULE", std::nullopt, "none", "staff:a@b.it", 3000});
  CHECK(back.changed);
  CHECK(back.old_value == "severity>=severe");
  CHECK(back.overrides.empty());
  detail = last_audit(*db, action, actor);
  CHECK(action == "setting.reset");
  CHECK(detail["new"] == "none");

  // Returning again changes nothing and writes no audit row.
  const auto rows = db->execAndGet("SELECT COUNT(*) FROM audit_log").getInt();
  auto again = change_setting_override(*db, {"BANDITORE_APPROVAL_RULE", std::nullopt, "none", "staff:a@b.it", 4000});
  CHECK_FALSE(again.changed);
  CHECK(db->execAndGet("SELECT COUNT(*) FROM audit_log").getInt() == rows);
}

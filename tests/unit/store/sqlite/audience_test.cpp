#include <banditore/store/sqlite/audience.hpp>

#include <banditore/store/sqlite/audit.hpp>
#include <banditore/store/sqlite/choices.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/open.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <memory>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;
using domain::catalogue_kind;
using domain::catalogue_outcome;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;
const actor operator_cli{"cli", std::nullopt};

struct fixture {
  std::unique_ptr<SQLite::Database> db = [] {
    auto d = open_database(":memory:");
    migrate(*d);
    return d;
  }();
};

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    static int n = 0;
    path = std::filesystem::temp_directory_path() /
           ("banditore_audience_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::create_directories(path);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("a new database starts with no towns, topics or areas until it is seeded") {
  fixture f;
  auto c = read_catalogue(*f.db);
  CHECK(c.towns.empty());
  CHECK(c.topics.empty());
  CHECK(c.areas.empty());
}

TEST_CASE("seeding writes the default topics and the configured town once") {
  fixture f;
  CHECK(seed_catalogue(*f.db, domain::configured_town("Lugo")));
  auto c = read_catalogue(*f.db);
  REQUIRE(c.towns.size() == 1);
  CHECK(c.towns[0].id == "lugo");
  CHECK(c.towns[0].name == "Comune di Lugo");
  const auto defaults = domain::default_topics();
  REQUIRE(c.topics.size() == defaults.size());
  for (std::size_t i = 0; i < defaults.size(); ++i) {
    CHECK(c.topics[i].id == defaults[i].id);
    CHECK(c.topics[i].name == defaults[i].name);
    CHECK(c.topics[i].keywords == defaults[i].keywords);
    CHECK(c.topics[i].in_default == defaults[i].in_default);
  }
  // An operator's removal is not undone by the next start.
  CHECK(remove_catalogue_entry(*f.db, catalogue_kind::topic, "eventi", operator_cli, t0).ok());
  CHECK_FALSE(seed_catalogue(*f.db, domain::configured_town("Lugo")));
  CHECK(read_catalogue(*f.db).topics.size() == defaults.size() - 1);
}

TEST_CASE("entries are added, changed and removed, each with an audit row, and read back in order") {
  fixture f;
  CHECK(add_catalogue_entry(*f.db, domain::town{"lugo", "Comune di Lugo", {"Lugo di Romagna"}, "039012"},
                            operator_cli, t0).ok());
  CHECK(add_catalogue_entry(*f.db, domain::area{"voltana", "lugo", "Voltana", {}}, operator_cli, t0).ok());
  CHECK(add_catalogue_entry(*f.db, domain::area{"fabriago", "lugo", "Santa Maria in Fabriago", {"Fabriago"}},
                            operator_cli, t0).ok());
  CHECK(update_catalogue_entry(*f.db, domain::area{"voltana", "lugo", "Voltana di Lugo", {"Voltana"}},
                               operator_cli, t0).ok());
  auto c = read_catalogue(*f.db);
  REQUIRE(c.towns.size() == 1);
  CHECK(c.towns[0].istat_code == "039012");
  CHECK(c.towns[0].keywords == std::vector<std::string>{"Lugo di Romagna"});
  REQUIRE(c.areas.size() == 2);
  CHECK(c.areas[0].id == "voltana");
  CHECK(c.areas[0].name == "Voltana di Lugo");
  CHECK(c.areas[1].keywords == std::vector<std::string>{"Fabriago"});
  auto log = recent_audit(*f.db, 10);
  REQUIRE(log.size() == 4);
  CHECK(log.front().action == "area.update");
  CHECK(log.front().detail == "voltana");
}

TEST_CASE("a refused change writes nothing") {
  fixture f;
  CHECK(add_catalogue_entry(*f.db, domain::town{"lugo", "Comune di Lugo", {}, ""}, operator_cli, t0).ok());
  CHECK(add_catalogue_entry(*f.db, domain::area{"voltana", "lugo", "Voltana", {}}, operator_cli, t0).ok());
  CHECK(add_catalogue_entry(*f.db, domain::town{"lugo", "Lugo again", {}, ""}, operator_cli, t0).outcome ==
        catalogue_outcome::duplicate);
  CHECK(add_catalogue_entry(*f.db, domain::area{"x", "nowhere", "X", {}}, operator_cli, t0).field == "town");
  auto refused = remove_catalogue_entry(*f.db, catalogue_kind::town, "lugo", operator_cli, t0);
  CHECK(refused.outcome == catalogue_outcome::in_use);
  CHECK(refused.reason.find("voltana") != std::string::npos);
  CHECK(update_catalogue_entry(*f.db, domain::topic{"acqua", "Acqua", {}, true}, operator_cli, t0).outcome ==
        catalogue_outcome::not_found);
  auto c = read_catalogue(*f.db);
  CHECK(c.towns.size() == 1);
  CHECK(c.towns[0].name == "Comune di Lugo");
  CHECK(c.areas.size() == 1);
  CHECK(recent_audit(*f.db, 10).size() == 2);
}

TEST_CASE("a database of the previous version migrates and has today's town and the default topics") {
  temp_dir dir;
  const auto db_path = (dir.path / "banditore.db").string();
  {
    // Built as the previous release did: every migration before this one.
    auto db = open_database(db_path);
    for (const auto& m : parse_migrations(schema_sql)) {
      if (m.version > 8) break;
      SQLite::Transaction tx(*db);
      db->exec(m.sql);
      db->exec("PRAGMA user_version = " + std::to_string(m.version));
      tx.commit();
    }
    db->exec("INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (x'01', x'02', 1)");
    db->exec("INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (x'03', x'04', 2)");
  }
  config::settings s;
  s.db_path = db_path;
  s.key_file = (dir.path / "banditore.key").string();
  s.town = "Lugo";
  auto opened = open_store(s);
  CHECK(opened.migrations_applied == latest_schema_version() - 8);
  auto c = read_catalogue(*opened.db);
  REQUIRE(c.towns.size() == 1);
  CHECK(c.towns[0].id == "lugo");
  CHECK(c.topics.size() == domain::default_topics().size());
  CHECK(opened.db->execAndGet("SELECT COUNT(*) FROM subscribers").getInt() == 2);

  // Everyone keeps receiving what they received: the town, every default
  // topic, no area, no floor.
  std::size_t in_default = 0;
  for (const auto& t : domain::default_topics()) in_default += t.in_default ? 1 : 0;
  auto& db = *opened.db;
  CHECK(db.execAndGet("SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'lugo'").getInt() == 2);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM subscriber_topics").getInt64() == static_cast<std::int64_t>(2 * in_default));
  CHECK(db.execAndGet("SELECT COUNT(DISTINCT subscriber_id) FROM subscriber_topics").getInt() == 2);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM subscriber_areas").getInt() == 0);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM subscribers WHERE only_severe").getInt() == 0);
  // Once: a second start gives nothing twice.
  CHECK(seed_choices(db) == 0);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM subscriber_towns").getInt() == 2);
}

TEST_CASE("a new subscriber gets the only town and the default topics; their choices go with them") {
  fixture f;
  seed_catalogue(*f.db, domain::town{"lugo", "Comune di Lugo", {}, {}});
  seed_choices(*f.db);
  f.db->exec("INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (x'01', x'02', 1)");
  default_choices choices(*f.db);
  choices.give(f.db->getLastInsertRowid());
  CHECK(f.db->execAndGet("SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'lugo'").getInt() == 1);
  CHECK(f.db->execAndGet("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'emergenze'").getInt() == 1);

  // A chosen topic or town cannot be removed from under its subscribers.
  auto refused = remove_catalogue_entry(*f.db, catalogue_kind::topic, "emergenze", operator_cli, t0);
  CHECK(refused.outcome == catalogue_outcome::in_use);
  CHECK(refused.reason.find("1 subscriber") != std::string::npos);
  CHECK(remove_catalogue_entry(*f.db, catalogue_kind::town, "lugo", operator_cli, t0).outcome ==
        catalogue_outcome::in_use);

  f.db->exec("DELETE FROM subscribers");
  CHECK(f.db->execAndGet("SELECT COUNT(*) FROM subscriber_towns").getInt() == 0);
  CHECK(f.db->execAndGet("SELECT COUNT(*) FROM subscriber_topics").getInt() == 0);
  CHECK(remove_catalogue_entry(*f.db, catalogue_kind::topic, "emergenze", operator_cli, t0).ok());
}

TEST_CASE("with several towns a new subscriber has no town until they choose one") {
  fixture f;
  seed_catalogue(*f.db, domain::town{"lugo", "Comune di Lugo", {}, {}});
  REQUIRE(add_catalogue_entry(*f.db, domain::town{"cotignola", "Comune di Cotignola", {}, {}}, operator_cli, t0).ok());
  f.db->exec("INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (x'01', x'02', 1)");
  default_choices(*f.db).give(f.db->getLastInsertRowid());
  CHECK(f.db->execAndGet("SELECT COUNT(*) FROM subscriber_towns").getInt() == 0);
  CHECK(f.db->execAndGet("SELECT COUNT(*) FROM subscriber_topics").getInt() > 0);
}

#include <banditore/store/sqlite/subscriber_figures.hpp>

#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

TEST_CASE("subscriber changes are counted per day of the zone from the consent log") {
  auto db = open_database(":memory:");
  migrate(*db);
  constexpr std::int64_t day = 86400000, hour = 3600000;
  db->exec("INSERT INTO consent_log (phone_hash, event, at) VALUES "
           "(x'01', 'subscribe', " + std::to_string(10 * day + 2 * hour) + "), "
           "(x'02', 'import', " + std::to_string(10 * day + 3 * hour) + "), "
           "(x'01', 'unsubscribe', " + std::to_string(11 * day - hour / 2) + "), "
           "(x'03', 'add', " + std::to_string(11 * day) + "), "
           "(x'04', 'subscribe', " + std::to_string(2 * day) + ")");
  // An hour ahead of UTC: the unsubscribe half an hour before midnight UTC is the next day.
  const auto changes = subscriber_changes(*db, 5 * day, hour);
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].day == 10);
  CHECK(changes[0].joined == 2);
  CHECK(changes[0].left == 0);
  CHECK(changes[1].day == 11);
  CHECK(changes[1].left == 1);
}

TEST_CASE("subscribers are counted per town and topic, every catalogue entry included") {
  auto db = open_database(":memory:");
  migrate(*db);
  db->exec("INSERT INTO towns (id, name) VALUES ('lugo', 'Lugo'), ('voltana', 'Voltana')");
  db->exec("INSERT OR IGNORE INTO topics (id, name) VALUES ('acqua', 'Acqua')");
  db->exec("INSERT INTO subscribers (id, phone_hash, phone_cipher, subscribed_at) VALUES (1, x'01', x'00', 0), "
           "(2, x'02', x'00', 0)");
  db->exec("INSERT INTO subscriber_towns (town_id, subscriber_id) VALUES ('lugo', 1), ('lugo', 2)");
  db->exec("INSERT INTO subscriber_topics (topic_id, subscriber_id) VALUES ('acqua', 2)");
  const auto f = subscribers_by_audience(*db);
  CHECK(f.subscribers == 2);
  REQUIRE(f.towns.size() == 2);
  CHECK(f.towns[0] == std::pair<std::string, std::int64_t>{"lugo", 2});
  CHECK(f.towns[1] == std::pair<std::string, std::int64_t>{"voltana", 0});
  bool water = false;
  for (const auto& [id, n] : f.topics)
    if (id == "acqua") water = n == 1;
  CHECK(water);
}

#include <banditore/store/sqlite/alert_trail.hpp>

#include <banditore/store/sqlite/audit.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

TEST_CASE("an alert's trail holds its own audit entries, oldest first") {
  auto db = open_database(":memory:");
  migrate(*db);
  record_audit(*db, "key:stampa", "alert.create", 7, 1, "", 1000);
  record_audit(*db, "cli", "key.revoke", std::nullopt, 1, "", 1500);
  record_audit(*db, "staff:a@comune.it", "alert.cancel", 7, std::nullopt, "", 2000);
  record_audit(*db, "cli", "alert.cancel", 8, std::nullopt, "", 2500);
  const auto trail = alert_audit(*db, 7);
  REQUIRE(trail.size() == 2);
  CHECK(trail[0].actor == "key:stampa");
  CHECK(trail[1].action == "alert.cancel");
  CHECK(trail[1].at == 2000);
}

TEST_CASE("an alert's deliveries are counted per period by when each was sent, delivered, read or failed") {
  auto db = open_database(":memory:");
  migrate(*db);
  auto row = [&db](int subscriber, std::string state, std::string sent, std::string delivered, std::string read,
                   int updated) {
    db->exec("INSERT INTO outbox (priority, state, phone_hash, alert_id, subscriber_id, not_before, created_at, "
             "sent_at, delivered_at, read_at, updated_at) VALUES (1, '" + state + "', x'01', 7, " +
             std::to_string(subscriber) + ", 0, 0, " + sent + ", " + delivered + ", " + read + ", " +
             std::to_string(updated) + ")");
  };
  row(1, "read", "61000", "62000", "125000", 125000);
  row(2, "delivered", "65000", "130000", "NULL", 130000);
  row(3, "failed", "NULL", "NULL", "NULL", 70000);
  row(4, "queued", "NULL", "NULL", "NULL", 0);
  const auto periods = delivery_timeline(*db, 7, 60000);
  REQUIRE(periods.size() == 2);
  CHECK(periods[0].start_ms == 60000);
  CHECK(periods[0].sent == 2);
  CHECK(periods[0].delivered == 1);
  CHECK(periods[0].failed == 1);
  CHECK(periods[1].start_ms == 120000);
  CHECK(periods[1].delivered == 1);
  CHECK(periods[1].read == 1);
  CHECK(delivery_timeline(*db, 8, 60000).empty());
}

#include <banditore/store/sqlite/figures.hpp>

#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

using namespace banditore::store;
using namespace banditore::store::sqlite;

TEST_CASE("the store figures count subscribers, flagged ones and outbox rows by state") {
  auto db = open_database(":memory:");
  migrate(*db);
  db->exec("INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (x'01', x'00', 0), (x'02', x'00', 0)");
  db->exec("UPDATE subscribers SET flagged_at = 1 WHERE phone_hash = x'02'");
  db->exec("INSERT INTO outbox (priority, state, phone_hash, not_before, created_at, updated_at) VALUES "
           "(0, 'queued', x'01', 1000, 0, 0), (0, 'queued', x'01', 9000, 0, 0), (0, 'sent', x'01', 0, 0, 0)");
  auto f = read_store_figures(*db, 5000);
  CHECK(f.subscribers == 2);
  CHECK(f.flagged == 1);
  CHECK(f.outbox_by_state.at("queued") == 2);
  CHECK(f.outbox_by_state.at("sent") == 1);
  CHECK(f.outbox_by_state.at("failed") == 0);
  CHECK(f.outbox_by_state.size() == 7);
  CHECK(f.oldest_due_ms == 4000);  // the row due at 9000 is not late yet
}

TEST_CASE("with nothing due the oldest due wait is zero") {
  auto db = open_database(":memory:");
  migrate(*db);
  CHECK(read_store_figures(*db, 5000).oldest_due_ms == 0);
}

#include <banditore/store/alerts.hpp>

#include <banditore/domain/alert.hpp>
#include <banditore/store/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <string>

using namespace banditore;
using namespace banditore::store;

namespace {

const std::int64_t now = *domain::parse_rfc3339("2025-03-01T12:00:00Z");

std::unique_ptr<SQLite::Database> migrated_database() {
  auto db = open_database(":memory:");
  migrate(*db);
  return db;
}

struct fixture {
  std::unique_ptr<SQLite::Database> db = migrated_database();
  alert_store alerts{*db};  // prepares its statements: after the migration
  fixture() {
    // Three subscribers, all subscribed before the alerts below.
    db->exec("INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES "
             "(x'01', x'00', 0), (x'02', x'00', 0), (x'03', x'00', 0)");
  }
  std::int64_t count(const std::string& sql) { return db->execAndGet(sql).getInt64(); }
};

new_alert notice() {
  new_alert a;
  a.draft.category = "other";
  a.draft.level = domain::severity::minor;
  a.draft.title = "Nuovo servizio di avvisi";
  a.draft.text = "Benvenuto";
  a.source = "import";
  return a;
}

}  // namespace

TEST_CASE("an addressed alert is never fanned out to the other subscribers by the planner") {
  fixture f;
  const auto id = f.alerts.create_addressed(notice(), now);
  REQUIRE(f.alerts.add_recipient(id, 2, now));
  CHECK_FALSE(f.alerts.plan_next(100, now).has_value());
  CHECK(f.count("SELECT COUNT(*) FROM outbox") == 1);
  CHECK(f.count("SELECT subscriber_id FROM outbox WHERE alert_id = " + std::to_string(id)) == 2);
  CHECK(f.alerts.get(id)->planned_count == 1);
}

TEST_CASE("an addressed alert's deliveries take its priority and its start") {
  fixture f;
  auto a = notice();
  a.not_before = now + 60000;
  const auto id = f.alerts.create_addressed(a, now);
  f.alerts.add_recipient(id, 1, now);
  CHECK(f.count("SELECT priority FROM outbox") == domain::priority_of(domain::severity::minor));
  CHECK(f.count("SELECT not_before FROM outbox") == now + 60000);
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE phone_hash = x'01'") == 1);
}

TEST_CASE("a recipient added twice gets one delivery and is counted once") {
  fixture f;
  const auto id = f.alerts.create_addressed(notice(), now);
  CHECK(f.alerts.add_recipient(id, 1, now));
  CHECK_FALSE(f.alerts.add_recipient(id, 1, now));
  CHECK_FALSE(f.alerts.add_recipient(id, 99, now));  // no such subscriber
  CHECK(f.count("SELECT COUNT(*) FROM outbox") == 1);
  CHECK(f.alerts.get(id)->planned_count == 1);
}

TEST_CASE("an addressed alert is done once its deliveries are settled") {
  fixture f;
  const auto id = f.alerts.create_addressed(notice(), now);
  f.alerts.add_recipient(id, 1, now);
  f.alerts.finish_settled(now);
  CHECK(f.alerts.get(id)->state == "sending");
  f.db->exec("UPDATE outbox SET state = 'sent'");
  f.alerts.finish_settled(now + 1);
  CHECK(f.alerts.get(id)->state == "done");
}

TEST_CASE("cancelling an addressed alert cancels its queued deliveries") {
  fixture f;
  const auto id = f.alerts.create_addressed(notice(), now);
  f.alerts.add_recipient(id, 1, now);
  f.alerts.add_recipient(id, 3, now);
  REQUIRE(f.alerts.cancel(id, now));
  CHECK(f.alerts.get(id)->state == "cancelled");
  CHECK(f.alerts.report(id)->counts.cancelled == 2);
}

TEST_CASE("an alert's first planning step is small so its first messages leave at once") {
  fixture f;
  f.db->exec("WITH RECURSIVE n(i) AS (SELECT 4 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
             "INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) SELECT randomblob(32), x'00', 0 FROM n");
  auto a = notice();
  a.source = "api";
  const auto id = f.alerts.create(a, now).id;
  const auto first = f.alerts.plan_next(5000, now);
  REQUIRE(first);
  CHECK(first->added == static_cast<std::int64_t>(alert_store::first_plan_batch));
  CHECK_FALSE(first->finished_planning);
  const auto rest = f.alerts.plan_next(5000, now);
  REQUIRE(rest);
  CHECK(rest->added == 2000 - static_cast<std::int64_t>(alert_store::first_plan_batch));
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE alert_id = " + std::to_string(id)) == 2000);
}

#include <banditore/store/sqlite/alerts.hpp>

#include <banditore/domain/alert.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <string>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

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

TEST_CASE("cancelling a finished alert records when, keeps its state and counts, and is not moved twice") {
  fixture f;
  const auto id = f.alerts.create_addressed(notice(), now);
  f.alerts.add_recipient(id, 1, now);
  f.db->exec("UPDATE outbox SET state = 'sent'");
  f.alerts.finish_settled(now + 1);
  REQUIRE(f.alerts.cancel(id, now + 2));
  CHECK(f.alerts.get(id)->state == "done");
  CHECK(f.alerts.get(id)->cancelled_at == now + 2);
  CHECK(f.alerts.report(id)->counts.sent == 1);
  CHECK(f.alerts.report(id)->counts.cancelled == 0);
  REQUIRE(f.alerts.cancel(id, now + 3));
  CHECK(f.alerts.get(id)->cancelled_at == now + 2);
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

namespace {

new_alert api_alert(const std::string& text) {
  new_alert a;
  a.draft.category = "water";
  a.draft.level = domain::severity::severe;
  a.draft.title = "Guasto";
  a.draft.text = text;
  return a;
}

}  // namespace

TEST_CASE("the same alert within the window is a duplicate naming the first; outside it, or cancelled, it is new") {
  fixture f;
  auto a = api_alert("Via Roma senz'acqua");
  a.duplicate_since = now - 600'000;
  const auto first = f.alerts.create(a, now);
  REQUIRE(first.outcome == create_outcome::created);
  const auto again = f.alerts.create(a, now + 1000);
  CHECK(again.outcome == create_outcome::duplicate);
  CHECK(again.id == first.id);
  // Another link, text or severity is another alert.
  auto linked = a;
  linked.draft.link = "https://a.it/x";
  CHECK(f.alerts.create(linked, now + 1000).outcome == create_outcome::created);
  auto other = api_alert("Via Verdi senz'acqua");
  other.duplicate_since = a.duplicate_since;
  CHECK(f.alerts.create(other, now + 1000).outcome == create_outcome::created);
  // No check asked: created.
  auto unchecked = a;
  unchecked.duplicate_since = 0;
  CHECK(f.alerts.create(unchecked, now + 1000).outcome == create_outcome::created);
  // Past the window: created.
  auto later = a;
  later.duplicate_since = now + 2000;
  CHECK(f.alerts.create(later, now + 700'000).outcome == create_outcome::created);
  f.db->exec("UPDATE alerts SET state = 'cancelled'");
  CHECK(f.alerts.create(a, now + 2000).outcome == create_outcome::created);
}

TEST_CASE("the report counts deliveries by state and error, most frequent first") {
  fixture f;
  const auto id = f.alerts.create_addressed(notice(), now);
  for (int s = 1; s <= 3; ++s) f.alerts.add_recipient(id, s, now);
  f.db->exec("UPDATE outbox SET state = 'failed', error_code = 131026, error_title = 'Message undeliverable' "
             "WHERE subscriber_id IN (1, 2)");
  f.db->exec("UPDATE outbox SET error_code = 131000, error_title = 'Something went wrong' WHERE subscriber_id = 3");
  auto r = f.alerts.report(id);
  REQUIRE(r);
  REQUIRE(r->errors.size() == 2);
  CHECK(r->errors[0].state == "failed");
  CHECK(r->errors[0].code == 131026);
  CHECK(r->errors[0].count == 2);
  CHECK(r->errors[1].state == "queued");
  CHECK(r->errors[1].code == 131000);
  // A delivery sent after a retry carries no error.
  f.db->exec("UPDATE outbox SET state = 'sent', error_code = NULL, error_title = NULL WHERE subscriber_id = 3");
  CHECK(f.alerts.report(id)->errors.size() == 1);
}

TEST_CASE("an alert's link is stored and read back") {
  fixture f;
  auto a = api_alert("x");
  a.draft.link = "https://www.comune.lodi.it/avvisi/1";
  const auto id = f.alerts.create(a, now).id;
  CHECK(f.alerts.get(id)->link == "https://www.comune.lodi.it/avvisi/1");
  CHECK(f.alerts.get(f.alerts.create(api_alert("y"), now).id)->link.empty());
}

TEST_CASE("stopping an alert in progress cancels its queued deliveries; a finished one is left exactly as it was") {
  fixture f;
  const auto running = f.alerts.create_addressed(notice(), now);
  f.alerts.add_recipient(running, 1, now);
  REQUIRE(f.alerts.stop(running, now + 1));
  CHECK(f.alerts.get(running)->state == "cancelled");
  CHECK(f.alerts.report(running)->counts.cancelled == 1);
  const auto finished = f.alerts.create_addressed(notice(), now);
  f.alerts.add_recipient(finished, 3, now);
  f.db->exec("UPDATE outbox SET state = 'sent' WHERE alert_id = " + std::to_string(finished));
  f.alerts.finish_settled(now + 1);
  REQUIRE(f.alerts.stop(finished, now + 2));
  CHECK(f.alerts.get(finished)->state == "done");
  CHECK_FALSE(f.alerts.get(finished)->cancelled_at);
  CHECK_FALSE(f.alerts.stop(999, now));
}

TEST_CASE("the history's search filters by town or its areas, topic, severity, source, days and title, by keyset") {
  fixture f;
  f.db->exec("INSERT INTO towns (id, name) VALUES ('lugo', 'Lugo'), ('voltana', 'Voltana')");
  f.db->exec("INSERT INTO areas (id, town_id, name) VALUES ('centro', 'lugo', 'Centro')");
  auto add = [&f](std::string values) {
    f.db->exec("INSERT INTO alerts (category, severity, title, text, priority, source, not_before, created_at, towns, "
               "topics, areas) VALUES (" + values + ")");
    return f.db->getLastInsertRowid();
  };
  const auto water = add("'water', 'minor', 'Acqua sospesa', 't', 1, 'api', 0, 1000, '[\"lugo\"]', '[\"acqua\"]', NULL");
  const auto area = add("'roads', 'moderate', 'Strada chiusa', 't', 1, 'console', 0, 2000, NULL, NULL, '[\"centro\"]'");
  const auto storm = add("'weather', 'extreme', 'Allerta METEO', 't', 1, 'cap', 0, 3000, '[\"voltana\"]', NULL, NULL");
  const auto all = add("'other', 'minor', 'Per tutti', 't', 1, 'api', 0, 4000, NULL, NULL, NULL");
  auto ids = [&f](alert_query q) {
    std::vector<std::int64_t> out;
    for (const auto& a : f.alerts.search(q)) out.push_back(a.id);
    return out;
  };
  using list = std::vector<std::int64_t>;
  alert_query q;
  CHECK(ids(q) == list{all, storm, area, water});
  q.town = "lugo";
  CHECK(ids(q) == list{area, water});
  q = {};
  q.topic = "acqua";
  CHECK(ids(q) == list{water});
  q = {};
  q.severity = "minor";
  CHECK(ids(q) == list{all, water});
  q = {};
  q.source = "cap";
  CHECK(ids(q) == list{storm});
  q = {};
  q.title_contains = "meteo";
  CHECK(ids(q) == list{storm});
  q = {};
  q.created_from = 2000;
  q.created_before = 4000;
  CHECK(ids(q) == list{storm, area});
  q = {};
  q.before_id = storm;
  q.limit = 1;
  CHECK(ids(q) == list{area});
  // A user limited to Lugo: its alerts, by town or area, and the one for
  // every town; never Voltana's, whatever else is asked.
  q = {};
  q.within_towns = {"lugo"};
  CHECK(ids(q) == list{all, area, water});
  q.town = "voltana";
  CHECK(ids(q).empty());
  q = {};
  q.within_towns = {"voltana", "nowhere"};
  CHECK(ids(q) == list{all, storm});
}

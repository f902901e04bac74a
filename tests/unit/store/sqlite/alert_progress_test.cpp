#include <banditore/store/sqlite/alerts.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/sealed_box.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/live_keys.hpp>
#include <banditore/store/sqlite/outbox.hpp>
#include <banditore/store/sqlite/retention.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <string>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

constexpr std::int64_t now = 1'700'000'000'000;

void add_subscribers(SQLite::Database& db, const crypto::data_keys& keys, int n) {
  crypto::sealed_box box(keys.encryption);
  SQLite::Statement ins(db, "INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (?, ?, 0)");
  for (int i = 0; i < n; ++i) {
    const auto number = fmt::format("3933300000{:02d}", i);
    const auto hash = crypto::phone_hash(keys, number);
    const auto cipher = box.seal(number, hash);
    ins.bind(1, hash.data(), static_cast<int>(hash.size()));
    ins.bind(2, cipher.data(), static_cast<int>(cipher.size()));
    ins.exec();
    ins.reset();
  }
}

std::int64_t planned_alert(alert_store& alerts) {
  new_alert a;
  a.draft = {"water", domain::severity::severe, "Guasto", "Acqua sospesa in via Roma", "", std::nullopt};
  const auto id = alerts.create(a, now).id;
  while (auto step = alerts.plan_next(5000, now))
    if (step->finished_planning) break;
  return id;
}

// A migrated database with n subscribers and the stores over it.
struct store_fixture {
  explicit store_fixture(int subscribers) { add_subscribers(*db, keys, subscribers); }
  std::unique_ptr<SQLite::Database> db = [] {
    auto d = open_database(":memory:");
    migrate(*d);
    return d;
  }();
  crypto::data_keys keys = crypto::generate_data_keys();
  alert_store alerts{*db};
  live_keys live{*db, keys};
  outbox out{*db, live};
};

// A database migrated up to `version` (the latest when 0), holding alert 1,
// sending: deliveries are then written to it directly.
std::unique_ptr<SQLite::Database> database_with_alert(int version = 0) {
  auto db = open_database(":memory:");
  for (const auto& m : parse_migrations(schema_sql)) {
    if (version > 0 && m.version > version) break;
    db->exec(m.sql);
    db->exec(fmt::format("PRAGMA user_version = {}", m.version));
  }
  db->exec("INSERT INTO alerts (id, category, severity, title, text, priority, state, not_before, created_at) "
           "VALUES (1, 'water', 'severe', 'Guasto', 'Acqua sospesa', 1, 'sending', 0, 0)");
  return db;
}

send_record outcome(const outbox_item& item, result_kind kind, std::string wamid = {}) {
  auto r = record_for(item);
  r.kind = kind;
  r.provider_message_id = std::move(wamid);
  r.error_code = kind == result_kind::failed ? 131026 : 0;
  return r;
}

}  // namespace

TEST_CASE("an alert's progress follows every delivery through its states") {
  store_fixture f(5);
  auto& alerts = f.alerts;
  auto& out = f.out;
  const auto id = planned_alert(alerts);

  auto r = alerts.report(id);
  REQUIRE(r);
  CHECK(r->counts.queued == 5);
  CHECK(r->counts.total() == 5);
  CHECK_FALSE(r->first_sent_at);

  const auto leased = out.lease(3, now, 60'000);
  REQUIRE(leased.size() == 3);
  CHECK(alerts.report(id)->counts.sending == 3);
  CHECK(alerts.report(id)->counts.queued == 2);

  out.record({outcome(leased[0], result_kind::sent, "wamid.1")}, now + 10);
  out.record({outcome(leased[1], result_kind::sent, "wamid.2")}, now + 20);
  out.record({outcome(leased[2], result_kind::failed)}, now + 30);
  CHECK(out.apply_status("wamid.2", delivery_reference(leased[1].id), status_kind::read, now + 40, 0, "", now + 40) ==
        status_outcome::applied);
  r = alerts.report(id);
  CHECK(r->counts.queued == 2);
  CHECK(r->counts.sending == 0);
  CHECK(r->counts.sent == 1);
  CHECK(r->counts.read == 1);
  CHECK(r->counts.failed == 1);
  CHECK(r->counts.total() == 5);
  CHECK(r->first_sent_at == now + 10);
  CHECK(r->last_sent_at == now + 20);

  alerts.cancel(id, now + 50);
  r = alerts.report(id);
  CHECK(r->counts.queued == 0);
  CHECK(r->counts.cancelled == 2);
  CHECK(alerts.all_delivery_counts().total() == 5);
}

TEST_CASE("an alert's counts outlive its delivery rows purged by retention") {
  store_fixture f(3);
  auto& db = f.db;
  auto& alerts = f.alerts;
  auto& out = f.out;
  const auto id = planned_alert(alerts);
  for (const auto& item : out.lease(10, now, 60'000))
    out.record({outcome(item, result_kind::sent, "wamid." + std::to_string(item.id))}, now);

  const auto purged = purge_old(*db, 24LL * 3600 * 1000, now + 30LL * 24 * 3600 * 1000);
  CHECK(purged.outbox_deleted == 3);
  CHECK(alerts.report(id)->counts.sent == 3);
}

TEST_CASE("upgrading a database with deliveries fills in their progress") {
  auto db = database_with_alert(3);
  db->exec("INSERT INTO outbox (priority, state, phone_hash, alert_id, subscriber_id, not_before, created_at, "
           "updated_at, sent_at) VALUES "
           "(1, 'queued', x'01', 1, 1, 0, 0, 0, NULL), (1, 'delivered', x'02', 1, 2, 0, 0, 0, 500), "
           "(1, 'delivered', x'03', 1, 3, 0, 0, 0, 700)");
  CHECK(migrate(*db) >= 1);
  alert_store alerts(*db);
  const auto r = alerts.report(1);
  REQUIRE(r);
  CHECK(r->counts.queued == 1);
  CHECK(r->counts.delivered == 2);
  CHECK(r->first_sent_at == 500);
  CHECK(r->last_sent_at == 700);
}

TEST_CASE("upgrading counts queued and sending deliveries together, and reports them apart") {
  auto db = database_with_alert(4);
  db->exec("INSERT INTO outbox (priority, state, phone_hash, alert_id, subscriber_id, not_before, created_at, "
           "updated_at) VALUES (1, 'queued', x'01', 1, 1, 0, 0, 0), (1, 'queued', x'02', 1, 2, 0, 0, 0), "
           "(1, 'sent', x'03', 1, 3, 0, 0, 0)");
  db->exec("UPDATE outbox SET state = 'sending' WHERE id = 2");
  CHECK(migrate(*db) == latest_schema_version() - 4);  // 5, then 6 (the pending index keyed by alert alone) and later
  CHECK(db->execAndGet("SELECT group_concat(name) FROM pragma_index_info('outbox_pending_by_alert')").getString() ==
        "alert_id");
  CHECK(db->execAndGet("SELECT COUNT(*) FROM alert_progress WHERE state IN ('queued', 'sending')").getInt() == 0);
  CHECK(db->execAndGet("SELECT count FROM alert_progress WHERE state = 'pending'").getInt() == 2);
  alert_store alerts(*db);
  auto r = alerts.report(1);
  REQUIRE(r);
  CHECK(r->counts.queued == 1);
  CHECK(r->counts.sending == 1);
  CHECK(r->counts.sent == 1);

  // A lease and a retry change no count; leaving for a final state does.
  db->exec("UPDATE outbox SET state = 'sending' WHERE id = 1");
  db->exec("UPDATE outbox SET state = 'queued' WHERE id = 2");
  CHECK(db->execAndGet("SELECT count FROM alert_progress WHERE state = 'pending'").getInt() == 2);
  db->exec("UPDATE outbox SET state = 'sent' WHERE id = 1");
  r = alerts.report(1);
  CHECK(r->counts.queued == 1);
  CHECK(r->counts.sending == 0);
  CHECK(r->counts.sent == 2);
  CHECK(alerts.all_delivery_counts().queued == 1);
  CHECK(alerts.all_delivery_counts().sent == 2);
}

TEST_CASE("three permanent failures in a row flag a subscriber; a delivery that goes through clears the streak") {
  store_fixture f(1);
  auto& db = f.db;
  auto& alerts = f.alerts;
  auto& out = f.out;
  auto deliver = [&](result_kind kind) {
    planned_alert(alerts);
    const auto leased = out.lease(10, now, 60'000);
    REQUIRE(leased.size() == 1);
    out.record({outcome(leased[0], kind, "wamid." + std::to_string(leased[0].id))}, now);
  };
  auto streak = [&] { return db->execAndGet("SELECT failure_streak FROM subscribers").getInt(); };
  auto flagged = [&] { return !db->execAndGet("SELECT flagged_at FROM subscribers").isNull(); };
  deliver(result_kind::failed);
  deliver(result_kind::failed);
  CHECK(streak() == 2);
  deliver(result_kind::sent);
  CHECK(streak() == 0);
  deliver(result_kind::failed);
  deliver(result_kind::failed);
  CHECK_FALSE(flagged());
  deliver(result_kind::failed);
  CHECK(streak() == 3);
  CHECK(flagged());
}

namespace {

// SQLite virtual-machine steps a call takes, counted in hundreds: a
// deterministic measure of how many rows it reads.
template <class F>
int vm_steps(SQLite::Database& db, F&& f) {
  int hundreds = 0;
  sqlite3_progress_handler(db.getHandle(), 100, [](void* n) { ++*static_cast<int*>(n); return 0; }, &hundreds);
  f();
  sqlite3_progress_handler(db.getHandle(), 0, nullptr, nullptr);
  return hundreds;
}

// An alert with `sent` delivered rows and a few pending: rows written
// directly, the triggers count them.
std::unique_ptr<SQLite::Database> alert_with_rows(int sent) {
  auto db = database_with_alert();
  SQLite::Statement ins(*db, "INSERT INTO outbox (priority, state, phone_hash, alert_id, subscriber_id, not_before, "
                             "created_at, updated_at) VALUES (1, ?, x'01', 1, ?, 0, 0, 0)");
  for (int i = 0; i < sent + 3; ++i) {
    ins.bind(1, i < sent ? "sent" : "queued");
    ins.bind(2, i + 1);
    ins.exec();
    ins.reset();
  }
  db->exec("UPDATE outbox SET state = 'sending' WHERE id = (SELECT MAX(id) FROM outbox)");
  return db;
}

int report_steps(int sent) {
  auto db = alert_with_rows(sent);
  alert_store alerts(*db);
  return vm_steps(*db, [&] {
    const auto r = alerts.report(1);
    REQUIRE(r);
    CHECK(r->counts.sent == sent);
    CHECK(r->counts.queued == 2);
    CHECK(r->counts.sending == 1);
    CHECK(alerts.all_delivery_counts().sent == sent);
  });
}

// Checking whether the alert is settled, then cancelling it: both look for
// its pending rows only.
int settle_and_cancel_steps(int sent) {
  auto db = alert_with_rows(sent);  // the alert is sending
  alert_store alerts(*db);
  return vm_steps(*db, [&] {
    CHECK(alerts.finish_settled(now) == 0);
    CHECK(alerts.cancel(1, now));
    CHECK(alerts.report(1)->counts.cancelled == 2);
  });
}

// A call on a 5,000-row alert reads about as many rows as on a 10-row one.
void check_flat(int (*steps)(int sent)) {
  const int small = steps(10);
  const int large = steps(5000);
  CAPTURE(small);
  CAPTURE(large);
  CHECK(large <= small + 2);
}

}  // namespace

TEST_CASE("an alert's report reads as few rows for a large alert as for a small one") {
  // Polled every few hundred milliseconds during a broadcast, on the
  // database thread the sender needs.
  check_flat(report_steps);
}

TEST_CASE("settling and cancelling read as few rows for a large alert as for a small one") {
  check_flat(settle_and_cancel_steps);
}

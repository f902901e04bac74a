#include <banditore/dispatch/scheduler.hpp>

#include <banditore/store/alert_schedule.hpp>
#include <banditore/store/sqlite/api_keys.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include "../run_blocking.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>

using namespace banditore;
using namespace std::chrono_literals;
using testing::run_blocking;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000;

// The scheduler on the SQLite engine (in memory), with a clock the test
// moves by hand.
struct world {
  std::unique_ptr<SQLite::Database> connection = [] {
    auto db = store::sqlite::open_database(":memory:");
    store::sqlite::migrate(*db);
    return db;
  }();
  SQLite::Database* db = connection.get();
  store::actor anna{"key:anna", store::sqlite::api_key_store(*db).create("anna", {"alerts:send"}, 0).id};
  std::unique_ptr<store::sqlite::engine> engine = std::make_unique<store::sqlite::engine>(
      std::move(connection), crypto::generate_data_keys(), store::sqlite::engine_options{});
  std::int64_t clock = t0;
  int released = 0;
  boost::asio::io_context io;
  dispatch::scheduler scheduler{io, *engine, [this] { ++released; }, options()};

  dispatch::scheduler_options options() {
    dispatch::scheduler_options o;
    o.now = [this] { return clock; };
    o.max_wait = 60s;
    return o;
  }

  std::int64_t schedule(std::int64_t send_at, std::optional<std::int64_t> expires = std::nullopt) {
    store::new_alert a;
    a.draft.category = "water";
    a.draft.level = domain::severity::moderate;
    a.draft.title = "Acqua sospesa in via Roma";
    a.draft.text = "Domani dalle 8 alle 12.";
    a.draft.expires_at_ms = expires;
    a.not_before = clock;
    a.send_at = send_at;
    return run_blocking(engine->create(std::move(a), anna, 0, clock)).result.id;
  }

  std::chrono::milliseconds round() { return run_blocking(scheduler.round()); }
  std::string state(std::int64_t id) {
    return db->execAndGet("SELECT state FROM alerts WHERE id = " + std::to_string(id)).getString();
  }
  std::int64_t audits(const std::string& action, std::int64_t id) {
    return db->execAndGet("SELECT COUNT(*) FROM audit_log WHERE action = '" + action + "' AND alert_id = " +
                          std::to_string(id))
        .getInt64();
  }
};

}  // namespace

TEST_CASE("a scheduled alert waits for its time, then leaves once, audited by the scheduler") {
  world w;
  const auto id = w.schedule(t0 + 90'000);
  CHECK(w.state(id) == "scheduled");
  CHECK(w.audits("alert.schedule", id) == 1);
  // The planner does not see it while it waits.
  CHECK_FALSE(run_blocking(w.engine->next_step(100, w.clock)).has_value());

  CHECK(w.round() == 60s);  // due in 90 s: the longest sleep first
  w.clock = t0 + 60'000;
  CHECK(w.round() == 30s);  // then exactly until its time
  w.clock = t0 + 89'999;
  CHECK(w.round() == 1ms);
  CHECK(w.released == 0);
  CHECK(w.state(id) == "scheduled");

  w.clock = t0 + 90'000;
  CHECK(w.round() == 60s);  // nothing else waits
  CHECK(w.released == 1);
  CHECK(w.state(id) == "planning");
  CHECK(w.audits("alert.send", id) == 1);
  CHECK(w.db->execAndGet("SELECT actor FROM audit_log WHERE action = 'alert.send'").getString() == "scheduler");

  // Later rounds release nothing again.
  w.clock = t0 + 200'000;
  w.round();
  CHECK(w.released == 1);
  CHECK(w.audits("alert.send", id) == 1);
}

TEST_CASE("the scheduler wakes for the earliest of several scheduled alerts, in their order") {
  world w;
  const auto late = w.schedule(t0 + 50'000);
  const auto early = w.schedule(t0 + 20'000);
  CHECK(w.round() == 20s);
  w.clock = t0 + 20'000;
  CHECK(w.round() == 30s);
  CHECK(w.state(early) == "planning");
  CHECK(w.state(late) == "scheduled");
  w.clock = t0 + 50'000;
  w.round();
  CHECK(w.state(late) == "planning");
  CHECK(w.released == 2);
}

TEST_CASE("a scheduled alert cancelled before its time never leaves") {
  world w;
  const auto id = w.schedule(t0 + 10'000);
  store::actor who{"staff:ufficio@comune.example.it", std::nullopt};
  auto report = run_blocking(w.engine->cancel(id, who, t0 + 5'000));
  REQUIRE(report);
  CHECK(report->alert.state == "cancelled");
  w.clock = t0 + 10'000;
  CHECK(w.round() == 60s);
  CHECK(w.released == 0);
  CHECK(w.state(id) == "cancelled");
  CHECK(w.audits("alert.send", id) == 0);
}

TEST_CASE("a scheduled alert whose expiry passed while the service was down expires instead of leaving") {
  world w;
  const auto id = w.schedule(t0 + 10'000, t0 + 20'000);
  w.clock = t0 + 30'000;  // both times passed before the next round
  w.round();
  CHECK(w.released == 0);
  CHECK(w.state(id) == "expired");
  CHECK(w.audits("alert.expire", id) == 1);
}

TEST_CASE("an alert whose send_at is now or past leaves at once, not scheduled") {
  world w;
  const auto id = w.schedule(t0);
  CHECK(w.state(id) == "planning");
  CHECK(w.audits("alert.schedule", id) == 0);
}

TEST_CASE("a released scheduled alert reaches whoever subscribed before its time, not only before it was written") {
  world w;
  // One subscribed before the alert was written, one after it but before
  // its time, one after its time.
  w.db->exec("INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (x'01', x'00', " +
             std::to_string(t0 - 1000) + "), (x'02', x'00', " + std::to_string(t0 + 5'000) + "), (x'03', x'00', " +
             std::to_string(t0 + 20'000) + ")");
  const auto id = w.schedule(t0 + 10'000);
  w.clock = t0 + 10'000;
  w.round();
  REQUIRE(w.state(id) == "planning");
  while (auto step = run_blocking(w.engine->next_step(100, w.clock)))
    if (step->finished_planning) break;
  CHECK(w.db->execAndGet("SELECT COUNT(*) FROM outbox WHERE alert_id = " + std::to_string(id)).getInt64() == 2);
  CHECK(w.db->execAndGet("SELECT COUNT(*) FROM outbox WHERE alert_id = " + std::to_string(id) +
                         " AND subscriber_id = 3").getInt64() == 0);
}

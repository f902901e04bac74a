// Alerts scheduled for a later time, over real loopback with wa-sim: the
// alert waits as "scheduled", leaves once at its time, survives a restart
// while it waits, never leaves twice across one, and can be cancelled
// before it leaves (docs/console.md, docs/approval.md).
#include "harness.hpp"

#include <banditore/domain/clock.hpp>
#include <banditore/domain/rfc3339.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using namespace harness;

namespace {

// At least ms from now: the time is written in whole seconds, so it is
// rounded up, not down (a second ahead could otherwise be a millisecond
// ahead, and past by the time the service reads it).
std::string in_ms(std::int64_t ms) {
  return banditore::domain::format_rfc3339_utc(banditore::domain::now_ms() + ms + 999);
}

json alert_at(const std::string& title, std::int64_t ahead_ms) {
  return {{"category", "roads"},
          {"severity", "moderate"},
          {"title", title},
          {"text", "Via Garibaldi chiusa per il mercato."},
          {"send_at", in_ms(ahead_ms)}};
}

// How many texts on the phone carry title.
std::size_t received(wa_sim& sim, const std::string& phone, const std::string& title) {
  const auto texts = sim.texts(phone);
  return static_cast<std::size_t>(std::count_if(texts.begin(), texts.end(), [&title](const std::string& t) {
    return t.find(title) != std::string::npos;
  }));
}

std::int64_t audits(const alert_world& w, const std::string& action, std::int64_t id) {
  return count(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action = '" + action +
                                  "' AND alert_id = " + std::to_string(id));
}

}  // namespace

TEST_CASE("a scheduled alert waits, leaves once at its time, and not again after a restart") {
  alert_world w;
  const auto phones = w.sim.subscribe_many(2, "3935");
  const std::string title = "Mercato: via Garibaldi chiusa";
  const auto created = w.post_alert(alert_at(title, 3000));
  const auto id = created["id"].get<std::int64_t>();
  CHECK(created["state"] == "scheduled");
  CHECK(created["send_at"].is_string());
  // Nothing planned while it waits: the people are chosen when it leaves.
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE alert_id = " + std::to_string(id)) == 0);
  CHECK(received(w.sim, phones[0], title) == 0);

  w.await_state(id, "done", std::chrono::seconds(60));
  for (const auto& p : phones) CHECK(received(w.sim, p, title) == 1);
  CHECK(audits(w, "alert.schedule", id) == 1);
  CHECK(audits(w, "alert.send", id) == 1);

  // A restart, then a second scheduled alert seen leaving: the scheduler
  // has run since, and the first did not leave again.
  w.app.stop();
  w.app.start();
  const auto second = w.post_alert(alert_at("Mercato: via Mazzini chiusa", 2000))["id"].get<std::int64_t>();
  w.await_state(second, "done", std::chrono::seconds(60));
  for (const auto& p : phones) {
    CHECK(received(w.sim, p, title) == 1);
    CHECK(received(w.sim, p, "Mercato: via Mazzini chiusa") == 1);
  }
  CHECK(audits(w, "alert.send", id) == 1);
}

TEST_CASE("a scheduled alert survives a restart while it waits and leaves once after it") {
  alert_world w;
  const auto phones = w.sim.subscribe_many(1, "3936");
  const std::string title = "Potatura in viale Europa";
  const auto id = w.post_alert(alert_at(title, 4000))["id"].get<std::int64_t>();
  w.app.stop();
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts WHERE state = 'scheduled' AND id = " +
                                 std::to_string(id)) == 1);
  w.app.start();
  w.await_state(id, "done", std::chrono::seconds(60));
  CHECK(received(w.sim, phones[0], title) == 1);
  CHECK(audits(w, "alert.send", id) == 1);
}

TEST_CASE("a scheduled alert cancelled before its time never leaves; a past or malformed time is refused") {
  alert_world w;
  const auto phones = w.sim.subscribe_many(1, "3937");
  const std::string title = "Concerto in piazza rinviato";
  const auto id = w.post_alert(alert_at(title, 3'600'000))["id"].get<std::int64_t>();
  CHECK(w.report(id)["state"] == "scheduled");
  // Not public before it leaves: the archive's feed does not name it.
  const auto feed = call(w.app.base, "GET", "/avvisi.atom");
  REQUIRE(feed.status == 200);
  CHECK(feed.body.find(title) == std::string::npos);
  const auto cancelled = w.app.api("POST", "/v1/alerts/" + std::to_string(id) + "/cancel", w.token);
  REQUIRE(cancelled.status == 200);
  CHECK(json::parse(cancelled.body)["state"] == "cancelled");
  CHECK(audits(w, "alert.cancel", id) == 1);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE alert_id = " + std::to_string(id)) == 0);
  CHECK(received(w.sim, phones[0], title) == 0);
  // Cancelled before it left: never public either.
  CHECK(call(w.app.base, "GET", "/avvisi.atom").body.find(title) == std::string::npos);

  for (const auto& [when, reason] : std::vector<std::pair<std::string, std::string>>{
           {in_ms(-60'000), "is already in the past"},
           {"domani alle 9", "must be an RFC 3339 time with an offset"},
           {in_ms(400LL * 24 * 3600 * 1000), "is more than a year ahead"}}) {
    json body = alert_at("Rifiutato", 0);
    body["send_at"] = when;
    const auto r = w.app.api("POST", "/v1/alerts", w.token, body.dump());
    CHECK(r.status == 422);
    CHECK(r.header("Content-Type") == "application/problem+json");
    CHECK_MESSAGE(r.body.find(reason) != std::string::npos, r.body);
  }
  json late = alert_at("Rifiutato", 60'000);
  late["expires_at"] = in_ms(30'000);
  const auto r = w.app.api("POST", "/v1/alerts", w.token, late.dump());
  CHECK(r.status == 422);
  CHECK(r.body.find("is not before expires_at") != std::string::npos);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts WHERE title = 'Rifiutato'") == 0);
}

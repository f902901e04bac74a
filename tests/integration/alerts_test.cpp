// The press office's broadcast end to end: API keys, POST /v1/alerts, the
// fan-out through the outbox to wa-sim, and WhatsApp's limits.
#include "harness.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <set>

using namespace harness;
using env_map = std::map<std::string, std::string>;

namespace {

struct world : alert_world {
  using alert_world::alert_world;
  // How many messages each phone received whose text holds the marker.
  std::map<std::string, int> received_with(const std::vector<std::string>& phones, const std::string& marker) {
    std::map<std::string, int> out;
    for (const auto& p : phones) {
      const auto box = sim.inbox(p);
      int n = 0;
      for (const auto& m : box["messages"]) {
        if (m.contains("text") && m["text"].get<std::string>().find(marker) != std::string::npos) ++n;
        if (m.contains("template")) {
          for (const auto& param : m["template"]["parameters"])
            if (param.get<std::string>().find(marker) != std::string::npos) { ++n; break; }
        }
      }
      out[p] = n;
    }
    return out;
  }
};

json water_alert(const std::string& title = "Guasto acquedotto") {
  return {{"category", "water"}, {"severity", "severe"}, {"title", title},
          {"text", "Via Roma senz'acqua fino alle 18. Autobotte in piazza 🚰"}};
}

}  // namespace

TEST_CASE("one POST sends the alert to every subscriber once, each privately") {
  world w;
  auto phones = w.sim.subscribe_many(300);
  auto created = w.post_alert(water_alert());
  const auto id = created["id"].get<std::int64_t>();
  CHECK(created["location"] == "/v1/alerts/" + std::to_string(id));
  auto report = w.await_state(id, "done");
  CHECK(report["recipients"] == 300);
  CHECK(report["reached"] == 300);
  CHECK(report["counts"]["failed"] == 0);
  for (const auto& [phone, n] : w.received_with(phones, "Guasto acquedotto")) {
    INFO("a subscriber received the alert " << n << " times");
    CHECK(n == 1);
  }
  // Emoji and accents pass through intact.
  auto box = w.sim.inbox(phones[7]);
  const auto text = box["messages"].back()["text"].get<std::string>();
  CHECK(text.rfind("🟠 *ALLERTA ARANCIONE*\n_Emesso il ", 0) == 0);
  CHECK(text.find("_\n\n*Guasto acquedotto*\nVia Roma senz'acqua fino alle 18. Autobotte in piazza 🚰\n\n") !=
        std::string::npos);
  auto stats = json::parse(w.app.api("GET", "/v1/stats", w.token).body);
  CHECK(stats["subscribers"] == 300);
  CHECK(stats.dump().find(phones[0]) == std::string::npos);
}

TEST_CASE("a retried POST with the same Idempotency-Key starts no second broadcast") {
  world w;
  auto phones = w.sim.subscribe_many(20);
  auto first = w.post_alert(water_alert(), "press-2026-11-24-001");
  auto again = w.app.api("POST", "/v1/alerts", w.token, water_alert().dump(), {{"Idempotency-Key", "press-2026-11-24-001"}});
  CHECK(again.status == 202);
  CHECK(again.header("Idempotent-Replayed") == "true");
  CHECK(json::parse(again.body)["id"] == first["id"]);
  auto other = w.app.api("POST", "/v1/alerts", w.token, water_alert("Altro").dump(), {{"Idempotency-Key", "press-2026-11-24-001"}});
  CHECK(other.status == 409);
  w.await_state(first["id"].get<std::int64_t>(), "done");
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 1);
  for (const auto& [phone, n] : w.received_with(phones, "Guasto acquedotto")) CHECK(n == 1);
}

TEST_CASE("API keys are checked: missing or unknown 401, revoked 401, wrong scope 403") {
  world w;
  auto reader = w.app.create_key("lettore", "alerts:read");
  CHECK(w.app.api("POST", "/v1/alerts", reader, water_alert().dump()).status == 403);
  CHECK(call(w.app.base, "POST", "/v1/alerts", water_alert().dump(), {{"Content-Type", "application/json"}}).status == 401);
  CHECK(w.app.api("POST", "/v1/alerts", "bnd_" + std::string(80, '0'), water_alert().dump()).status == 401);
  CHECK(w.app.api("GET", "/v1/stats", reader).status == 403);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);
}

TEST_CASE("validation errors name the field and the reason") {
  world w;
  json bad = {{"category", "volcanoes"}, {"severity", "severe"}, {"title", ""}, {"text", std::string(5000, 'x')}};
  auto r = w.app.api("POST", "/v1/alerts", w.token, bad.dump());
  CHECK(r.status == 422);
  CHECK(r.header("Content-Type") == "application/problem+json");
  auto errors = json::parse(r.body)["errors"];
  std::set<std::string> fields;
  for (const auto& e : errors) fields.insert(e["field"].get<std::string>());
  CHECK(fields == std::set<std::string>{"category", "title", "text"});
  CHECK(w.app.api("POST", "/v1/alerts", w.token, "{not json").status == 400);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);
}

TEST_CASE("the configured rate yields no 429 from the simulator") {
  world w(env_map{{"BANDITORE_WA_RATE", "200"}}, {"--rate", "200"});
  auto phones = w.sim.subscribe_many(1000);
  auto id = w.post_alert(water_alert())["id"].get<std::int64_t>();
  auto report = w.await_state(id, "done");
  CHECK(report["reached"] == 1000);
  CHECK(w.sim.stats().value("rejected_429", 0) == 0);
  CHECK(report["rate_per_second"].get<double>() <= 205.0);
}

TEST_CASE("unpaced, the sender counts its rounds and records outcomes several to a round") {
  // Back to back, each database round carried the handful of outcomes that
  // came in during the last one; with 128 in flight the rounds, not the
  // sends, set the pace (bench/fanout: 5,500 against 24,000 messages/s).
  // The sender now waits for a quarter of what is in flight, or 2 ms. On a
  // loaded machine outcomes pile up either way, so this checks the count
  // and a floor, and the benchmark shows the speed.
  world w(env_map{{"BANDITORE_WA_RATE", "0"}, {"BANDITORE_WA_MAX_IN_FLIGHT", "64"}});
  w.sim.subscribe_many(2000);
  auto value = [&](const std::string& series) {
    const auto metrics = w.app.api("GET", "/metrics", "").body;
    auto at = metrics.find("\n" + series + " ");
    REQUIRE(at != std::string::npos);
    return std::stod(metrics.substr(at + series.size() + 2));
  };
  // One number: its series are labelled number="default".
  const std::string sends = R"(banditore_sends_total{kind="delivery",verdict="accepted",number="default"})";
  const std::string rounds = R"(banditore_sender_rounds_total{number="default"})";
  const double rounds_before = value(rounds);  // the confirmations' rounds
  auto id = w.post_alert(water_alert())["id"].get<std::int64_t>();
  CHECK(w.await_state(id, "done")["reached"] == 2000);
  const double per_round = value(sends) / (value(rounds) - rounds_before);
  // A quarter of 64 is 16; the first and last rounds start from few in
  // flight. Here it measured 15 to 22 (11 to 14 without the wait).
  CHECK(per_round >= 4);
}

TEST_CASE("injected 5xx and timeouts still deliver to everyone exactly once") {
  world w(env_map{{"BANDITORE_WA_TIMEOUT_MS", "300"}});
  auto phones = w.sim.subscribe_many(500);
  w.sim.configure({{"timeout_hold_ms", 1000}});
  call(w.sim.base, "POST", "/sim/faults", json{{"kind", "5xx"}, {"rate", 0.1}}.dump());
  call(w.sim.base, "POST", "/sim/faults", json{{"kind", "timeout"}, {"rate", 0.03}}.dump());
  call(w.sim.base, "POST", "/sim/faults", json{{"kind", "502"}, {"rate", 0.03}}.dump());
  auto id = w.post_alert(water_alert())["id"].get<std::int64_t>();
  auto report = w.await_state(id, "done");
  CHECK(w.sim.stats().value("faults_injected", 0) > 0);
  CHECK(report["reached"] == 500);
  for (const auto& [phone, n] : w.received_with(phones, "Guasto acquedotto")) CHECK(n == 1);
}

TEST_CASE("a broadcast killed mid-way resumes after a restart and skips no one") {
  world w(env_map{{"BANDITORE_WA_RATE", "100"}});
  auto phones = w.sim.subscribe_many(400);
  auto id = w.post_alert(water_alert())["id"].get<std::int64_t>();
  REQUIRE(wait_until([&] { return w.report(id)["reached"].get<int>() >= 100; }));
  CHECK(w.app.stop(SIGKILL) == 128 + SIGKILL);
  w.app.start();
  w.sim.configure({{"webhook_url", w.app.base + "/webhook/whatsapp"}});
  auto report = w.await_state(id, "done");
  CHECK(report["reached"] == 400);
  int duplicates = 0;
  for (const auto& [phone, n] : w.received_with(phones, "Guasto acquedotto")) {
    CHECK(n >= 1);
    duplicates += n - 1;
  }
  // The documented bound: at most the requests in flight are sent twice.
  CHECK(duplicates <= 32);
}

TEST_CASE("a citizen who sends Disattiva during a broadcast receives nothing more from it") {
  world w(env_map{{"BANDITORE_WA_RATE", "20"}});
  auto phones = w.sim.subscribe_many(60);
  auto id = w.post_alert(water_alert())["id"].get<std::int64_t>();
  // The last subscriber is planned last: at 20/s its turn is ~3 s away.
  w.sim.citizen_says(phones.back(), "Disattiva");
  auto report = w.await_state(id, "done");
  CHECK(w.received_with({phones.back()}, "Guasto acquedotto")[phones.back()] == 0);
  CHECK(report["counts"]["cancelled"] == 1);
  CHECK(report["reached"] == 59);
}

TEST_CASE("a cancelled alert sends nothing more") {
  world w(env_map{{"BANDITORE_WA_RATE", "10"}});
  auto phones = w.sim.subscribe_many(50);
  auto id = w.post_alert(water_alert())["id"].get<std::int64_t>();
  REQUIRE(wait_until([&] { return w.report(id)["reached"].get<int>() >= 3; }));
  auto r = w.app.api("POST", "/v1/alerts/" + std::to_string(id) + "/cancel", w.token);
  CHECK(r.status == 200);
  auto report = w.await_state(id, "cancelled");
  REQUIRE(wait_until([&] {
    auto now = w.report(id);
    return now["counts"]["queued"] == 0 && now["counts"]["sending"] == 0;
  }));
  auto settled = w.report(id);
  auto reached = settled["reached"].get<int>();
  CHECK(reached < 50);
  CHECK(settled["counts"]["cancelled"].get<int>() == 50 - reached);
  int received = 0;
  for (const auto& [p, n] : w.received_with(phones, "Guasto acquedotto")) received += n;
  CHECK(received == reached);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action = 'alert.cancel'") == 1);
}

TEST_CASE("a more severe alert overtakes a less severe one in progress") {
  world w(env_map{{"BANDITORE_WA_RATE", "10"}});
  auto phones = w.sim.subscribe_many(30);
  json minor = {{"category", "roads"}, {"severity", "minor"}, {"title", "Lavori in via Verdi"}, {"text", "Senso unico alternato."}};
  json extreme = {{"category", "civil_protection"}, {"severity", "extreme"}, {"title", "Evacuare zona fiume"}, {"text", "Salire ai piani alti."}};
  auto slow = w.post_alert(minor)["id"].get<std::int64_t>();
  REQUIRE(wait_until([&] { return w.report(slow)["reached"].get<int>() >= 2; }));
  auto urgent = w.post_alert(extreme)["id"].get<std::int64_t>();
  auto u = w.await_state(urgent, "done");
  auto s = w.report(slow);
  CHECK(s["state"] == "sending");
  CHECK(s["reached"].get<int>() < 30);
  w.await_state(slow, "done");
}

TEST_CASE("outside the 24-hour window a broadcast goes as the approved template") {
  world w(env_map{{"BANDITORE_WA_TEMPLATE_NAME", "avviso_comunale"}, {"BANDITORE_WA_TEMPLATE_MODE", "always"}});
  auto phones = w.sim.subscribe_many(5);
  auto id = w.post_alert(water_alert())["id"].get<std::int64_t>();
  w.await_state(id, "done");
  auto box = w.sim.inbox(phones[0]);
  auto last = box["messages"].back();
  REQUIRE(last.contains("template"));
  CHECK(last["template"]["name"] == "avviso_comunale");
  CHECK(last["template"]["language"] == "it");
  CHECK(last["template"]["parameters"][0] == "Guasto acquedotto");
}

TEST_CASE("a 131047 failure reported after the send falls back to the template") {
  world w(env_map{{"BANDITORE_WA_TEMPLATE_NAME", "avviso_comunale"}});
  w.sim.configure({{"statuses", true}});
  auto phones = w.sim.subscribe_many(3);
  call(w.sim.base, "PUT", "/sim/phones/" + phones[1], json{{"async_failure", 131047}}.dump());
  auto id = w.post_alert(water_alert())["id"].get<std::int64_t>();
  REQUIRE(wait_until([&] {
    const auto box = w.sim.inbox(phones[1]);
    return !box["messages"].empty() && box["messages"].back().contains("template");
  }));
  const auto box = w.sim.inbox(phones[1]);
  auto n = box["messages"].size();
  CHECK(box["messages"][n - 2]["text"].get<std::string>().find("Guasto acquedotto") != std::string::npos);
  CHECK(box["messages"][n - 1]["template"]["name"] == "avviso_comunale");
  w.await_state(id, "done");
}

TEST_CASE("131050 (the person stopped these messages) is treated as Disattiva") {
  world w;
  auto phones = w.sim.subscribe_many(3);
  call(w.sim.base, "PUT", "/sim/phones/" + phones[2], json{{"sync_failure", 131050}}.dump());
  auto id = w.post_alert(water_alert())["id"].get<std::int64_t>();
  w.await_state(id, "done");
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 2);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM consent_log WHERE event = 'opt_out'") == 1);
}

TEST_CASE("deliveries beyond the messaging limit wait instead of burning errors, and are reported") {
  world w(env_map{{"BANDITORE_WA_TIER", "250"}, {"BANDITORE_WA_TEMPLATE_NAME", "avviso_comunale"}});
  auto phones = w.sim.subscribe_many(5);
  // Make every subscriber look silent for more than a day.
  {
    SQLite::Database conn(w.app.db_file.string(), SQLite::OPEN_READWRITE);
    conn.setBusyTimeout(5000);
    conn.exec("UPDATE contacts SET last_inbound_at = 0, last_initiated_at = strftime('%s','now') * 1000");
    conn.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 248) "
              "INSERT INTO contacts (phone_hash, last_initiated_at) SELECT randomblob(32), strftime('%s','now') * 1000 FROM n");
  }
  // 5 already counted plus 248 others: the tier of 250 is full.
  auto created = w.post_alert(water_alert());
  CHECK(created["messaging_limit"]["tier"] == 250);
  CHECK(created["messaging_limit"]["recipients_outside_window"] == 5);
  auto id = created["id"].get<std::int64_t>();
  // These five were reached in the last day already: they are not new to
  // the count, so they go out.
  auto report = w.await_state(id, "done");
  CHECK(report["reached"] == 5);
}

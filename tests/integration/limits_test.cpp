// WhatsApp's limits as the real binaries meet them: the pair rate limit
// (131056), a 429 with Retry-After, and quiet hours holding minor alerts.
// Timings are read from wa-sim's request log, never from sleeps.
#include "harness.hpp"

#include <banditore/domain/local_time.hpp>
#include <banditore/domain/alert.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <map>

using namespace harness;
using env_map = std::map<std::string, std::string>;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

struct world : alert_world {
  using alert_world::alert_world;
  // The send endpoint's calls as wa-sim saw them, in arrival order.
  json requests() { return json::parse(call(sim.base, "GET", "/sim/requests").body)["requests"]; }
  // How many texts a phone received that hold the marker.
  int received_with(const std::string& phone, const std::string& marker) {
    int n = 0;
    for (const auto& t : sim.texts(phone))
      if (t.find(marker) != std::string::npos) ++n;
    return n;
  }
};

// A guard on waiting for a broadcast of a few people, not a timing.
constexpr auto guard = std::chrono::seconds(60);

json alert(const std::string& severity, const std::string& title) {
  return {{"category", "civil_protection"}, {"severity", severity}, {"title", title},
          {"text", "Seguire le indicazioni della protezione civile."}};
}

}  // namespace

TEST_CASE("a second message to the same person within the pair limit is retried after the pause and arrives once") {
  world w(env_map{{"BANDITORE_WA_PAIR_PAUSE_MS", "600"}});
  auto phones = w.sim.subscribe_many(3);
  // From here on, one accepted message per person per second.
  w.sim.configure({{"pair_interval_ms", 1000}});
  auto first = w.post_alert(alert("severe", "Allerta meteo arancione"))["id"].get<std::int64_t>();
  auto second = w.post_alert(alert("severe", "Chiusura scuole"))["id"].get<std::int64_t>();
  auto a = w.await_state(first, "done", guard);
  auto b = w.await_state(second, "done", guard);
  CHECK(a["reached"] == 3);
  CHECK(b["reached"] == 3);
  CHECK(a["counts"]["failed"] == 0);
  CHECK(b["counts"]["failed"] == 0);
  CHECK(w.sim.stats().value("rejected_pair", 0) > 0);
  for (const auto& p : phones) {
    CHECK(w.received_with(p, "Allerta meteo arancione") == 1);
    CHECK(w.received_with(p, "Chiusura scuole") == 1);
  }
  // After a 131056 the same person is tried again after the configured
  // pause (600 ms), not at once and not after the 6 s default.
  const auto log = w.requests();
  int refusals = 0;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i]["code"] != 131056) continue;
    ++refusals;
    std::int64_t next = -1;
    for (std::size_t j = i + 1; j < log.size() && next < 0; ++j)
      if (log[j]["to"] == log[i]["to"]) next = log[j]["at"].get<std::int64_t>();
    REQUIRE(next >= 0);
    const auto gap = next - log[i]["at"].get<std::int64_t>();
    INFO("the next try to the same person came after " << gap << " ms");
    CHECK(gap >= 550);
    CHECK(gap < 3000);
  }
  CHECK(refusals > 0);
}

TEST_CASE("a 429 with Retry-After pauses every send for that long, and everyone still gets the alert once") {
  // 10/s: one request at a time, so the pause is visible between requests.
  world w(env_map{{"BANDITORE_WA_RATE", "10"}});
  auto phones = w.sim.subscribe_many(6);
  // 2 s, not 1: without the header the sender pauses 1 s by default.
  call(w.sim.base, "POST", "/sim/faults", json{{"kind", "429"}, {"count", 1}, {"retry_after", 2}}.dump());
  auto id = w.post_alert(alert("severe", "Ondata di calore"))["id"].get<std::int64_t>();
  auto report = w.await_state(id, "done", guard);
  CHECK(report["reached"] == 6);
  for (const auto& p : phones) CHECK(w.received_with(p, "Ondata di calore") == 1);
  const auto log = w.requests();
  std::size_t refused = log.size();
  for (std::size_t i = 0; i < log.size(); ++i)
    if (log[i]["status"] == 429) refused = i;
  REQUIRE(refused + 1 < log.size());
  const auto gap = log[refused + 1]["at"].get<std::int64_t>() - log[refused]["at"].get<std::int64_t>();
  INFO("the next request came " << gap << " ms after the 429");
  CHECK(gap >= 1900);
  CHECK(w.sim.stats().value("faults_injected", 0) == 1);
}

TEST_CASE("during quiet hours a minor alert is held while a severe one goes out at once") {
  // Quiet from an hour ago to two hours from now, Europe/Rome time, so the
  // test holds whenever it runs.
  using namespace std::chrono;
  const auto now = time_point_cast<seconds>(system_clock::now());
  const auto local = banditore::domain::to_local("Europe/Rome", now);
  const int minute = static_cast<int>(duration_cast<minutes>(local - floor<days>(local)).count());
  auto clock = [](int m) {
    m = (m % 1440 + 1440) % 1440;
    char buf[6];
    std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
    return std::string(buf);
  };
  world w(env_map{{"BANDITORE_QUIET_HOURS", clock(minute - 60) + "-" + clock(minute + 120)}});
  auto phones = w.sim.subscribe_many(4);
  const auto posted = now_ms();
  auto minor = w.post_alert(alert("minor", "Spazzamento strade"))["id"].get<std::int64_t>();
  auto severe = w.post_alert(alert("severe", "Esondazione torrente"))["id"].get<std::int64_t>();
  auto s = w.await_state(severe, "done", guard);
  CHECK(s["reached"] == 4);
  for (const auto& p : phones) CHECK(w.received_with(p, "Esondazione torrente") == 1);

  json m;
  REQUIRE(wait_until([&] {
    m = w.report(minor);
    return m["recipients"] == 4;
  }));
  INFO(m.dump());
  CHECK(m["state"] == "sending");
  CHECK(m["counts"]["queued"] == 4);
  CHECK(m["reached"] == 0);
  auto held_until = banditore::domain::parse_rfc3339(m["not_before"].get<std::string>());
  REQUIRE(held_until);
  // The end of the quiet hours: between one and two hours from now (less
  // than two by the seconds past the minute; an hour off across a clock change).
  CHECK(*held_until > posted + 55 * 60 * 1000);
  CHECK(*held_until <= posted + 3 * 3600 * 1000);
  for (const auto& p : phones) CHECK(w.received_with(p, "Spazzamento strade") == 0);
}

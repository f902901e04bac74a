// What a citizen does besides typing, end to end through wa-sim: taps a
// row of a list and shares a location. The service records the message
// (its type) and never the point: no coordinate reaches the database file
// or the log.
#include "harness.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <fstream>

using namespace harness;

namespace {

const std::string elena = "393351119988";

// A double as SQLite stores a REAL: 8 bytes, big-endian.
std::string stored_real(double d) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, bits >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(bits & 0xFF);
  return out;
}

}  // namespace

TEST_CASE("a shared location is received, and its coordinates are nowhere in the database or the log") {
  temp_dir dir;
  wa_sim sim{dir.path};
  banditore_server app(dir.path, sim);
  app.start();
  sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}});
  // The town's boundary, given from the command line while the service
  // runs; one that is not a polygon is refused, naming the option.
  const auto boundary = dir.path / "comune.geojson";
  {
    std::ofstream out(boundary);
    out << R"({"type":"Polygon","coordinates":[[[11.8,44.3],[12.0,44.3],[12.0,44.5],[11.8,44.5],[11.8,44.3]]]})";
  }
  const auto not_closed = dir.path / "open.geojson";
  {
    std::ofstream out(not_closed);
    out << R"({"type":"Polygon","coordinates":[[[11.8,44.3],[12.0,44.3],[12.0,44.5],[11.8,44.5]]]})";
  }
  auto refused = run_cli(dir.path, {"towns", "update", "comune", "--polygon", not_closed.string()}, database_env(dir.path));
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("--polygon") != std::string::npos);
  auto given = run_cli(dir.path, {"towns", "update", "comune", "--polygon", boundary.string()}, database_env(dir.path));
  INFO(given.err);
  REQUIRE(given.exit_code == 0);

  auto r = call(sim.base, "POST", "/sim/phones/" + elena + "/location",
                json{{"latitude", 44.417731}, {"longitude", 11.916213}}.dump(), {{"Content-Type", "application/json"}});
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["webhook_status"] == 200);
  REQUIRE(wait_until([&] {
    return count(app.db_file, "SELECT COUNT(*) FROM inbound_messages WHERE type = 'location'") == 1;
  }));
  // Inside the boundary: subscribed there, and only the town's id kept.
  REQUIRE(wait_until([&] { return count(app.db_file, "SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'comune'") == 1; }));
  CHECK(count(app.db_file, "SELECT COUNT(*) FROM consent_log WHERE event = 'located' AND town_ids = 'comune'") == 1);
  app.stop();
  for (const auto& file : {app.db_file, fs::path(app.db_file.string() + "-wal"), app.log_file}) {
    if (!fs::exists(file)) continue;
    CAPTURE(file);
    const auto bytes = read_file(file);
    CHECK(bytes.find("44.417731") == std::string::npos);
    CHECK(bytes.find("11.916213") == std::string::npos);
    CHECK(bytes.find("417731") == std::string::npos);
    CHECK(bytes.find(stored_real(44.417731)) == std::string::npos);
    CHECK(bytes.find(stored_real(11.916213)) == std::string::npos);
  }
}

TEST_CASE("a tap on a list row reaches the service as a list reply with the row's id") {
  temp_dir dir;
  wa_sim sim{dir.path};
  banditore_server app(dir.path, sim);
  app.start();
  sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}});
  // A list in the citizen's phone, as the service would send it.
  const json list = {{"messaging_product", "whatsapp"},
                     {"recipient_type", "individual"},
                     {"to", elena},
                     {"type", "interactive"},
                     {"interactive",
                      {{"type", "list"},
                       {"body", {{"text", "Scegli cosa ricevere"}}},
                       {"action",
                        {{"button", "Scegli"},
                         {"sections", json::array({{{"rows", json::array({{{"id", "topic:strade"}, {"title", "Strade"}},
                                                                           {{"id", "topic:meteo"}, {"title", "Meteo"}}})}}})}}}}}};
  auto sent = call(sim.base, "POST", "/v21.0/100000000000001/messages", list.dump(),
                   {{"Authorization", "Bearer " + sim_token}, {"Content-Type", "application/json"}});
  REQUIRE(sent.status == 200);
  auto tapped = call(sim.base, "POST", "/sim/phones/" + elena + "/tap", json{{"button", "Meteo"}}.dump(),
                     {{"Content-Type", "application/json"}});
  REQUIRE(tapped.status == 200);
  CHECK(json::parse(tapped.body)["webhook_status"] == 200);
  REQUIRE(wait_until([&] {
    return count(app.db_file, "SELECT COUNT(*) FROM inbound_messages WHERE type = 'interactive'") == 1;
  }));
}

// Citizens choose what they receive on WhatsApp, end to end through wa-sim:
// by words, by tapping the rows of the list every confirmation carries, by
// sharing a location; "Stato" says what they receive, Disattiva erases it
// all, and a number shared by several towns first asks which one.
#include "harness.hpp"

#include <banditore/whatsapp/signature.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>

using namespace harness;

namespace {

const std::string anna = "393351230001";
const std::string bice = "393351230002";

struct world {
  temp_dir dir;
  wa_sim sim{dir.path};
  banditore_server app;
  explicit world(std::map<std::string, std::string> env = {{"BANDITORE_TOWN", "Lugo"}})
      : app(dir.path, sim, std::move(env)) {
    app.start();
    sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}});
  }
  std::int64_t rows(const std::string& sql) { return count(app.db_file, sql); }
  // The phone's messages, once it holds n.
  json messages(const std::string& phone, std::size_t n) {
    json box;
    const bool ok = wait_until([&] {
      box = sim.inbox(phone)["messages"];
      return box.size() >= n;
    });
    INFO("messages in the phone: " << box.size() << " of " << n);
    REQUIRE(ok);
    return box;
  }
  json tap(const std::string& phone, const std::string& id) {
    auto r = call(sim.base, "POST", "/sim/phones/" + phone + "/tap", json{{"button", id}}.dump(),
                  {{"Content-Type", "application/json"}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  }
  void share(const std::string& phone, double lat, double lon) {
    auto r = call(sim.base, "POST", "/sim/phones/" + phone + "/location",
                  json{{"latitude", lat}, {"longitude", lon}}.dump(), {{"Content-Type", "application/json"}});
    REQUIRE(r.status == 200);
  }
  std::string admin_key() { return app.create_key("ufficio", "audience:admin"); }
};

// What the phone shows as the message's text.
std::string body(const json& message) {
  if (message.contains("text")) return message["text"].get<std::string>();
  return message["interactive"]["body"].get<std::string>();
}

std::vector<std::string> row_ids(const json& message) {
  std::vector<std::string> out;
  for (const auto& r : message["interactive"]["list"]["rows"]) out.push_back(r["id"].get<std::string>());
  return out;
}

bool has(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

const std::string lugo_square =
    R"({"type":"Polygon","coordinates":[[[11.8,44.3],[11.95,44.3],[11.95,44.5],[11.8,44.5],[11.8,44.3]]]})";
const std::string voltana_square =
    R"({"type":"Polygon","coordinates":[[[11.9,44.4],[11.95,44.4],[11.95,44.5],[11.9,44.5],[11.9,44.4]]]})";

}  // namespace

TEST_CASE("Attiva subscribes to the town's default topics and the reply is a list to change them") {
  world w;
  w.sim.citizen_says(anna, "Attiva");
  auto box = w.messages(anna, 1);
  CHECK(body(box[0]).find("DISATTIVA") != std::string::npos);
  CHECK(body(box[0]).find("Emergenze e protezione civile") != std::string::npos);
  const auto ids = row_ids(box[0]);
  CHECK(has(ids, "t-emergenze"));
  CHECK(has(ids, "t+eventi"));
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'lugo'") == 1);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_topics") == 6);
  CHECK(w.rows("SELECT COUNT(*) FROM consent_log WHERE event = 'subscribe' AND town_ids = 'lugo'") == 1);
}

TEST_CASE("choices change by words: a topic only, another added, one dropped, solo emergenze, tutto") {
  world w;
  w.sim.citizen_says(anna, "Attiva strade");
  w.messages(anna, 1);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_topics") == 1);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'strade'") == 1);

  w.sim.citizen_says(anna, "Attiva acqua");
  auto box = w.messages(anna, 2);
  CHECK(body(box[1]).starts_with("Fatto: aggiunto Acqua."));
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_topics") == 2);

  w.sim.citizen_says(anna, "Disattiva strade");
  box = w.messages(anna, 3);
  CHECK(body(box[2]).starts_with("Fatto: tolto Strade e viabilità."));
  CHECK(w.rows("SELECT COUNT(*) FROM subscribers") == 1);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'strade'") == 0);

  w.sim.citizen_says(anna, "Solo emergenze");
  box = w.messages(anna, 4);
  CHECK(body(box[3]).find("solo gli avvisi gravi ed estremi") != std::string::npos);
  CHECK(w.rows("SELECT only_severe FROM subscribers") == 1);

  w.sim.citizen_says(anna, "Tutto");
  w.messages(anna, 5);
  CHECK(w.rows("SELECT only_severe FROM subscribers") == 0);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_topics") == 6);

  w.sim.citizen_says(anna, "Le mie iscrizioni");
  box = w.messages(anna, 6);
  const auto status = body(box[5]);
  CHECK(status.find("Le tue iscrizioni") != std::string::npos);
  CHECK(status.find("Acqua") != std::string::npos);
  CHECK(status.find("tutto il comune") != std::string::npos);
  CHECK_FALSE(row_ids(box[5]).empty());
  CHECK(w.rows("SELECT COUNT(*) FROM consent_log") == 5);
}

TEST_CASE("choices change by tapping the list's rows, and a long list comes in pages") {
  world w;
  const auto key = w.admin_key();
  for (const char* id : {"voltana", "fabriago"})
    REQUIRE(w.app.api("POST", "/v1/areas", key, json{{"id", id}, {"town", "lugo"}, {"name", id}}.dump()).status == 201);
  w.sim.citizen_says(anna, "Attiva");
  w.messages(anna, 1);
  CHECK(w.tap(anna, "t+eventi")["webhook_status"] == 200);
  auto box = w.messages(anna, 2);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'eventi'") == 1);
  CHECK(has(row_ids(box[1]), "t-eventi"));
  CHECK(w.rows("SELECT COUNT(*) FROM inbound_messages WHERE decision = 'choices_changed' AND type = 'interactive'") ==
        1);

  // Seven topics, two areas, the floor and "everything" are more than the
  // ten rows a list may hold: the first page ends with "Altro…".
  REQUIRE(has(row_ids(box[1]), "more:choices:1"));
  w.tap(anna, "more:choices:1");
  box = w.messages(anna, 3);
  CHECK(has(row_ids(box[2]), "s+"));
  w.tap(anna, "s+");
  w.messages(anna, 4);
  CHECK(w.rows("SELECT only_severe FROM subscribers") == 1);
  w.tap(anna, "t-eventi");
  w.messages(anna, 5);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'eventi'") == 0);
  CHECK(w.rows("SELECT COUNT(*) FROM consent_log WHERE event = 'remove' AND topic_ids = 'eventi'") == 1);
}

TEST_CASE("Disattiva erases the number and every choice with it") {
  world w;
  w.sim.citizen_says(anna, "Attiva");
  w.messages(anna, 1);
  w.sim.citizen_says(anna, "Attiva eventi");
  w.messages(anna, 2);
  w.sim.citizen_says(anna, "Solo emergenze");
  w.messages(anna, 3);
  REQUIRE(w.rows("SELECT COUNT(*) FROM subscriber_topics") == 7);
  w.sim.citizen_says(anna, "Disattiva");
  auto box = w.messages(anna, 4);
  CHECK(body(box[3]).find("cancellato") != std::string::npos);
  CHECK(w.rows("SELECT COUNT(*) FROM subscribers") == 0);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_towns") == 0);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_topics") == 0);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_areas") == 0);
}

TEST_CASE("on a number shared by two towns Attiva asks which town, and the tap subscribes there") {
  world w;
  const auto key = w.admin_key();
  auto added = w.app.api("POST", "/v1/towns", key,
                         json{{"id", "bagnacavallo"}, {"name", "Comune di Bagnacavallo"}}.dump());
  REQUIRE(added.status == 201);
  w.sim.citizen_says(anna, "Attiva");
  auto box = w.messages(anna, 1);
  CHECK(body(box[0]).find("più comuni") != std::string::npos);
  CHECK(row_ids(box[0]) == std::vector<std::string>{"town:lugo", "town:bagnacavallo"});
  CHECK(w.rows("SELECT COUNT(*) FROM subscribers") == 0);
  w.tap(anna, "town:bagnacavallo");
  w.messages(anna, 2);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'bagnacavallo'") == 1);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_towns") == 1);

  // Naming the town subscribes at once.
  w.sim.citizen_says(bice, "Attiva Lugo acqua");
  w.messages(bice, 1);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'lugo'") == 1);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'acqua'") == 2);
}

TEST_CASE("a shared location subscribes to the town and area containing it, and nothing of it is kept") {
  world w;
  const auto key = w.admin_key();
  REQUIRE(w.app.api("PATCH", "/v1/towns/lugo", key, json{{"polygon", json::parse(lugo_square)}}.dump()).status == 200);
  auto area = w.app.api("POST", "/v1/areas", key,
                        json{{"id", "voltana"}, {"town", "lugo"}, {"name", "Voltana"},
                             {"polygon", json::parse(voltana_square)}}
                            .dump());
  REQUIRE(area.status == 201);
  CHECK(json::parse(area.body)["polygon"]["type"] == "Polygon");
  // A polygon that is not one is refused, naming the field.
  auto bad = w.app.api("PATCH", "/v1/areas/voltana", key,
                       json{{"polygon", {{"type", "Polygon"}, {"coordinates", json::array()}}}}.dump());
  CHECK(bad.status == 422);
  CHECK(bad.body.find("polygon") != std::string::npos);

  w.share(anna, 44.456789, 11.923456);
  auto box = w.messages(anna, 1);
  CHECK(body(box[0]).find("Voltana") != std::string::npos);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_areas WHERE area_id = 'voltana'") == 1);
  CHECK(w.rows("SELECT COUNT(*) FROM consent_log WHERE event = 'located' AND area_ids = 'voltana'") == 1);
  // Outside every boundary.
  w.share(bice, 45.0, 9.0);
  box = w.messages(bice, 1);
  CHECK(body(box[0]).find("posizione") != std::string::npos);
  CHECK(w.rows("SELECT COUNT(*) FROM subscribers") == 1);

  // A location with a place's name and address, as WhatsApp sends a pinned
  // place: neither is kept.
  json body = json::parse(R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages",
    "value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"390545000000","phone_number_id":""},
    "contacts":[{"wa_id":"","profile":{"name":"Bice"}}],
    "messages":[{"from":"","id":"wamid.place-with-a-name","timestamp":"","type":"location",
      "location":{"latitude":44.412345,"longitude":11.854321,"name":"Bar Pasticceria Zanzibar",
                  "address":"Via Quarantasei 12, Lugo"}}]}}]}]})");
  auto& value = body["entry"][0]["changes"][0]["value"];
  value["metadata"]["phone_number_id"] = sim_phone_number_id;
  value["contacts"][0]["wa_id"] = bice;
  value["messages"][0]["from"] = bice;
  value["messages"][0]["timestamp"] = std::to_string(std::time(nullptr));
  const std::string raw = body.dump();
  auto posted = call(w.app.base, "POST", "/webhook/whatsapp", raw,
                     {{"Content-Type", "application/json"},
                      {"X-Hub-Signature-256", banditore::whatsapp::sign_body(raw, sim_secret)}});
  REQUIRE(posted.status == 200);
  w.messages(bice, 2);
  CHECK(w.rows("SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'lugo'") == 2);
  w.app.stop();
  for (const auto& file : {w.app.db_file, fs::path(w.app.db_file.string() + "-wal"), w.app.log_file}) {
    if (!fs::exists(file)) continue;
    CAPTURE(file);
    const auto bytes = read_file(file);
    for (const char* secret : {"456789", "923456", "412345", "854321", "Zanzibar", "Quarantasei", "3351230001",
                               "3351230002"})
      CHECK_MESSAGE(bytes.find(secret) == std::string::npos, secret);
  }
}

// Citizens as they write, end to end: a request to leave in plain words is
// answered whatever the help limit, a probable request is asked with
// WhatsApp reply buttons that wa-sim validates as Meta does and a tap
// settles, and what was not understood can be listed without a number.
#include "harness.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <functional>


using namespace harness;

namespace {

struct world {
  temp_dir dir;
  wa_sim sim{dir.path};
  banditore_server app;
  explicit world(std::map<std::string, std::string> env = {}) : app(dir.path, sim, std::move(env)) {
    app.start();
    sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}});
  }

  // The phone's messages once there are at least n.
  json await_messages(const std::string& phone, std::size_t n) {
    json box;
    const bool ok = wait_until([&] {
      box = sim.inbox(phone)["messages"];
      return box.size() >= n;
    });
    INFO("messages in the phone: " << box.size() << " of " << n);
    REQUIRE(ok);
    return box;
  }
};

const std::string dario = "393351112233";

// A send straight to wa-sim's Cloud API endpoint, as banditore would make it.
banditore::http::client_response send_raw(const wa_sim& sim, const json& body) {
  return call(sim.base, "POST", "/v21.0/100000000000001/messages", body.dump(),
              {{"Authorization", "Bearer " + sim_token}, {"Content-Type", "application/json"}});
}

json buttons_message(json buttons, std::string body = "Vuoi ricevere gli avvisi?") {
  return {{"messaging_product", "whatsapp"},
          {"recipient_type", "individual"},
          {"to", dario},
          {"type", "interactive"},
          {"interactive", {{"type", "button"}, {"body", {{"text", body}}}, {"action", {{"buttons", buttons}}}}}};
}

json reply(const std::string& id, const std::string& title) {
  return {{"type", "reply"}, {"reply", {{"id", id}, {"title", title}}}};
}

}  // namespace

TEST_CASE("a subscriber who leaves in plain words is answered even after the help text") {
  world w;
  w.sim.citizen_says(dario, "Attiva");
  w.await_messages(dario, 1);
  w.sim.citizen_says(dario, "buongiorno");  // asks nothing: the help text
  w.await_messages(dario, 2);
  w.sim.citizen_says(dario, "Non voglio più ricevere messaggi, toglietemi dalla lista");
  auto box = w.await_messages(dario, 3);
  CHECK(box[2]["text"].get<std::string>().find("non riceverai più") != std::string::npos);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages WHERE decision = 'unsubscribe'") == 1);
}

TEST_CASE("a probable request is asked with reply buttons and a tap settles it") {
  world w;
  w.sim.citizen_says(dario, "sono iscritto?");
  auto box = w.await_messages(dario, 1);
  REQUIRE(box[0]["type"] == "interactive");
  const auto& asked = box[0]["interactive"];
  CHECK(asked["body"].get<std::string>().find("Vuoi ricevere gli avvisi") != std::string::npos);
  REQUIRE(asked["buttons"].size() == 3);
  CHECK(asked["buttons"][0]["title"] == "Attiva");
  CHECK(asked["buttons"][1]["title"] == "Disattiva");
  CHECK(asked["buttons"][2]["title"] == "Info");
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 0);

  auto tapped = call(w.sim.base, "POST", "/sim/phones/" + dario + "/tap", json{{"button", "Attiva"}}.dump(),
                     {{"Content-Type", "application/json"}});
  REQUIRE(tapped.status == 200);
  CHECK(json::parse(tapped.body)["webhook_status"] == 200);
  box = w.await_messages(dario, 2);
  // The confirmation carries the list to choose topics and areas.
  CHECK(box[1]["interactive"]["body"].get<std::string>().find("DISATTIVA") != std::string::npos);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 1);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages WHERE decision = 'ask'") == 1);

  // A button that was never sent cannot be tapped.
  auto nothing = call(w.sim.base, "POST", "/sim/phones/" + dario + "/tap", json{{"button", "Forse"}}.dump(),
                      {{"Content-Type", "application/json"}});
  CHECK(nothing.status == 404);
}

TEST_CASE("wa-sim refuses reply buttons outside Meta's limits as Meta does") {
  temp_dir dir;
  wa_sim sim{dir.path};
  auto ok = send_raw(sim, buttons_message({reply("a", "Attiva"), reply("b", "Disattiva"), reply("c", "Info")}));
  CHECK(ok.status == 200);

  auto code_of = [](const banditore::http::client_response& r) {
    return json::parse(r.body)["error"]["code"].get<int>();
  };
  auto four = send_raw(sim, buttons_message({reply("a", "1"), reply("b", "2"), reply("c", "3"), reply("d", "4")}));
  CHECK(four.status == 400);
  CHECK(code_of(four) == 131009);
  auto long_title = send_raw(sim, buttons_message({reply("a", "Ventuno caratteri qui")}));
  CHECK(long_title.status == 400);
  CHECK(code_of(long_title) == 131009);
  auto twenty = send_raw(sim, buttons_message({reply("a", "Venti caratteri qui!")}));
  CHECK(twenty.status == 200);
  auto same_id = send_raw(sim, buttons_message({reply("a", "Uno"), reply("a", "Due")}));
  CHECK(code_of(same_id) == 131009);
  auto long_body = send_raw(sim, buttons_message({reply("a", "Uno")}, std::string(1025, 'x')));
  CHECK(code_of(long_body) == 131009);
  auto none = send_raw(sim, buttons_message(json::array()));
  CHECK(none.status == 400);
  CHECK(code_of(none) == 100);
}

TEST_CASE("inbound unknown lists what was not understood, most frequent first, without digits") {
  world w;
  w.sim.citizen_says(dario, "quando passa la raccolta?");
  w.sim.citizen_says(dario, "quando passa la raccolta?");
  w.sim.citizen_says(dario, "iscrivete mia madre 333 1234567");
  w.sim.citizen_says(dario, "attiva");
  w.await_messages(dario, 3);  // help, buttons, subscribed (the second help is suppressed)
  REQUIRE(wait_until([&] { return count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages") == 4; }));

  const auto listed = run_cli(w.dir.path, {"inbound", "unknown", "--json"},
                              {{"BANDITORE_DB", w.app.db_file.string()},
                               {"BANDITORE_KEY_FILE", (w.dir.path / "banditore.key").string()}});
  INFO("stderr: " << listed.err);
  REQUIRE(listed.exit_code == 0);
  const auto report = json::parse(listed.out);
  const auto& texts = report["texts"];
  REQUIRE(texts.size() == 2);
  CHECK(texts[0]["text"] == "quando passa la raccolta");
  CHECK(texts[0]["count"] == 2);
  CHECK(texts[1]["text"] == "iscrivete mia madre #");
  CHECK(texts[1]["asked"] == 1);
  // Every text of the report, not its times and counts, whose digits may
  // happen to hold "333".
  std::string strings;
  std::function<void(const json&)> gather = [&](const json& j) {
    if (j.is_string()) strings += j.get<std::string>() + "\n";
    else if (j.is_structured()) for (const auto& v : j) gather(v);
  };
  gather(report);
  CHECK(strings.find("1234567") == std::string::npos);
  CHECK(strings.find("333") == std::string::npos);
  CHECK(strings.find("iscrivete mia madre") != std::string::npos);
}

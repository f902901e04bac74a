// What the phone shows, and that nothing broken reaches it: the alert's
// free text, template parameters that wa-sim checks with Meta's rules, the
// failure reasons in the alert's report, the 422s and the 409 for a double
// click, and the welcome notice before any other alert to an imported
// number.
#include "harness.hpp"

#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_message.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <map>

using namespace harness;
using env_map = std::map<std::string, std::string>;

namespace {

// The approved template as registered in WhatsApp Manager, told to both
// wa-sim (which then checks names, counts and the 1024 characters) and
// banditore (which counts its fixed text).
const std::string template_body = "Avviso del {{1}} ({{2}}): {{3}}\n\n{{4}}\n\nPer non ricevere più avvisi scrivi DISATTIVA.";

env_map template_env() {
  return {{"BANDITORE_WA_TEMPLATE_NAME", "avviso_comunale"},
          {"BANDITORE_WA_TEMPLATE_MODE", "always"},
          {"BANDITORE_WA_TEMPLATE_PARAMS", "town,time,title,text"},
          {"BANDITORE_WA_TEMPLATE_BODY", template_body},
          {"BANDITORE_TOWN", "Lodi"}};
}

void register_template(wa_sim& sim) {
  auto r = call(sim.base, "PUT", "/sim/templates/avviso_comunale", json{{"language", "it"}, {"body", template_body}}.dump());
  REQUIRE(r.status == 200);
}

// A send as banditore would make it, straight to wa-sim.
banditore::http::client_response send_template(wa_sim& sim, const std::vector<std::string>& params) {
  json parameters = json::array();
  for (const auto& p : params) parameters.push_back({{"type", "text"}, {"text", p}});
  json body = {{"messaging_product", "whatsapp"},
               {"to", "393330000001"},
               {"type", "template"},
               {"template",
                {{"name", "avviso_comunale"},
                 {"language", {{"code", "it"}}},
                 {"components", json::array({{{"type", "body"}, {"parameters", parameters}}})}}}};
  return call(sim.base, "POST", "/v21.0/" + sim_phone_number_id + "/messages", body.dump(),
              {{"Authorization", "Bearer " + sim_token}, {"Content-Type", "application/json"}});
}

int meta_code(const banditore::http::client_response& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", 0) : 0;
}

json multi_line_alert() {
  return {{"category", "weather"},
          {"severity", "extreme"},
          {"title", "Esondazione del Po"},
          {"text", "Evacuare i piani terra\ndi via Po e via Adda.\n\n\tNon usare l'auto.     Seguire la polizia locale."}};
}

}  // namespace

TEST_CASE("wa-sim refuses what Meta refuses in a template parameter") {
  temp_dir dir;
  wa_sim sim(dir.path);
  CHECK(send_template(sim, {"a", "b", "c", "d"}).status == 200);  // no template registered: any name goes
  auto newline = send_template(sim, {"Lodi", "ora", "Titolo", "riga\nriga"});
  CHECK(newline.status == 400);
  CHECK(meta_code(newline) == 100);
  CHECK(newline.body.find("Param text cannot have new-line/tab characters or more than 4 consecutive spaces") !=
        std::string::npos);
  CHECK(meta_code(send_template(sim, {"Lodi", "ora", "Titolo", "a\tb"})) == 100);
  CHECK(meta_code(send_template(sim, {"Lodi", "ora", "Titolo", "a     b"})) == 100);
  CHECK(send_template(sim, {"Lodi", "ora", "Titolo", "a    b"}).status == 200);
  CHECK(meta_code(send_template(sim, {"Lodi", "ora", "Titolo", ""})) == 131008);

  register_template(sim);
  CHECK(send_template(sim, {"Lodi", "ora", "Titolo", "Testo"}).status == 200);
  CHECK(meta_code(send_template(sim, {"Lodi", "ora", "Titolo"})) == 132000);
  CHECK(meta_code(send_template(sim, {"Lodi", "ora", "Titolo", std::string(1000, 'x')})) == 132005);
}

TEST_CASE("a multi-line alert goes to everyone as a template whose parameters wa-sim accepts") {
  alert_world w(template_env());
  register_template(w.sim);
  auto phones = w.sim.subscribe_many(4);
  auto id = w.post_alert(multi_line_alert())["id"].get<std::int64_t>();
  auto report = w.await_state(id, "done");
  INFO(report.dump());
  CHECK(report["reached"] == 4);
  CHECK(report["counts"]["failed"] == 0);
  CHECK(w.sim.stats().value("rejected_invalid", 0) == 0);
  const auto box = w.sim.inbox(phones[0]);
  const auto& last = box["messages"].back();
  REQUIRE(last.contains("template"));
  const auto params = last["template"]["parameters"];
  REQUIRE(params.size() == 4);
  CHECK(params[0] == "Comune di Lodi");
  CHECK(params[2] == "Esondazione del Po");
  CHECK(params[3] == "Evacuare i piani terra di via Po e via Adda. — Non usare l'auto. Seguire la polizia locale.");
}

TEST_CASE("as free text the alert says the town, the severity in a word and a symbol, Rome's time, the link and how to stop") {
  alert_world w(env_map{{"BANDITORE_TOWN", "Comune di Lodi"}});
  auto phones = w.sim.subscribe_many(1);
  auto body = multi_line_alert();
  body["link"] = "https://www.comune.lodi.it/avvisi/po";
  auto created = w.post_alert(body);
  auto id = created["id"].get<std::int64_t>();
  CHECK(created["link"] == "https://www.comune.lodi.it/avvisi/po");
  w.await_state(id, "done");
  const auto texts = w.sim.texts(phones[0]);
  REQUIRE_FALSE(texts.empty());
  const auto& text = texts.back();
  INFO(text);
  const auto issued = *banditore::domain::parse_rfc3339(created["created_at"].get<std::string>());
  CHECK(text.rfind("🔴 *ALLERTA ROSSA* · Comune di Lodi\n", 0) == 0);  // the town named once
  // created_at is whole seconds; the message's minute is the same.
  CHECK(text.find("_Emesso il " + banditore::domain::rome_time_text(issued) + "_") != std::string::npos);
  CHECK(text.find("*Esondazione del Po*\nEvacuare i piani terra\ndi via Po") != std::string::npos);
  CHECK(text.find("\n\nhttps://www.comune.lodi.it/avvisi/po\n\n") != std::string::npos);
  CHECK(text.ends_with("Per non ricevere più avvisi scrivi DISATTIVA."));
}

TEST_CASE("the severity labels are the configured ones") {
  alert_world w(env_map{{"BANDITORE_SEVERITY_LABELS", "extreme=🚨 PERICOLO IMMEDIATO"}});
  auto phones = w.sim.subscribe_many(1);
  auto id = w.post_alert(multi_line_alert())["id"].get<std::int64_t>();
  w.await_state(id, "done");
  CHECK(w.sim.texts(phones[0]).back().rfind("🚨 *PERICOLO IMMEDIATO*", 0) == 0);
}

TEST_CASE("the alert's report counts failures by state and WhatsApp code") {
  alert_world w;
  auto phones = w.sim.subscribe_many(5);
  call(w.sim.base, "PUT", "/sim/phones/" + phones[1], json{{"sync_failure", 131026}}.dump());
  call(w.sim.base, "PUT", "/sim/phones/" + phones[3], json{{"sync_failure", 131026}}.dump());
  call(w.sim.base, "PUT", "/sim/phones/" + phones[4], json{{"sync_failure", 131031}}.dump());
  auto id = w.post_alert(multi_line_alert())["id"].get<std::int64_t>();
  auto report = w.await_state(id, "done");
  INFO(report.dump());
  CHECK(report["counts"]["failed"] == 3);
  const auto failed = report["errors"]["failed"];
  REQUIRE(failed.size() == 2);
  CHECK(failed[0]["code"] == 131026);
  CHECK(failed[0]["count"] == 2);
  CHECK(failed[0]["title"].get<std::string>().find("131026") != std::string::npos);
  CHECK(failed[1]["code"] == 131031);
  CHECK(failed[1]["count"] == 1);
  // No number in the report.
  for (const auto& p : phones) CHECK(report.dump().find(p) == std::string::npos);
}

TEST_CASE("an alert that reached everyone reports no errors") {
  alert_world w;
  w.sim.subscribe_many(3);
  auto clean = w.post_alert({{"category", "roads"}, {"severity", "minor"}, {"title", "Mercato"}, {"text", "Spostato."}});
  const auto report = w.await_state(clean["id"].get<std::int64_t>(), "done");
  INFO(report.dump());
  CHECK(report["reached"] == 3);
  CHECK(report["errors"].empty());
}

TEST_CASE("a blank title or text, or a text too long for its form, is 422 and nothing is stored") {
  alert_world w(template_env());
  auto post = [&](const json& body) { return w.app.api("POST", "/v1/alerts", w.token, body.dump()); };
  auto blank_title = post({{"category", "water"}, {"severity", "severe"}, {"title", " \n\t "}, {"text", "x"}});
  CHECK(blank_title.status == 422);
  CHECK(json::parse(blank_title.body)["errors"][0]["field"] == "title");
  auto blank_text = post({{"category", "water"}, {"severity", "severe"}, {"title", "Guasto"}, {"text", "\u00a0\n"}});
  CHECK(blank_text.status == 422);
  CHECK(json::parse(blank_text.body)["errors"][0]["reason"] == "must not be blank");
  // 1,000 characters fit free text but not the template with its fixed
  // text, town and time.
  auto too_long = post({{"category", "water"}, {"severity", "severe"}, {"title", "Guasto"}, {"text", std::string(1000, 'x')}});
  CHECK(too_long.status == 422);
  CHECK(json::parse(too_long.body)["detail"].get<std::string>().find("template") != std::string::npos);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("the same alert posted twice without an Idempotency-Key is refused naming the first, unless asked") {
  alert_world w;
  w.sim.subscribe_many(2);
  const auto body = multi_line_alert();
  auto first = w.post_alert(body)["id"].get<std::int64_t>();
  auto again = w.app.api("POST", "/v1/alerts", w.token, body.dump());
  CHECK(again.status == 409);
  CHECK(again.header("Content-Type") == "application/problem+json");
  const auto problem = json::parse(again.body);
  CHECK(problem["alert_id"] == first);
  CHECK(again.header("Location") == "/v1/alerts/" + std::to_string(first));
  CHECK(problem["detail"].get<std::string>().find("alert " + std::to_string(first)) != std::string::npos);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 1);

  // Another text is another alert; a deliberate repeat says so.
  auto other = body;
  other["text"] = "Evacuare anche via Ticino.";
  CHECK(w.app.api("POST", "/v1/alerts", w.token, other.dump()).status == 202);
  auto deliberate = body;
  deliberate["allow_duplicate"] = true;
  CHECK(w.app.api("POST", "/v1/alerts", w.token, deliberate.dump()).status == 202);
  // With an Idempotency-Key the key decides: a new key is a new broadcast.
  CHECK(w.app.api("POST", "/v1/alerts", w.token, body.dump(), {{"Idempotency-Key", "po-2"}}).status == 202);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 4);
}

TEST_CASE("a cancelled alert may be posted again at once") {
  alert_world w;
  w.sim.subscribe_many(1);
  const auto body = multi_line_alert();
  auto first = w.post_alert(body)["id"].get<std::int64_t>();
  CHECK(w.app.api("POST", "/v1/alerts/" + std::to_string(first) + "/cancel", w.token).status == 200);
  CHECK(w.app.api("POST", "/v1/alerts", w.token, body.dump()).status == 202);
}

namespace {

// Runs `banditore subscribers import` against the server's database.
int import_list(const temp_dir& dir, const banditore_server& app, const std::string& csv_text) {
  const auto csv = dir.path / "import.csv";
  std::ofstream(csv) << csv_text;
  return run_cli(dir.path, {"subscribers", "import", csv.string()}, app.env).exit_code;
}

// Quiet hours around now in Rome: the notice to imported numbers is held.
std::string quiet_hours_now() {
  using namespace std::chrono;
  const auto now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const auto local = banditore::domain::rome_time_text(now_ms);  // "dd/mm/yyyy alle HH:MM"
  const int minute = std::stoi(local.substr(local.size() - 5, 2)) * 60 + std::stoi(local.substr(local.size() - 2));
  auto clock = [](int m) {
    m = (m + 24 * 60) % (24 * 60);
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
    return std::string(buf);
  };
  return clock(minute - 60) + "-" + clock(minute + 120);
}

}  // namespace

TEST_CASE("the welcome notice reaches an imported number before any other alert, even in quiet hours") {
  auto env = template_env();
  env["BANDITORE_WA_TEMPLATE_MODE"] = "window";
  env["BANDITORE_QUIET_HOURS"] = quiet_hours_now();
  alert_world w(env);
  register_template(w.sim);
  const auto existing = w.sim.subscribe_many(2);
  REQUIRE(import_list(w.dir, w.app, "numero\n+39 333 765 4321\n") == 0);
  // The notice is minor: held for the quiet hours.
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE alert_id = 1 AND not_before > strftime('%s','now') * 1000") == 1);

  auto urgent = w.post_alert(multi_line_alert())["id"].get<std::int64_t>();
  auto report = w.await_state(urgent, "done", std::chrono::seconds(60));
  CHECK(report["reached"] == 3);
  const auto box = w.sim.inbox("393337654321");
  INFO(box.dump());
  REQUIRE(box["messages"].size() == 2);
  CHECK(box["messages"][0]["template"]["parameters"][2] == "Nuovo servizio di avvisi");
  CHECK(box["messages"][1]["template"]["parameters"][2] == "Esondazione del Po");
  // The others got only the alert, as free text inside their window.
  for (const auto& p : existing) CHECK(w.sim.texts(p).back().find("Esondazione del Po") != std::string::npos);
}

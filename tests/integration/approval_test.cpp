// A second person's approval over real loopback: the press office writes
// a draft with one key, another key approves or rejects it, nobody
// approves their own, and a CAP alert held for a decision goes out only
// once a publisher approves it (docs/approval.md).
#include "harness.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <sstream>

using namespace harness;
using banditore::http::header_field;

namespace {

json parsed(const banditore::http::client_response& r) {
  INFO("body: " << r.body);
  return json::parse(r.body);
}

std::string draft_path(std::int64_t id, const std::string& action = {}) {
  return "/v1/drafts/" + std::to_string(id) + (action.empty() ? "" : "/" + action);
}

std::string revision_body(std::int64_t revision) { return json{{"revision", revision}}.dump(); }

const json severe_alert = {{"category", "water"},
                           {"severity", "severe"},
                           {"title", "Acqua non potabile a Lugo"},
                           {"text", "Fino a nuovo avviso l'acqua del rubinetto va bollita."}};

}  // namespace

TEST_CASE("a draft is approved by a second key, never by its author, and goes out once") {
  alert_world w(std::map<std::string, std::string>{{"BANDITORE_APPROVAL_RULE", "severity>=severe"}});
  const auto phones = w.sim.subscribe_many(2);
  const auto publisher = w.token;  // "ufficio stampa": alerts:send
  const auto anna = w.app.create_key("anna", "alerts:send,alerts:read");
  const auto editor = w.app.create_key("redazione", "drafts:write,alerts:read");

  // The rule asks a second person for a severe alert: no direct send.
  auto direct = w.app.api("POST", "/v1/alerts", publisher, severe_alert.dump());
  CHECK(direct.status == 403);
  CHECK(direct.header("Content-Type") == "application/problem+json");
  CHECK(parsed(direct)["title"] == "Approval Required");
  CHECK(parsed(direct)["approval_rule"] == "severity>=severe");
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);
  // A moderate one is not asked for: sent at once, as before.
  json moderate = severe_alert;
  moderate["severity"] = "moderate";
  moderate["title"] = "Lavori alla rete idrica";
  moderate["text"] = "Domani pressione bassa in via Roma.";
  CHECK(w.app.api("POST", "/v1/alerts", publisher, moderate.dump()).status == 202);

  // Anna writes it as a draft and submits it.
  json body = severe_alert;
  body["submit"] = true;
  auto created = w.app.api("POST", "/v1/drafts", anna, body.dump());
  REQUIRE(created.status == 201);
  const auto draft = parsed(created);
  const auto id = draft["id"].get<std::int64_t>();
  CHECK(created.header("Location") == draft_path(id));
  CHECK(draft["state"] == "pending");
  CHECK(draft["author"] == "key:anna");
  CHECK(draft["revision"] == 1);
  CHECK(draft["needs_approval"] == true);

  // Not by its author, not by a key that only writes drafts.
  auto own = w.app.api("POST", draft_path(id, "approve"), anna, revision_body(1));
  CHECK(own.status == 403);
  CHECK(parsed(own)["detail"].get<std::string>().find("second person") != std::string::npos);
  CHECK(w.app.api("POST", draft_path(id, "approve"), editor, revision_body(1)).status == 403);
  // Precise refusals: a stale revision, a missing one, no such draft.
  auto stale = w.app.api("POST", draft_path(id, "approve"), publisher, revision_body(7));
  CHECK(stale.status == 409);
  CHECK(parsed(stale)["revision"] == 1);
  auto missing = w.app.api("POST", draft_path(id, "approve"), publisher, "{}");
  CHECK(missing.status == 422);
  CHECK(parsed(missing)["errors"][0]["field"] == "revision");
  CHECK(w.app.api("POST", draft_path(999, "approve"), publisher, revision_body(1)).status == 404);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 1);

  // The second person approves: one alert, to every subscriber.
  auto approved = w.app.api("POST", draft_path(id, "approve"), publisher, revision_body(1));
  REQUIRE(approved.status == 202);
  const auto alert_id = parsed(approved)["id"].get<std::int64_t>();
  CHECK(approved.header("Location") == "/v1/alerts/" + std::to_string(alert_id));
  w.await_state(alert_id, "done");
  for (const auto& p : phones) CHECK(w.sim.texts(p).back().find("bollita") != std::string::npos);
  auto again = w.app.api("POST", draft_path(id, "approve"), publisher, revision_body(1));
  CHECK(again.status == 409);
  CHECK(parsed(again)["state"] == "sent");
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 2);
  const auto after = parsed(w.app.api("GET", draft_path(id), publisher));
  CHECK(after["state"] == "sent");
  CHECK(after["alert_id"] == alert_id);
  CHECK(after["decision"] == "approve");
  CHECK(after["decided_by"] == "key:ufficio stampa");

  // Every step is in the audit log; no number is in the service's log.
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action = 'draft.create' AND actor = 'key:anna'") ==
        1);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action = 'draft.approve' AND "
                             "actor = 'key:ufficio stampa' AND alert_id = " + std::to_string(alert_id)) == 1);
  const auto log = read_file(w.app.log_file);
  CHECK(log.find("\"draft.approved\"") != std::string::npos);
  for (const auto& p : phones) CHECK(log.find(p) == std::string::npos);
}

TEST_CASE("a rejected draft says why, is submitted again, and an emergency key sends past the rule as a bypass") {
  alert_world w(std::map<std::string, std::string>{{"BANDITORE_APPROVAL_RULE", "all"}});
  const auto publisher = w.token;
  const auto editor = w.app.create_key("redazione", "drafts:write,alerts:read");
  const auto emergency = w.app.create_key("sindaco", "alerts:send,alerts:emergency,alerts:read");

  auto created = w.app.api("POST", "/v1/drafts", editor, severe_alert.dump());
  REQUIRE(created.status == 201);
  const auto id = parsed(created)["id"].get<std::int64_t>();
  CHECK(parsed(created)["state"] == "draft");
  // Rejecting takes a pending draft, and a reason.
  CHECK(w.app.api("POST", draft_path(id, "reject"), publisher, R"({"reason":"manca l'orario"})").status == 409);
  auto submitted = w.app.api("POST", draft_path(id, "submit"), editor);
  REQUIRE(submitted.status == 200);
  CHECK(parsed(submitted)["state"] == "pending");
  CHECK(w.app.api("POST", draft_path(id, "submit"), editor).status == 409);
  auto no_reason = w.app.api("POST", draft_path(id, "reject"), publisher, "{}");
  CHECK(no_reason.status == 422);
  CHECK(parsed(no_reason)["errors"][0]["field"] == "reason");
  CHECK(w.app.api("POST", draft_path(id, "reject"), publisher, R"({"reason":"  "})").status == 422);
  CHECK(w.app.api("POST", draft_path(id, "reject"), publisher, "non json").status == 400);

  auto rejected = w.app.api("POST", draft_path(id, "reject"), publisher, R"({"reason":"manca l'orario"})");
  REQUIRE(rejected.status == 200);
  CHECK(parsed(rejected)["state"] == "rejected");
  CHECK(parsed(rejected)["reject_reason"] == "manca l'orario");
  CHECK(w.app.api("POST", draft_path(id, "approve"), publisher, revision_body(1)).status == 409);
  CHECK(parsed(w.app.api("GET", "/v1/drafts?state=rejected", publisher))["drafts"].size() == 1);
  // The author rewrites it and submits it again: a new revision, pending.
  json fixed = severe_alert;
  fixed["text"] = "Fino alle 18 di oggi l'acqua del rubinetto va bollita.";
  auto edited = w.app.api("PUT", draft_path(id), editor, fixed.dump());
  REQUIRE(edited.status == 200);
  CHECK(parsed(edited)["state"] == "draft");
  CHECK(parsed(edited)["revision"] == 2);
  CHECK(parsed(edited)["editor"] == "key:redazione");
  CHECK(parsed(w.app.api("POST", draft_path(id, "submit"), editor))["state"] == "pending");
  CHECK(w.app.api("PUT", draft_path(id), editor, fixed.dump()).status == 409);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action = 'draft.reject'") == 1);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action = 'draft.update'") == 1);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action = 'draft.submit'") == 2);
  // Approved at the revision read before the edit: refused; at the new one: sent.
  CHECK(w.app.api("POST", draft_path(id, "approve"), publisher, revision_body(1)).status == 409);
  auto approved = w.app.api("POST", draft_path(id, "approve"), publisher, revision_body(2));
  REQUIRE(approved.status == 202);
  CHECK(parsed(approved)["text"] == "Fino alle 18 di oggi l'acqua del rubinetto va bollita.");

  // The emergency capability sends past the rule, recorded as a bypass.
  json red = severe_alert;
  red["severity"] = "extreme";
  red["title"] = "Evacuare il piano terra";
  auto past = w.app.api("POST", "/v1/alerts", emergency, red.dump());
  REQUIRE(past.status == 202);
  const auto alert_id = parsed(past)["id"].get<std::int64_t>();
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action = 'draft.bypass' AND actor = 'key:sindaco' "
                             "AND alert_id = " + std::to_string(alert_id)) == 1);
  CHECK(w.app.api("POST", "/v1/alerts", publisher, red.dump()).status == 403);
}

namespace {

std::string cap_fixture(const std::string& name) {
  auto text = read_file(fs::path(BANDITORE_FIXTURES) / "cap" / name);
  // A real document of 2024: its expiry moved on so the policy sees it current.
  const std::string from = "<expires>2024-", to = "<expires>2099-";
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string key_before_start(const temp_dir& dir, const std::string& name, const std::string& scopes) {
  const auto r = run_cli(dir.path, {"keys", "create", "--name", name, "--scopes", scopes}, database_env(dir.path));
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(r.out);
  std::string token;
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) token = line;
  return token;
}

}  // namespace

TEST_CASE("a CAP alert held for a decision waits as a pending draft and goes out once a publisher approves it") {
  temp_dir dir;
  const auto cap_token = key_before_start(dir, "civil-protection", "cap:ingest");
  const auto publisher = key_before_start(dir, "ufficio stampa", "alerts:send,alerts:read");
  wa_sim sim{dir.path};
  banditore_server app(dir.path, sim,
                       {{"BANDITORE_CAP_REGIONS", "IT003"},
                        {"BANDITORE_CAP_ISTAT", "015146"},
                        {"BANDITORE_CAP_DECISION", "hold"}});
  app.start();

  auto held = call(app.base, "POST", "/v1/cap", cap_fixture("meteoalarm_it_orange_thunderstorm_lombardia.xml"),
                   {{"Content-Type", "application/cap+xml"}, {"Authorization", "Bearer " + cap_token}});
  REQUIRE(held.status == 202);
  const auto answer = parsed(held);
  CHECK(answer["verdict"] == "held");
  CHECK(answer["alert_id"].is_null());
  const auto id = answer["draft_id"].get<std::int64_t>();
  CHECK(held.header("Location") == draft_path(id));
  CHECK(count(app.db_file, "SELECT COUNT(*) FROM alerts") == 0);

  const auto draft = parsed(app.api("GET", draft_path(id), publisher));
  CHECK(draft["source"] == "cap");
  CHECK(draft["state"] == "pending");
  CHECK(draft["category"] == "weather");

  auto approved = app.api("POST", draft_path(id, "approve"), publisher, revision_body(draft["revision"].get<std::int64_t>()));
  REQUIRE(approved.status == 202);
  CHECK(parsed(approved)["source"] == "cap");
  CHECK(count(app.db_file, "SELECT COUNT(*) FROM alerts WHERE source = 'cap'") == 1);
  CHECK(app.api("POST", draft_path(id, "approve"), publisher, revision_body(1)).status == 409);
  CHECK(count(app.db_file, "SELECT COUNT(*) FROM alerts") == 1);
}

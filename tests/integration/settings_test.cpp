// Run-time settings over real loopback (docs/configuration.md, «Run-time
// settings»): an admin changes the approval rule in the console and the
// next alert follows it without a restart; a publisher and a key without
// audience:admin are refused; a bad value is a 422 that changes nothing;
// the change survives a restart; returning to the environment's value
// undoes it. Every change is in the audit log with who and old/new.
#include "harness.hpp"

#include <doctest/doctest.h>

using namespace harness;

namespace {

const json severe_alert = {{"category", "water"},
                           {"severity", "severe"},
                           {"title", "Acqua non potabile a Lugo"},
                           {"text", "Fino a nuovo avviso l'acqua del rubinetto va bollita."}};

// A console session's cookie for a new user of this role.
std::string log_in(alert_world& w, const std::string& email, const std::string& role) {
  const auto created =
      run_cli(w.dir.path, {"users", "create", "--email", email, "--name", "Elena Bianchi", "--role", role}, w.app.env);
  REQUIRE(created.exit_code == 0);
  auto password = created.out;
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  password = password.substr(password.rfind('\n') + 1);
  std::string at_encoded = email;
  at_encoded.replace(at_encoded.find('@'), 1, "%40");
  const auto r = call(w.app.base, "POST", "/console/login", "email=" + at_encoded + "&password=" + password,
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(r.status == 303);
  const std::string cookie(r.header("Set-Cookie"));
  REQUIRE(!cookie.empty());
  return cookie.substr(0, cookie.find(';'));
}

// The value of the form's hidden csrf field on a console page.
std::string csrf_of(const std::string& page) {
  const std::string marker = "name=\"csrf\" value=\"";
  const auto at = page.find(marker);
  REQUIRE(at != std::string::npos);
  const auto from = at + marker.size();
  return page.substr(from, page.find('"', from) - from);
}

banditore::http::client_response post_setting(alert_world& w, const std::string& cookie, const std::string& name,
                                               const std::string& form) {
  const auto page = call(w.app.base, "GET", "/console/", {}, {{"Cookie", cookie}});
  REQUIRE(page.status == 200);
  return call(w.app.base, "POST", "/console/admin/settings/" + name, "csrf=" + csrf_of(page.body) + "&" + form,
              {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie}});
}

json setting(alert_world& w, const std::string& token, const std::string& name) {
  const auto r = w.app.api("GET", "/v1/settings", token);
  REQUIRE(r.status == 200);
  const auto all = json::parse(r.body);  // kept alive: the loop walks inside it
  for (const auto& s : all.at("items"))
    if (s.at("name") == name) return s;
  FAIL("no setting " << name);
  return {};
}

std::string cap_fixture(const std::string& name) {
  auto text = read_file(fs::path(BANDITORE_FIXTURES) / "cap" / name);
  // A real document of 2024: its expiry moved on so the policy sees it current.
  const std::string from = "<expires>2024-", to = "<expires>2099-";
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::int64_t overrides(alert_world& w) { return count(w.app.db_file, "SELECT COUNT(*) FROM setting_overrides"); }

}  // namespace

TEST_CASE("an admin changes the approval rule in the console and the next alert follows it, across a restart") {
  alert_world w(std::map<std::string, std::string>{{"BANDITORE_CONSOLE_TOTP", "optional"}});
  const auto phones = w.sim.subscribe_many(2);
  const auto admin_key = w.app.create_key("script", "audience:admin");
  const auto admin = log_in(w, "g.neri@comune.example.it", "admin");
  const auto publisher = log_in(w, "l.bianchi@comune.example.it", "publisher");

  // No rule in the environment: a severe alert goes at once.
  CHECK(setting(w, admin_key, "BANDITORE_APPROVAL_RULE")["origin"] == "default");
  auto first = w.post_alert(severe_alert);
  w.await_state(first["id"].get<std::int64_t>(), "done");

  // A publisher may not change it, with a valid form and token: 403, nothing stored.
  const auto refused = post_setting(w, publisher, "BANDITORE_APPROVAL_RULE", "valore=all&azione=salva");
  CHECK(refused.status == 403);
  CHECK(overrides(w) == 0);
  // Nor a key without audience:admin, over REST.
  CHECK(w.app.api("GET", "/v1/settings", w.token).status == 403);
  CHECK(w.app.api("PUT", "/v1/settings/BANDITORE_APPROVAL_RULE", w.token, R"({"value":"all"})")
            .status == 403);
  CHECK(overrides(w) == 0);

  // The admin sets severity>=severe from the settings page.
  const auto changed = post_setting(w, admin, "BANDITORE_APPROVAL_RULE", "valore=severity%3E%3Dsevere&azione=salva");
  CHECK(changed.status == 303);
  CHECK(changed.header("Location") == "/console/admin/settings#BANDITORE_APPROVAL_RULE");
  // The next severe alert needs a second person; a moderate one still goes.
  auto direct = w.app.api("POST", "/v1/alerts", w.token, severe_alert.dump());
  CHECK(direct.status == 403);
  CHECK(json::parse(direct.body)["approval_rule"] == "severity>=severe");
  json moderate = severe_alert;
  moderate["severity"] = "moderate";
  moderate["title"] = "Lavori alla rete idrica";
  CHECK(w.app.api("POST", "/v1/alerts", w.token, moderate.dump()).status ==
        202);
  // Audited with who and the old and new value.
  CHECK(count(w.app.db_file,
              "SELECT COUNT(*) FROM audit_log WHERE action = 'setting.change' AND actor = "
              "'staff:g.neri@comune.example.it' AND json_extract(detail, '$.name') = 'BANDITORE_APPROVAL_RULE' "
              "AND json_extract(detail, '$.old') = 'none' AND json_extract(detail, '$.new') = 'severity>=severe'") ==
        1);
  const auto page = call(w.app.base, "GET", "/console/admin/settings", {}, {{"Cookie", admin}});
  REQUIRE(page.status == 200);
  CHECK(page.body.find("severity&gt;=severe") != std::string::npos);
  CHECK(page.body.find("da staff:g.neri@comune.example.it") != std::string::npos);

  // A bad value: 422 naming the setting and why, and the rule in use unchanged.
  const auto bad = post_setting(w, admin, "BANDITORE_APPROVAL_RULE", "valore=category%3Dlava&azione=salva");
  CHECK(bad.status == 422);
  CHECK(bad.body.find("BANDITORE_APPROVAL_RULE") != std::string::npos);
  CHECK(bad.body.find("&apos;lava&apos; is not a category") != std::string::npos);
  const auto bad_rest = w.app.api("PUT", "/v1/settings/BANDITORE_CAP_DECISION", admin_key, R"({"value":"later"})");
  CHECK(bad_rest.status == 422);
  CHECK(bad_rest.header("Content-Type") == "application/problem+json");
  CHECK(json::parse(bad_rest.body)["detail"] == "BANDITORE_CAP_DECISION: must be auto or hold, got 'later'");
  CHECK(w.app.api("PUT", "/v1/settings/BANDITORE_WA_TOKEN", admin_key, R"({"value":"x"})")
            .status == 404);
  CHECK(overrides(w) == 1);
  CHECK(setting(w, admin_key, "BANDITORE_APPROVAL_RULE")["value"] == "severity>=severe");
  CHECK(w.app.api("POST", "/v1/alerts", w.token, severe_alert.dump()).status ==
        403);

  // The change survives a restart: read from the database at start.
  w.app.stop();
  w.app.start();
  const auto after = setting(w, admin_key, "BANDITORE_APPROVAL_RULE");
  CHECK(after["origin"] == "console");
  CHECK(after["changed_by"] == "staff:g.neri@comune.example.it");
  CHECK(w.app.api("POST", "/v1/alerts", w.token, severe_alert.dump()).status ==
        403);

  // Back to the environment's value (here the default) over REST: sent at once again.
  const auto reset = w.app.api("DELETE", "/v1/settings/BANDITORE_APPROVAL_RULE", admin_key);
  CHECK(reset.status == 200);
  CHECK(json::parse(reset.body)["origin"] == "default");
  CHECK(overrides(w) == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action = 'setting.reset' AND actor = 'key:script' "
                             "AND json_extract(detail, '$.old') = 'severity>=severe'") == 1);
  json again = severe_alert;
  again["title"] = "Acqua di nuovo potabile";
  again["text"] = "L'acqua del rubinetto è di nuovo potabile.";
  auto sent = w.post_alert(again);
  w.await_state(sent["id"].get<std::int64_t>(), "done");
  for (const auto& p : phones) CHECK(w.sim.texts(p).back().find("di nuovo potabile") != std::string::npos);
}

TEST_CASE("the CAP decision and the quiet hours change over REST, say where their value comes from, and apply at once") {
  alert_world w(std::map<std::string, std::string>{{"BANDITORE_QUIET_HOURS", "22:00-07:00"},
                                                   {"BANDITORE_CAP_REGIONS", "IT003"},
                                                   {"BANDITORE_CAP_ISTAT", "015146"}});
  const auto cap_key = w.app.create_key("civil-protection", "cap:ingest");
  const auto admin_key = w.app.create_key("script", "audience:admin");
  auto quiet = setting(w, admin_key, "BANDITORE_QUIET_HOURS");
  CHECK(quiet["origin"] == "environment");
  CHECK(quiet["value"] == "22:00-07:00");
  CHECK(quiet["environment_value"] == "22:00-07:00");

  auto put = w.app.api("PUT", "/v1/settings/BANDITORE_QUIET_HOURS", admin_key, R"({"value":"23:00-06:00"})");
  REQUIRE(put.status == 200);
  CHECK(json::parse(put.body)["value"] == "23:00-06:00");
  CHECK(json::parse(put.body)["origin"] == "console");
  CHECK(json::parse(put.body)["changed_by"] == "key:script");
  auto hold = w.app.api("PUT", "/v1/settings/BANDITORE_CAP_DECISION", admin_key, R"({"value":"hold"})");
  REQUIRE(hold.status == 200);
  CHECK(setting(w, admin_key, "BANDITORE_CAP_DECISION")["value"] == "hold");
  // The next CAP alert the policy would send waits as a pending draft.
  const auto held = call(w.app.base, "POST", "/v1/cap", cap_fixture("meteoalarm_it_orange_thunderstorm_lombardia.xml"),
                         {{"Content-Type", "application/cap+xml"}, {"Authorization", "Bearer " + cap_key}});
  REQUIRE(held.status == 202);
  CHECK(json::parse(held.body)["verdict"] == "held");
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM drafts WHERE source = 'cap' AND state = 'pending'") == 1);
  // A body that is not {"value": string}: 422, nothing stored beyond the two.
  CHECK(w.app.api("PUT", "/v1/settings/BANDITORE_CAP_DECISION", admin_key, R"({"value":1})")
            .status == 422);
  CHECK(overrides(w) == 2);
  // Returned: the environment's value again.
  CHECK(w.app.api("DELETE", "/v1/settings/BANDITORE_QUIET_HOURS", admin_key).status == 200);
  CHECK(setting(w, admin_key, "BANDITORE_QUIET_HOURS")["origin"] == "environment");
}

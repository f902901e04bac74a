#include <banditore/app/alerts_api.hpp>

#include <banditore/app/auth_throttle.hpp>

#include "../fake_store.hpp"
#include "route_call.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace banditore;
using json = nlohmann::json;
using testing::call;
using testing::fake_store;
using testing::header_of;
using testing::make_request;

namespace {

const std::string alert_body =
    R"({"category":"water","severity":"severe","title":"Guasto acquedotto","text":"Via Roma senz'acqua fino alle 18."})";

// The press office's API over the in-memory store.
struct api {
  fake_store store;
  app::auth_throttle throttle;
  app::alerts_context ctx;
  http::router routes;
  std::string sender = store.add_key("press-office", {"alerts:send", "alerts:read"});
  std::string reader = store.add_key("dashboard", {"stats:read"});
  int planner_wakes = 0;

  api() {
    ctx.alerts = &store;
    ctx.keys = &store;
    ctx.audience = &store;
    ctx.throttle = &throttle;
    ctx.alerts_changed = [this] { ++planner_wakes; };
    app::add_alert_routes(routes, ctx);
  }

  http::response send(std::string method, std::string target, const std::string& token, std::string body = {},
                      std::string idempotency_key = {}) {
    auto req = make_request(std::move(method), std::move(target), std::move(body));
    if (!token.empty()) req.headers.push_back({"Authorization", "Bearer " + token});
    req.headers.push_back({"Content-Type", "application/json"});
    if (!idempotency_key.empty()) req.headers.push_back({"Idempotency-Key", std::move(idempotency_key)});
    return call(routes, req);
  }
};

}  // namespace

TEST_CASE("POST /v1/alerts creates one broadcast: 202, Location, the report, an audit entry and a planner wake") {
  api a;
  auto res = a.send("POST", "/v1/alerts", a.sender, alert_body);
  REQUIRE(res.status == 202);
  auto j = json::parse(res.body);
  const auto id = j["id"].get<std::int64_t>();
  CHECK(header_of(res, "Location") == "/v1/alerts/" + std::to_string(id));
  CHECK(j["state"] == "planning");
  CHECK(j["title"] == "Guasto acquedotto");
  CHECK(j["counts"]["queued"] == 0);
  CHECK(a.planner_wakes == 1);
  REQUIRE(a.store.audit.size() == 1);
  CHECK(a.store.audit[0] == std::make_pair(std::string("key:press-office"), std::string("alert.create")));
  CHECK(a.store.alert_rows.at(id).api_key_id.has_value());
}

TEST_CASE("a request without a key is refused 401 before the store is asked to create anything") {
  api a;
  auto res = a.send("POST", "/v1/alerts", "", alert_body);
  CHECK(res.status == 401);
  CHECK(a.store.alert_rows.empty());
  CHECK(header_of(res, "WWW-Authenticate").rfind("Bearer", 0) == 0);
}

TEST_CASE("a key without alerts:send is refused 403; a revoked one 401") {
  api a;
  CHECK(a.send("POST", "/v1/alerts", a.reader, alert_body).status == 403);
  const auto revoked = a.store.add_key("old", {"alerts:send"}, true);
  CHECK(a.send("POST", "/v1/alerts", revoked, alert_body).status == 401);
  CHECK(a.store.alert_rows.empty());
}

TEST_CASE("a body that is not a valid alert is answered 422 with each field's reason, and nothing is created") {
  api a;
  auto res = a.send("POST", "/v1/alerts", a.sender, R"({"category":"water"})");
  CHECK(res.status == 422);
  auto j = json::parse(res.body);
  CHECK(j["errors"].is_array());
  CHECK(a.store.alert_rows.empty());
}

TEST_CASE("the same Idempotency-Key replays the first alert; with another body it is a conflict") {
  api a;
  auto first = a.send("POST", "/v1/alerts", a.sender, alert_body, "acqua-1");
  REQUIRE(first.status == 202);
  auto again = a.send("POST", "/v1/alerts", a.sender, alert_body, "acqua-1");
  CHECK(again.status == 202);
  CHECK(header_of(again, "Idempotent-Replayed") == "true");
  CHECK(json::parse(again.body)["id"] == json::parse(first.body)["id"]);
  const std::string other =
      R"({"category":"water","severity":"severe","title":"Guasto acquedotto","text":"Un altro testo."})";
  CHECK(a.send("POST", "/v1/alerts", a.sender, other, "acqua-1").status == 409);
  CHECK(a.store.alert_rows.size() == 1);
  CHECK(a.planner_wakes == 1);
}

TEST_CASE("the same alert again without a key is refused 409 naming the earlier one") {
  api a;
  auto first = a.send("POST", "/v1/alerts", a.sender, alert_body);
  auto again = a.send("POST", "/v1/alerts", a.sender, alert_body);
  CHECK(again.status == 409);
  CHECK(json::parse(again.body)["alert_id"] == json::parse(first.body)["id"]);
}

TEST_CASE("GET /v1/alerts/{id} reports an alert; an unknown id is 404") {
  api a;
  const auto id = json::parse(a.send("POST", "/v1/alerts", a.sender, alert_body).body)["id"].get<std::int64_t>();
  auto res = a.send("GET", "/v1/alerts/" + std::to_string(id), a.sender);
  CHECK(res.status == 200);
  CHECK(json::parse(res.body)["id"] == id);
  CHECK(a.send("GET", "/v1/alerts/999", a.sender).status == 404);
  CHECK(a.send("GET", "/v1/alerts/abc", a.sender).status == 404);
}

TEST_CASE("GET /v1/alerts pages newest first and links the next page") {
  api a;
  for (int i = 0; i < 3; ++i) {
    const std::string body = R"({"category":"water","severity":"severe","title":"Avviso )" + std::to_string(i) +
                             R"(","text":"Testo."})";
    REQUIRE(a.send("POST", "/v1/alerts", a.sender, body).status == 202);
  }
  auto page = json::parse(a.send("GET", "/v1/alerts?limit=2", a.sender).body);
  REQUIRE(page["alerts"].size() == 2);
  CHECK(page["alerts"][0]["id"] == 3);
  CHECK(page["next"] == "/v1/alerts?limit=2&before=2");
  auto rest = json::parse(a.send("GET", "/v1/alerts?limit=2&before=2", a.sender).body);
  REQUIRE(rest["alerts"].size() == 1);
  CHECK_FALSE(rest.contains("next"));
  CHECK(a.send("GET", "/v1/alerts?limit=101", a.sender).status == 400);
}

TEST_CASE("POST /v1/alerts/{id}/cancel stops the alert and audits it; an unknown id is 404") {
  api a;
  const auto id = json::parse(a.send("POST", "/v1/alerts", a.sender, alert_body).body)["id"].get<std::int64_t>();
  auto res = a.send("POST", "/v1/alerts/" + std::to_string(id) + "/cancel", a.sender);
  CHECK(res.status == 200);
  CHECK(json::parse(res.body)["state"] == "cancelled");
  CHECK(a.store.audit.back().second == "alert.cancel");
  CHECK(a.send("POST", "/v1/alerts/42/cancel", a.sender).status == 404);
}

TEST_CASE("GET /v1/stats gives totals only, the messaging limit unlimited by default") {
  api a;
  a.store.add_subscriber();
  a.store.add_subscriber();
  auto res = a.send("GET", "/v1/stats", a.reader);
  REQUIRE(res.status == 200);
  auto j = json::parse(res.body);
  CHECK(j["subscribers"] == 2);
  CHECK(j["messaging_limit"]["tier"] == "unlimited");
  CHECK(j["deliveries"]["queued"] == 0);
}

namespace {

void catalogue_of_two_towns(fake_store& store) {
  domain::town lugo, cotignola;
  lugo.id = "lugo";
  lugo.name = "Comune di Lugo";
  cotignola.id = "cotignola";
  cotignola.name = "Comune di Cotignola";
  domain::topic acqua;
  acqua.id = "acqua";
  acqua.name = "Acqua";
  domain::area voltana;
  voltana.id = "voltana";
  voltana.town_id = "lugo";
  voltana.name = "Voltana";
  domain::area barbiano;
  barbiano.id = "barbiano";
  barbiano.town_id = "cotignola";
  barbiano.name = "Barbiano";
  store.catalogue_data = {{lugo, cotignola}, {acqua}, {voltana, barbiano}};
}

std::string targeted(const std::string& audience) {
  auto j = json::parse(alert_body);
  const auto extra = json::parse(audience);
  for (const auto& [k, v] : extra.items()) j[k] = v;
  return j.dump();
}

}  // namespace

TEST_CASE("an alert's towns, topics and areas are stored with it and reported; absent ones mean all") {
  api a;
  catalogue_of_two_towns(a.store);
  auto res = a.send("POST", "/v1/alerts", a.sender, targeted(R"({"towns":["lugo"],"topics":["acqua"],"areas":["voltana"]})"));
  REQUIRE(res.status == 202);
  auto j = json::parse(res.body);
  CHECK(j["audience"] == json::parse(R"({"towns":["lugo"],"topics":["acqua"],"areas":["voltana"]})"));
  CHECK(j["recipients"] == 0);
  const auto id = j["id"].get<std::int64_t>();
  CHECK(a.store.alert_rows.at(id).audience.towns == std::vector<std::string>{"lugo"});
  auto got = json::parse(a.send("GET", "/v1/alerts/" + std::to_string(id), a.sender).body);
  CHECK(got["audience"]["areas"] == json::array({"voltana"}));
  auto list = json::parse(a.send("GET", "/v1/alerts", a.sender).body);
  CHECK(list["alerts"][0]["audience"]["topics"] == json::array({"acqua"}));
  CHECK(list["alerts"][0].contains("recipients"));

  auto everyone = json::parse(a.send("POST", "/v1/alerts", a.sender, alert_body, "k2").body);
  CHECK(everyone["audience"] == json::parse(R"({"towns":null,"topics":null,"areas":null})"));
}

TEST_CASE("unknown or malformed towns, topics and areas are 422 naming the field, and nothing is created") {
  api a;
  catalogue_of_two_towns(a.store);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"towns":["imola"]})", "towns"},
      {R"({"topics":["calcio"]})", "topics"},
      {R"({"areas":["fusignano"]})", "areas"},
      {R"({"towns":"lugo"})", "towns"},
      {R"({"towns":[]})", "towns"},
      {R"({"topics":["acqua","acqua"]})", "topics"},
      {R"({"areas":["Voltana"]})", "areas"},
      {R"({"towns":["cotignola"],"areas":["voltana"]})", "areas"},
  };
  for (const auto& [audience, field] : cases) {
    CAPTURE(audience);
    auto res = a.send("POST", "/v1/alerts", a.sender, targeted(audience));
    REQUIRE(res.status == 422);
    CHECK(res.content_type == "application/problem+json");
    auto j = json::parse(res.body);
    CHECK(j["errors"][0]["field"] == field);
    CHECK(j["detail"].get<std::string>().rfind(field, 0) == 0);
  }
  CHECK(a.store.alert_rows.empty());
}

TEST_CASE("a key limited to towns sends to them when none is named, and is refused 403 for another") {
  api a;
  catalogue_of_two_towns(a.store);
  const auto lugo = a.store.add_key("lugo", {"alerts:send"}, false, {"lugo"});
  auto res = a.send("POST", "/v1/alerts", lugo, alert_body);
  REQUIRE(res.status == 202);
  CHECK(json::parse(res.body)["audience"]["towns"] == json::array({"lugo"}));
  auto refused = a.send("POST", "/v1/alerts", lugo, targeted(R"({"towns":["cotignola"]})"));
  CHECK(refused.status == 403);
  CHECK(refused.content_type == "application/problem+json");
  CHECK(json::parse(refused.body)["detail"] == "this key may send only to lugo, not to cotignola");
  CHECK(a.store.alert_rows.size() == 1);
}

TEST_CASE("POST /v1/alerts/preview counts the audience, the time, the limit and the cost, and creates nothing") {
  api a;
  catalogue_of_two_towns(a.store);
  for (int i = 0; i < 500; ++i) a.store.add_subscriber();
  a.ctx.messages_per_second = 80;
  a.ctx.tier_limit = 250;
  a.ctx.price = {0.03, "EUR"};
  a.ctx.price_category = "utility";
  a.ctx.price_market = "IT";
  auto res = a.send("POST", "/v1/alerts/preview", a.sender, targeted(R"({"towns":["lugo"]})"));
  REQUIRE(res.status == 200);
  auto j = json::parse(res.body);
  CHECK(j["recipients"] == 500);
  CHECK(j["outside_window"] == 500);
  CHECK(j["inside_window"] == 0);
  CHECK(j["seconds"] == doctest::Approx(6.3));  // 500 at 80/s, to a tenth
  CHECK(j["messaging_limit"]["will_wait"] == 250);
  CHECK(j["messaging_limit"]["all_sent_by"].is_string());
  CHECK(j["cost"]["amount"] == doctest::Approx(15.0));
  CHECK(j["cost"]["currency"] == "EUR");
  CHECK(j["audience"]["towns"] == json::array({"lugo"}));
  REQUIRE(a.store.previewed.size() == 1);
  CHECK(a.store.previewed[0].towns == std::vector<std::string>{"lugo"});
  CHECK(a.store.alert_rows.empty());
  CHECK(a.store.audit.empty());
  CHECK(a.planner_wakes == 0);
}

namespace {

// Two towns on two numbers of two business portfolios, 250 each; lugo's
// portfolio has already reached 200 people today, so 250 of lugo's 300
// outside their window wait; bagnacavallo's 100 leave at once.
void two_portfolios(api& a, bool shared_portfolio = false) {
  a.ctx.tier_limit = 1000;  // BANDITORE_WA_TIER: not what applies with several numbers
  const std::string second = shared_portfolio ? "unione" : "bagnacavallo-bm";
  a.ctx.numbers = {{"lugo", "1001", "unione", 80, 250}, {"bagnacavallo", "1002", second, 80, 250}};
  store::alert_preview_counts counts;
  counts.audience.recipients = 450;
  counts.audience.outside_window = 400;
  counts.audience.numbers = {{"lugo", 300, 300}, {"bagnacavallo", 150, 100}};
  counts.usage.used = 200;
  counts.usage.frees_at = 1'900'000'000'000;
  counts.portfolios = {{"unione", 200, 1'900'000'000'000}};
  a.store.preview_counts = counts;
}

}  // namespace

TEST_CASE("with numbers of two portfolios, POST /v1/alerts answers each portfolio's limit, not BANDITORE_WA_TIER") {
  api a;
  two_portfolios(a);
  auto res = a.send("POST", "/v1/alerts", a.sender, alert_body);
  REQUIRE(res.status == 202);
  const auto limit = json::parse(res.body)["messaging_limit"];
  CHECK(limit["tier"].is_null());  // two portfolios, two limits
  CHECK(limit["remaining"].is_null());
  CHECK(limit["used"] == 200);
  CHECK(limit["recipients_outside_window"] == 400);
  CHECK(limit["will_wait"] == 250);  // lugo's 300 against 50 places; none of bagnacavallo's
  REQUIRE(limit["portfolios"].size() == 2);
  CHECK(limit["portfolios"][0]["portfolio"] == "unione");
  CHECK(limit["portfolios"][0]["tier"] == 250);
  CHECK(limit["portfolios"][0]["used"] == 200);
  CHECK(limit["portfolios"][0]["outside_window"] == 300);
  CHECK(limit["portfolios"][0]["will_wait"] == 250);
  CHECK(limit["portfolios"][0]["first_frees_at"].is_string());
  CHECK(limit["portfolios"][1]["portfolio"] == "bagnacavallo-bm");
  CHECK(limit["portfolios"][1]["used"] == 0);
  CHECK(limit["portfolios"][1]["will_wait"] == 0);

  // The preview of the same body says the same.
  const auto preview = json::parse(a.send("POST", "/v1/alerts/preview", a.sender, alert_body).body);
  CHECK(preview["messaging_limit"]["will_wait"] == 250);
  CHECK(preview["messaging_limit"]["portfolios"] == limit["portfolios"]);
}

TEST_CASE("with two numbers of one portfolio, POST /v1/alerts answers its tier and the places left in it") {
  api a;
  two_portfolios(a, true);
  auto res = a.send("POST", "/v1/alerts", a.sender, alert_body);
  REQUIRE(res.status == 202);
  const auto limit = json::parse(res.body)["messaging_limit"];
  CHECK(limit["tier"] == 250);
  CHECK(limit["remaining"] == 50);
  CHECK(limit["will_wait"] == 350);  // 400 outside their window against 50 places
  REQUIRE(limit["portfolios"].size() == 1);
  CHECK(limit["portfolios"][0]["outside_window"] == 400);
}

TEST_CASE("GET /v1/stats with several numbers gives each portfolio's tier and use") {
  api a;
  two_portfolios(a);
  auto res = a.send("GET", "/v1/stats", a.reader);
  REQUIRE(res.status == 200);
  const auto limit = json::parse(res.body)["messaging_limit"];
  CHECK(limit["tier"].is_null());
  REQUIRE(limit["portfolios"].size() == 2);
  CHECK(limit["portfolios"][0] == json{{"portfolio", "unione"},
                                       {"tier", 250},
                                       {"used_last_24h", 200},
                                       {"next_capacity_at", "2030-03-17T17:46:40Z"}});
  CHECK(limit["portfolios"][1]["used_last_24h"] == 0);
  CHECK(limit["portfolios"][1]["next_capacity_at"].is_null());
}

TEST_CASE("POST /v1/alerts/preview shows the alert as the phone will, free text and template, escaped and counted") {
  api a;
  a.ctx.phone.town = "Lodi";
  a.ctx.phone.template_name = "avviso_comune";
  a.ctx.phone.template_params = {"title", "text"};
  a.ctx.phone.template_body = "*{{1}}*\n{{2}}";
  const auto body = R"({"category":"water","severity":"severe","title":"Acqua <b>sospesa</b>",)"
                    R"("text":"In *via Roma*\n\ndalle 9 alle 13"})";
  auto res = a.send("POST", "/v1/alerts/preview", a.sender, body);
  REQUIRE(res.status == 200);
  const auto phone = json::parse(res.body)["phone"];
  const std::string free_html = phone["free_text"]["html"];
  CHECK(free_html.find("<strong>via Roma</strong>") != std::string::npos);
  CHECK(free_html.find("Acqua &lt;b&gt;sospesa&lt;/b&gt;") != std::string::npos);
  CHECK(free_html.find("<b>") == std::string::npos);
  CHECK(phone["free_text"]["limit"] == 4096);
  CHECK(phone["free_text"]["fits"] == true);
  CHECK(phone["free_text"]["chars"] > 40);
  CHECK(phone["caption"] == false);
  const auto t = phone["template"];
  CHECK(t["name"] == "avviso_comune");
  CHECK(t["parameters"][1]["value"] == "In *via Roma* — dalle 9 alle 13");
  CHECK(t["parameters"][1]["valid"] == true);
  CHECK(t["body"]["text"] == "*Acqua <b>sospesa</b>*\nIn *via Roma* — dalle 9 alle 13");
  CHECK(t["body"]["html"] ==
        "<strong>Acqua &lt;b&gt;sospesa&lt;/b&gt;</strong><br>In <strong>via Roma</strong> — dalle 9 alle 13");
  CHECK(t["body"]["limit"] == 1024);
  CHECK(a.store.alert_rows.empty());
}

TEST_CASE("the preview refuses what POST /v1/alerts refuses: 422 for a bad field, 403 for another town or scope") {
  api a;
  catalogue_of_two_towns(a.store);
  CHECK(a.send("POST", "/v1/alerts/preview", a.sender, targeted(R"({"topics":["calcio"]})")).status == 422);
  CHECK(a.send("POST", "/v1/alerts/preview", a.sender, R"({"title":""})").status == 422);
  const auto lugo = a.store.add_key("lugo", {"alerts:send"}, false, {"lugo"});
  CHECK(a.send("POST", "/v1/alerts/preview", lugo, targeted(R"({"towns":["cotignola"]})")).status == 403);
  CHECK(a.send("POST", "/v1/alerts/preview", a.reader, alert_body).status == 403);
  auto own = json::parse(a.send("POST", "/v1/alerts/preview", lugo, alert_body).body);
  CHECK(own["audience"]["towns"] == json::array({"lugo"}));
  CHECK(own["cost"].is_null());  // no price configured
  CHECK(a.store.previewed.size() == 1);
}

TEST_CASE("an alert the approval rule asks a second person for is refused 403 and nothing is created") {
  api a;
  a.ctx.approval = *domain::parse_approval_rule("severity>=severe").rule;
  auto res = a.send("POST", "/v1/alerts", a.sender, alert_body);
  CHECK(res.status == 403);
  CHECK(res.content_type == "application/problem+json");
  auto j = json::parse(res.body);
  CHECK(j["title"] == "Approval Required");
  CHECK(j["approval_rule"] == "severity>=severe");
  CHECK(j["detail"].get<std::string>().find("POST /v1/drafts") != std::string::npos);
  CHECK(a.store.alert_rows.empty());
  CHECK(a.planner_wakes == 0);
  // What the rule does not name is sent at once, as before.
  const std::string moderate =
      R"({"category":"water","severity":"moderate","title":"Lavori","text":"Via Roma, pressione bassa."})";
  CHECK(a.send("POST", "/v1/alerts", a.sender, moderate).status == 202);
}

TEST_CASE("a key with alerts:emergency sends past the approval rule") {
  api a;
  a.ctx.approval = *domain::parse_approval_rule("all").rule;
  const auto mayor = a.store.add_key("sindaco", {"alerts:send", "alerts:emergency"});
  CHECK(a.send("POST", "/v1/alerts", mayor, alert_body).status == 202);
  CHECK(a.store.alert_rows.size() == 1);
  // alerts:emergency without alerts:send is no key to send with.
  const auto lone = a.store.add_key("solo", {"alerts:emergency"});
  CHECK(a.send("POST", "/v1/alerts", lone, alert_body).status == 403);
}

TEST_CASE("without a configured rule every alert is sent at once, as before the rule existed") {
  api a;
  CHECK_FALSE(a.ctx.approval.needs_approval("civil_protection", domain::severity::extreme));
  CHECK(a.send("POST", "/v1/alerts", a.sender, alert_body).status == 202);
}

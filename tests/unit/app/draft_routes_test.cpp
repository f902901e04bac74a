#include <banditore/app/alerts_api.hpp>

#include <banditore/app/auth_throttle.hpp>
#include <banditore/store/sqlite/api_keys.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include "route_call.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace banditore;
using json = nlohmann::json;
using testing::call;
using testing::header_of;
using testing::make_request;

namespace {

const json draft_body = {{"category", "roads"},
                         {"severity", "moderate"},
                         {"title", "Via Mazzini chiusa"},
                         {"text", "Da giovedì a venerdì per lavori."}};

// The draft routes over the SQLite engine on an in-memory database, with
// an author's key, a publisher's and a reader's.
struct world {
  std::unique_ptr<SQLite::Database> connection = [] {
    auto db = store::sqlite::open_database(":memory:");
    store::sqlite::migrate(*db);
    return db;
  }();
  SQLite::Database* db = connection.get();
  std::string author = store::sqlite::api_key_store(*db).create("anna", {"drafts:write"}, 0).token;
  std::string publisher = store::sqlite::api_key_store(*db).create("bruno", {"alerts:send", "alerts:read"}, 0).token;
  std::string reader = store::sqlite::api_key_store(*db).create("cruscotto", {"alerts:read"}, 0).token;
  std::unique_ptr<store::sqlite::engine> engine = std::make_unique<store::sqlite::engine>(
      std::move(connection), crypto::generate_data_keys(), store::sqlite::engine_options{});
  app::auth_throttle throttle;
  app::alerts_context ctx;
  http::router routes;

  world() {
    ctx.alerts = engine.get();
    ctx.keys = engine.get();
    ctx.drafts = engine.get();
    ctx.audience = engine.get();
    ctx.throttle = &throttle;
    app::add_alert_routes(routes, ctx);
    app::add_draft_routes(routes, ctx);
  }

  http::response send(std::string method, std::string target, const std::string& token, std::string body = {},
                      std::string content_type = "application/json") {
    auto req = make_request(std::move(method), std::move(target), std::move(body));
    req.headers.push_back({"Authorization", "Bearer " + token});
    if (!content_type.empty()) req.headers.push_back({"Content-Type", std::move(content_type)});
    return call(routes, req);
  }

  std::int64_t pending_draft() {
    json body = draft_body;
    body["submit"] = true;
    auto res = send("POST", "/v1/drafts", author, body.dump());
    REQUIRE(res.status == 201);
    return json::parse(res.body)["id"].get<std::int64_t>();
  }
};

std::string path(std::int64_t id, std::string_view action = {}) {
  return "/v1/drafts/" + std::to_string(id) + (action.empty() ? "" : "/" + std::string(action));
}

}  // namespace

TEST_CASE("draft routes: a draft takes the alert's fields and submit, and refuses what only an alert takes") {
  world w;
  auto created = w.send("POST", "/v1/drafts", w.author, draft_body.dump());
  REQUIRE(created.status == 201);
  const auto j = json::parse(created.body);
  CHECK(j["state"] == "draft");
  CHECK(j["source"] == "api");
  CHECK(j["author"] == "key:anna");
  CHECK(j["needs_approval"] == false);  // no rule configured
  CHECK(header_of(created, "Location") == path(j["id"].get<std::int64_t>()));

  json bad = draft_body;
  bad["submit"] = "sì";
  bad["draft_id"] = 3;
  auto refused = w.send("POST", "/v1/drafts", w.author, bad.dump());
  CHECK(refused.status == 422);
  const auto errors = json::parse(refused.body)["errors"];
  REQUIRE(errors.size() == 2);
  CHECK(errors[0]["field"] == "submit");
  CHECK(errors[1]["field"] == "draft_id");
  CHECK(w.send("POST", "/v1/drafts", w.author, draft_body.dump(), "text/plain").status == 415);
  CHECK(w.send("POST", "/v1/drafts", w.reader, draft_body.dump()).status == 403);
}

TEST_CASE("draft routes: each refusal of approve and reject is precise") {
  world w;
  const auto id = w.pending_draft();
  CHECK(w.send("POST", path(id, "approve"), w.author, R"({"revision":1})").status == 403);  // lacks alerts:send
  CHECK(w.send("POST", "/v1/drafts/abc/approve", w.publisher, R"({"revision":1})").status == 404);
  CHECK(w.send("POST", path(id, "approve"), w.publisher, R"({"revision":1})", "text/plain").status == 415);
  CHECK(w.send("POST", path(id, "approve"), w.publisher, R"([1])").status == 422);
  auto bad_revision = w.send("POST", path(id, "approve"), w.publisher, R"({"revision":"1","also":true})");
  CHECK(bad_revision.status == 422);
  CHECK(json::parse(bad_revision.body)["errors"].size() == 2);
  CHECK(w.send("POST", path(id, "approve"), w.publisher, R"({"revision":0})").status == 422);
  auto long_reason = json{{"reason", std::string(1001, 'x')}}.dump();
  CHECK(w.send("POST", path(id, "reject"), w.publisher, long_reason).status == 422);
  CHECK(w.send("POST", path(999, "reject"), w.publisher, R"({"reason":"no"})").status == 404);
  // A pending draft is neither edited nor discarded: it is rejected first.
  auto discard = w.send("POST", path(id, "discard"), w.publisher);
  CHECK(discard.status == 409);
  CHECK(json::parse(discard.body)["state"] == "pending");
  CHECK(w.send("PUT", path(id), w.author, draft_body.dump()).status == 409);
  json with_submit = draft_body;
  with_submit["submit"] = true;
  CHECK(w.send("PUT", path(id), w.author, with_submit.dump()).status == 422);
}

TEST_CASE("draft routes: drafts are listed by their new states") {
  world w;
  const auto id = w.pending_draft();
  auto pending = json::parse(w.send("GET", "/v1/drafts?state=pending", w.reader).body);
  REQUIRE(pending["drafts"].size() == 1);
  CHECK(pending["drafts"][0]["id"] == id);
  CHECK(json::parse(w.send("GET", "/v1/drafts", w.reader).body)["drafts"].empty());
  CHECK(w.send("GET", "/v1/drafts?state=waiting", w.reader).status == 400);
}

TEST_CASE("draft routes: a publisher sends a draft directly where the rule allows, recorded as direct") {
  world w;
  auto created = w.send("POST", "/v1/drafts", w.author, draft_body.dump());
  const auto id = json::parse(created.body)["id"].get<std::int64_t>();
  json alert = draft_body;
  alert["draft_id"] = id;
  auto sent = w.send("POST", "/v1/alerts", w.publisher, alert.dump());
  REQUIRE(sent.status == 202);
  const auto after = json::parse(w.send("GET", path(id), w.publisher).body);
  CHECK(after["state"] == "sent");
  CHECK(after["decision"] == "direct");
  // Where the rule asks for a second person, the same send is refused.
  w.ctx.approval = *domain::parse_approval_rule("category=roads").rule;
  auto other = json::parse(w.send("POST", "/v1/drafts", w.author, draft_body.dump()).body);
  CHECK(other["needs_approval"] == true);
  alert["draft_id"] = other["id"];
  CHECK(w.send("POST", "/v1/alerts", w.publisher, alert.dump()).status == 403);
  CHECK(json::parse(w.send("GET", path(other["id"].get<std::int64_t>()), w.publisher).body)["state"] == "draft");
}

TEST_CASE("draft routes: an expired draft is not approved, and nothing is sent") {
  world w;
  const auto id = w.pending_draft();
  // Its expiry passed while it waited (the engine's thread is idle between calls).
  w.db->exec("UPDATE drafts SET expires_at = 1000 WHERE id = " + std::to_string(id));
  auto res = w.send("POST", path(id, "approve"), w.publisher, R"({"revision":1})");
  CHECK(res.status == 409);
  CHECK(json::parse(res.body)["detail"].get<std::string>().find("expired") != std::string::npos);
  CHECK(w.db->execAndGet("SELECT COUNT(*) FROM alerts").getInt() == 0);
}

TEST_CASE("draft routes: a key limited to a town reaches only its town's drafts, never another's or one for every town") {
  world w;
  w.db->exec("INSERT INTO towns (id, name) VALUES ('lugo', 'Comune di Lugo'), ('cotignola', 'Comune di Cotignola')");
  store::sqlite::api_key_store keys(*w.db);
  const auto lugo = keys.create("ufficio-lugo", {"alerts:send", "alerts:read"}, 0, {"lugo"}).token;
  const auto cotignola = keys.create("ufficio-cotignola", {"alerts:send", "alerts:read"}, 0, {"cotignola"}).token;

  auto draft_for = [&](const std::string& token, std::optional<std::string> town, bool submit) {
    json body = draft_body;
    if (town) body["towns"] = json::array({*town});
    body["submit"] = submit;
    auto res = w.send("POST", "/v1/drafts", token, body.dump());
    REQUIRE(res.status == 201);
    return json::parse(res.body)["id"].get<std::int64_t>();
  };
  const auto theirs = draft_for(w.author, "cotignola", false);
  const auto pending_theirs = draft_for(w.author, "cotignola", true);
  const auto everyone = draft_for(w.author, std::nullopt, false);
  const auto ours = draft_for(lugo, "lugo", false);

  // Listed: only lugo's own, in every state.
  auto listed = json::parse(w.send("GET", "/v1/drafts?state=all", lugo).body)["drafts"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["id"] == ours);
  CHECK(json::parse(w.send("GET", "/v1/drafts?state=all", w.publisher).body)["drafts"].size() == 4);
  // Paging past the drafts of other towns still fills a page of one.
  listed = json::parse(w.send("GET", "/v1/drafts?state=all&limit=1", cotignola).body);
  REQUIRE(listed["drafts"].size() == 1);
  CHECK(listed["drafts"][0]["id"] == pending_theirs);

  for (const auto id : {theirs, everyone}) {
    CAPTURE(id);
    const auto read = w.send("GET", path(id), lugo);
    CHECK(read.status == 403);
    CHECK(json::parse(read.body)["detail"].get<std::string>().find("not for this key's towns") != std::string::npos);
    json edit = draft_body;
    edit["towns"] = json::array({"lugo"});
    edit["title"] = "Cambiata da Lugo";
    CHECK(w.send("PUT", path(id), lugo, edit.dump()).status == 403);
    CHECK(w.send("POST", path(id, "submit"), lugo).status == 403);
    CHECK(w.send("POST", path(id, "discard"), lugo).status == 403);
    const auto after = json::parse(w.send("GET", path(id), w.publisher).body);
    CHECK(after["title"] == "Via Mazzini chiusa");  // nothing changed
    CHECK(after["state"] == "draft");
  }
  CHECK(w.send("POST", path(pending_theirs, "reject"), lugo, R"({"reason":"no"})").status == 403);
  CHECK(json::parse(w.send("GET", path(pending_theirs), w.publisher).body)["state"] == "pending");

  // Each office reaches its own; an unknown draft is still a 404.
  CHECK(w.send("GET", path(theirs), cotignola).status == 200);
  CHECK(w.send("GET", path(ours), lugo).status == 200);
  CHECK(w.send("POST", path(ours, "discard"), lugo).status == 200);
  CHECK(w.send("GET", path(9999), lugo).status == 404);
  CHECK(w.send("POST", path(9999, "discard"), lugo).status == 404);
}

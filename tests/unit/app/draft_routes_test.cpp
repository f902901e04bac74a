#include <banditore/app/alerts_api.hpp>

#include <banditore/app/auth_throttle.hpp>
#include <banditore/store/sqlite/api_keys.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include "route_call.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <utility>

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

namespace {

// The engine's drafts, with an edit landing just after a read: what a
// second office's edit does between a request's check of a draft and its
// change of it.
struct racing_drafts : store::drafts {
  store::drafts& real;
  std::function<void()> after_read;
  explicit racing_drafts(store::drafts& r) : real(r) {}

  boost::asio::awaitable<std::optional<store::draft_record>> draft(std::int64_t id) override {
    auto d = co_await real.draft(id);
    if (after_read) std::exchange(after_read, nullptr)();
    co_return d;
  }
  boost::asio::awaitable<store::news_applied> apply_news(std::string url, std::string town,
                                                         std::vector<store::news_item_input> items,
                                                         std::int64_t now) override {
    co_return co_await real.apply_news(std::move(url), std::move(town), std::move(items), now);
  }
  boost::asio::awaitable<store::feed_state> news_feed(std::string url) override {
    co_return co_await real.news_feed(std::move(url));
  }
  boost::asio::awaitable<void> news_feed_polled(std::string url, std::string etag, std::string modified,
                                                std::int64_t now) override {
    co_await real.news_feed_polled(std::move(url), std::move(etag), std::move(modified), now);
  }
  boost::asio::awaitable<int> news_feed_failed(std::string url, std::int64_t now) override {
    co_return co_await real.news_feed_failed(std::move(url), now);
  }
  boost::asio::awaitable<std::vector<store::draft_record>> list_drafts(std::string state, std::int64_t before,
                                                                      std::size_t limit) override {
    co_return co_await real.list_drafts(std::move(state), before, limit);
  }
  boost::asio::awaitable<store::draft_change> create_draft(store::draft_content content, std::string source,
                                                           store::actor who, bool submit, std::int64_t now) override {
    co_return co_await real.create_draft(std::move(content), std::move(source), std::move(who), submit, now);
  }
  boost::asio::awaitable<store::draft_change> update_draft(std::int64_t id, store::draft_content content,
                                                           store::actor who, std::int64_t now,
                                                           std::optional<std::int64_t> revision) override {
    co_return co_await real.update_draft(id, std::move(content), std::move(who), now, revision);
  }
  boost::asio::awaitable<store::draft_change> submit_draft(std::int64_t id, store::actor who, std::int64_t now,
                                                           std::optional<std::int64_t> revision) override {
    co_return co_await real.submit_draft(id, std::move(who), now, revision);
  }
  boost::asio::awaitable<store::draft_change> reject_draft(std::int64_t id, std::string reason, store::actor who,
                                                           std::int64_t now,
                                                           std::optional<std::int64_t> revision) override {
    co_return co_await real.reject_draft(id, std::move(reason), std::move(who), now, revision);
  }
  boost::asio::awaitable<store::draft_change> discard_draft(std::int64_t id, store::actor who, std::int64_t now,
                                                            std::optional<std::int64_t> revision) override {
    co_return co_await real.discard_draft(id, std::move(who), now, revision);
  }
};

}  // namespace

TEST_CASE("draft routes: a town-limited key's change is refused when the draft moved to another town after its check") {
  world w;
  w.db->exec("INSERT INTO towns (id, name) VALUES ('lugo', 'Comune di Lugo'), ('cotignola', 'Comune di Cotignola')");
  const auto lugo = store::sqlite::api_key_store(*w.db).create("ufficio-lugo", {"alerts:send", "alerts:read"}, 0,
                                                               {"lugo"}).token;
  racing_drafts racing(*w.engine);
  w.ctx.drafts = &racing;
  auto create = [&](bool submit) {
    json body = draft_body;
    body["towns"] = json::array({"lugo"});
    body["submit"] = submit;
    auto res = w.send("POST", "/v1/drafts", w.author, body.dump());
    REQUIRE(res.status == 201);
    return json::parse(res.body)["id"].get<std::int64_t>();
  };
  // The union's office moves the draft to Cotignola once Lugo's request
  // has read it as Lugo's.
  auto moved_after_read = [&](std::int64_t id) {
    racing.after_read = [&w, id] {
      w.db->exec("UPDATE drafts SET towns = '[\"cotignola\"]', revision = revision + 1 WHERE id = " +
                 std::to_string(id));
    };
  };
  auto state_of = [&](std::int64_t id) {
    return w.db->execAndGet("SELECT state FROM drafts WHERE id = " + std::to_string(id)).getString();
  };
  const auto audits = [&] { return w.db->execAndGet("SELECT COUNT(*) FROM audit_log").getInt(); };

  json edit = draft_body;
  edit["towns"] = json::array({"lugo"});
  edit["title"] = "Cambiata da Lugo";
  struct attempt {
    std::string method, action, body;
    bool pending;
  };
  for (const auto& a : std::vector<attempt>{{"PUT", "", edit.dump(), false},
                                            {"POST", "submit", "", false},
                                            {"POST", "discard", "", false},
                                            {"POST", "reject", R"({"reason":"no"})", true}}) {
    CAPTURE(a.action);
    const auto id = create(a.pending);
    const auto audited = audits();
    const auto before = state_of(id);
    moved_after_read(id);
    const auto res = w.send(a.method, path(id, a.action), lugo, a.body);
    CHECK(res.status == 409);
    CHECK(json::parse(res.body)["detail"].get<std::string>().find("changed while this request was checked") !=
          std::string::npos);
    CHECK(state_of(id) == before);
    CHECK(w.db->execAndGet("SELECT title FROM drafts WHERE id = " + std::to_string(id)).getString() ==
          "Via Mazzini chiusa");
    CHECK(audits() == audited);  // nothing was done, so nothing audited
    // Now that it reads as Cotignola's, the check itself refuses it.
    CHECK(w.send(a.method, path(id, a.action), lugo, a.body).status == 403);
  }
  CHECK(racing.after_read == nullptr);
}

// The message model routes over the SQLite engine on an in-memory
// database: what the press office and the console call.
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

std::unique_ptr<SQLite::Database> migrated_memory_database() {
  auto db = store::sqlite::open_database(":memory:");
  store::sqlite::migrate(*db);
  return db;
}

const std::string water_model =
    R"({"name":"Interruzione idrica","text":"Interruzione idrica in via ___ dalle ___ alle ___","category":"water","severity":"moderate"})";

struct api {
  std::unique_ptr<SQLite::Database> connection = migrated_memory_database();
  SQLite::Database* db = connection.get();
  std::string sender = store::sqlite::api_key_store(*db).create("press-office", {"alerts:send", "alerts:read"}, 0).token;
  std::string reader = store::sqlite::api_key_store(*db).create("dashboard", {"alerts:read"}, 0).token;
  std::unique_ptr<store::sqlite::engine> engine = std::make_unique<store::sqlite::engine>(
      std::move(connection), crypto::generate_data_keys(), store::sqlite::engine_options{});
  app::auth_throttle throttle;
  app::alerts_context ctx;
  http::router routes;

  api() {
    ctx.alerts = engine.get();
    ctx.keys = engine.get();
    ctx.drafts = engine.get();
    ctx.models = engine.get();
    ctx.throttle = &throttle;
    app::add_draft_routes(routes, ctx);
    app::add_model_routes(routes, ctx);
  }

  http::response send(std::string method, std::string target, const std::string& token, std::string body = {},
                      std::string content_type = "application/json") {
    auto req = make_request(std::move(method), std::move(target), std::move(body));
    if (!token.empty()) req.headers.push_back({"Authorization", "Bearer " + token});
    if (!content_type.empty()) req.headers.push_back({"Content-Type", std::move(content_type)});
    return call(routes, req);
  }

  std::int64_t create_water() {
    auto res = send("POST", "/v1/models", sender, water_model);
    REQUIRE(res.status == 201);
    return json::parse(res.body)["id"].get<std::int64_t>();
  }
};

bool is_problem(const http::response& r) { return r.content_type == "application/problem+json"; }

}  // namespace

TEST_CASE("POST /v1/models stores a model: 201, Location, its blanks counted, and GET reads it back") {
  api a;
  auto res = a.send("POST", "/v1/models", a.sender, water_model);
  REQUIRE(res.status == 201);
  auto j = json::parse(res.body);
  const auto id = j["id"].get<std::int64_t>();
  CHECK(header_of(res, "Location") == "/v1/models/" + std::to_string(id));
  CHECK(j["blanks"] == 3);
  CHECK(j["created_by"] == "key:press-office");
  CHECK(j["category"] == "water");
  auto one = a.send("GET", "/v1/models/" + std::to_string(id), a.reader);
  REQUIRE(one.status == 200);
  CHECK(json::parse(one.body)["name"] == "Interruzione idrica");
  auto list = a.send("GET", "/v1/models", a.reader);
  REQUIRE(list.status == 200);
  CHECK(json::parse(list.body)["models"].size() == 1);
}

TEST_CASE("the model routes need a key: reading with alerts:read, changing with alerts:send") {
  api a;
  CHECK(a.send("GET", "/v1/models", "").status == 401);
  auto refused = a.send("POST", "/v1/models", a.reader, water_model);
  CHECK(refused.status == 403);
  CHECK(is_problem(refused));
  const auto id = std::to_string(a.create_water());
  CHECK(a.send("PUT", "/v1/models/" + id, a.reader, water_model).status == 403);
  CHECK(a.send("DELETE", "/v1/models/" + id, a.reader).status == 403);
  CHECK(a.send("POST", "/v1/models/" + id + "/fill", a.reader, R"({"values":["Roma","9","13"]})").status == 403);
}

TEST_CASE("a model body that is not JSON, or whose fields are wrong, is refused as problem+json") {
  api a;
  auto not_json = a.send("POST", "/v1/models", a.sender, water_model, "text/plain");
  CHECK(not_json.status == 415);
  auto broken = a.send("POST", "/v1/models", a.sender, "{");
  CHECK(broken.status == 400);
  CHECK(is_problem(broken));
  auto wrong = a.send("POST", "/v1/models", a.sender, R"({"name":"x","text":"y","severity":"huge"})");
  REQUIRE(wrong.status == 422);
  CHECK(is_problem(wrong));
  CHECK(json::parse(wrong.body)["errors"][0]["field"] == "severity");
}

TEST_CASE("a second model with a taken name is a conflict, on POST and on PUT") {
  api a;
  a.create_water();
  auto again = a.send("POST", "/v1/models", a.sender, water_model);
  CHECK(again.status == 409);
  CHECK(is_problem(again));
  auto other = a.send("POST", "/v1/models", a.sender, R"({"name":"Strada chiusa","text":"Via ___ chiusa"})");
  REQUIRE(other.status == 201);
  const auto other_id = std::to_string(json::parse(other.body)["id"].get<std::int64_t>());
  CHECK(a.send("PUT", "/v1/models/" + other_id, a.sender, water_model).status == 409);
}

TEST_CASE("PUT rewrites a model and DELETE removes it; an unknown id is 404 for each") {
  api a;
  const auto id = std::to_string(a.create_water());
  auto put = a.send("PUT", "/v1/models/" + id, a.sender,
                    R"({"name":"Interruzione idrica","text":"Acqua assente in via ___","category":"water"})");
  REQUIRE(put.status == 200);
  CHECK(json::parse(put.body)["blanks"] == 1);
  CHECK(json::parse(put.body)["severity"] == "minor");
  auto deleted = a.send("DELETE", "/v1/models/" + id, a.sender);
  CHECK(deleted.status == 204);
  CHECK(deleted.body.empty());
  for (const char* method : {"GET", "DELETE"}) {
    auto gone = a.send(method, "/v1/models/" + id, a.sender);
    CHECK(gone.status == 404);
    CHECK(is_problem(gone));
  }
  CHECK(a.send("PUT", "/v1/models/" + id, a.sender, water_model).status == 404);
  CHECK(a.send("POST", "/v1/models/" + id + "/fill", a.sender, R"({"values":[]})").status == 404);
  CHECK(a.send("GET", "/v1/models/abc", a.sender).status == 404);
}

TEST_CASE("POST /v1/models/{id}/fill makes an open draft of the blanks filled in order, found among the drafts") {
  api a;
  const auto id = std::to_string(a.create_water());
  auto res = a.send("POST", "/v1/models/" + id + "/fill", a.sender, R"({"values":["Roma","9","13"]})");
  REQUIRE(res.status == 201);
  auto d = json::parse(res.body);
  CHECK(d["source"] == "model");
  CHECK(d["state"] == "draft");
  CHECK(d["title"] == "Interruzione idrica");
  CHECK(d["text"] == "Interruzione idrica in via Roma dalle 9 alle 13");
  CHECK(d["category"] == "water");
  CHECK(d["severity"] == "moderate");
  const auto location = header_of(res, "Location");
  CHECK(location == "/v1/drafts/" + std::to_string(d["id"].get<std::int64_t>()));
  auto draft = a.send("GET", location, a.reader);
  REQUIRE(draft.status == 200);
  CHECK(json::parse(draft.body)["text"] == d["text"]);
}

TEST_CASE("fill answers 422 when blanks would remain, naming values, and makes no draft") {
  api a;
  const auto id = std::to_string(a.create_water());
  auto short_of_one = a.send("POST", "/v1/models/" + id + "/fill", a.sender, R"({"values":["Roma","9"]})");
  REQUIRE(short_of_one.status == 422);
  CHECK(is_problem(short_of_one));
  CHECK(json::parse(short_of_one.body)["errors"][0]["field"] == "values");
  auto still_blank = a.send("POST", "/v1/models/" + id + "/fill", a.sender, R"({"values":["Roma","___","13"]})");
  CHECK(still_blank.status == 422);
  auto not_strings = a.send("POST", "/v1/models/" + id + "/fill", a.sender, R"({"values":["Roma",9,13]})");
  CHECK(not_strings.status == 422);
  auto drafts = a.send("GET", "/v1/drafts?state=all", a.reader);
  REQUIRE(drafts.status == 200);
  CHECK(json::parse(drafts.body)["drafts"].empty());
}

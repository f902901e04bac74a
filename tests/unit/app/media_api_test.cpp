// POST /v1/media over the SQLite engine on an in-memory database: an
// attachment is taken only as WhatsApp will take it.
#include <banditore/app/alerts_api.hpp>

#include <banditore/app/auth_throttle.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/domain/media_rules.hpp>
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

constexpr char jpeg_bytes[] = "\xFF\xD8\xFF\xE0\x00\x10" "JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";
const std::string jpeg(jpeg_bytes, sizeof jpeg_bytes - 1);
const std::string pdf = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";

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
    ctx.keys = engine.get();
    ctx.media = engine.get();
    ctx.throttle = &throttle;
    app::add_media_routes(routes, ctx);
  }

  http::response upload(std::string body, std::string content_type, const std::string& token,
                        std::string target = "/v1/media") {
    auto req = make_request("POST", std::move(target), std::move(body));
    if (!token.empty()) req.headers.push_back({"Authorization", "Bearer " + token});
    if (!content_type.empty()) req.headers.push_back({"Content-Type", std::move(content_type)});
    return call(routes, req);
  }
  http::response get(const std::string& target, const std::string& token) {
    auto req = make_request("GET", target);
    req.headers.push_back({"Authorization", "Bearer " + token});
    return call(routes, req);
  }
};

bool is_problem(const http::response& r) { return r.content_type == "application/problem+json"; }

}  // namespace

TEST_CASE("POST /v1/media stores a JPEG: 201, its id, type, size and SHA-256, and GET describes it") {
  api a;
  auto res = a.upload(jpeg, "image/jpeg", a.sender);
  REQUIRE(res.status == 201);
  auto j = json::parse(res.body);
  const auto id = j["id"].get<std::int64_t>();
  CHECK(header_of(res, "Location") == "/v1/media/" + std::to_string(id));
  CHECK(j["type"] == "image");
  CHECK(j["mime_type"] == "image/jpeg");
  CHECK(j["filename"].is_null());
  CHECK(j["size"] == jpeg.size());
  CHECK(j["sha256"] == crypto::to_hex(crypto::sha256(jpeg)));
  auto info = a.get("/v1/media/" + std::to_string(id), a.reader);
  REQUIRE(info.status == 200);
  CHECK(json::parse(info.body)["sha256"] == j["sha256"]);
  CHECK(a.get("/v1/media/999", a.reader).status == 404);
}

TEST_CASE("the same file uploaded twice answers 200 with the id it already has") {
  api a;
  auto first = a.upload(jpeg, "image/jpeg", a.sender);
  auto again = a.upload(jpeg, "image/jpeg", a.sender);
  CHECK(first.status == 201);
  REQUIRE(again.status == 200);
  CHECK(json::parse(again.body)["id"] == json::parse(first.body)["id"]);
}

TEST_CASE("a PDF is a document named by ?filename=, avviso.pdf when none is given") {
  api a;
  auto named = a.upload(pdf, "application/pdf", a.sender, "/v1/media?filename=Ordinanza%20n.%2012.pdf");
  REQUIRE(named.status == 201);
  CHECK(json::parse(named.body)["type"] == "document");
  CHECK(json::parse(named.body)["filename"] == "Ordinanza n. 12.pdf");
  auto unnamed = a.upload(pdf + " ", "application/pdf", a.sender);
  REQUIRE(unnamed.status == 201);
  CHECK(json::parse(unnamed.body)["filename"] == "avviso.pdf");
  auto bad_name = a.upload(pdf, "application/pdf", a.sender, "/v1/media?filename=..%2Fetc.pdf");
  CHECK(bad_name.status == 422);
  CHECK(a.upload(pdf, "application/pdf", a.sender, "/v1/media?filename=ordinanza.exe").status == 422);
  CHECK(a.upload(jpeg, "image/jpeg", a.sender, "/v1/media?filename=foto.pdf").status == 422);
}

TEST_CASE("a file is refused by its bytes: another kind, a lying Content-Type, over Meta's limit, none at all") {
  api a;
  auto gif = a.upload("GIF89a\x01\x00\x01\x00", "image/gif", a.sender);
  REQUIRE(gif.status == 422);
  CHECK(is_problem(gif));
  CHECK(json::parse(gif.body)["errors"][0]["field"] == "file");
  CHECK(a.upload(pdf, "image/jpeg", a.sender).status == 422);
  std::string big = jpeg;
  big.resize(domain::max_image_bytes + 1, '\0');
  auto too_big = a.upload(big, "image/jpeg", a.sender);
  CHECK(too_big.status == 422);
  CHECK(json::parse(too_big.body)["detail"].get<std::string>().find("5 MB") != std::string::npos);
  auto untyped = a.upload(jpeg, "", a.sender);
  CHECK(untyped.status == 415);
  CHECK(is_problem(untyped));
  CHECK(a.upload("", "image/jpeg", a.sender).status == 422);
  CHECK(a.db->execAndGet("SELECT COUNT(*) FROM media").getInt() == 0);
}

TEST_CASE("uploading needs alerts:send, reading alerts:read") {
  api a;
  CHECK(a.upload(jpeg, "image/jpeg", "").status == 401);
  CHECK(a.upload(jpeg, "image/jpeg", a.reader).status == 403);
}

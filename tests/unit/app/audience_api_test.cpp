#include <banditore/app/audience_api.hpp>

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

// The audience API over the in-memory store, holding one town with one
// area and the default topics, as a deployment does after its first start.
struct api {
  fake_store store;
  app::auth_throttle throttle;
  app::audience_context ctx;
  http::router routes;
  std::string admin = store.add_key("union-admin", {"audience:admin"});
  std::string reader = store.add_key("dashboard", {"stats:read"});

  api() {
    store.catalogue_data.towns = {{"lugo", "Comune di Lugo", {}, "039012"}};
    store.catalogue_data.topics = domain::default_topics();
    store.catalogue_data.areas = {{"voltana", "lugo", "Voltana", {}}};
    ctx.audience = &store;
    ctx.keys = &store;
    ctx.throttle = &throttle;
    app::add_audience_routes(routes, ctx);
  }

  http::response send(std::string method, std::string target, const std::string& token, std::string body = {},
                      std::string content_type = "application/json") {
    auto req = make_request(std::move(method), std::move(target), std::move(body));
    if (!token.empty()) req.headers.push_back({"Authorization", "Bearer " + token});
    req.headers.push_back({"Content-Type", std::move(content_type)});
    return call(routes, req);
  }
};

std::string detail_of(const http::response& r) { return json::parse(r.body).value("detail", ""); }

}  // namespace

TEST_CASE("GET /v1/topics lists the topics in order with id, name, keywords and in_default, for any valid key") {
  api a;
  auto res = a.send("GET", "/v1/topics", a.reader);
  REQUIRE(res.status == 200);
  auto topics = json::parse(res.body)["topics"];
  REQUIRE(topics.size() == domain::default_topics().size());
  CHECK(topics[0]["id"] == "emergenze");
  CHECK(topics[0]["name"] == "Emergenze e protezione civile");
  CHECK(topics[0]["keywords"].is_array());
  CHECK(topics[0]["in_default"] == true);
  CHECK(topics.back()["in_default"] == false);
}

TEST_CASE("reading the audience needs a valid key: none or a revoked one is 401") {
  api a;
  CHECK(a.send("GET", "/v1/towns", "").status == 401);
  const auto revoked = a.store.add_key("old", {"audience:admin"}, true);
  CHECK(a.send("GET", "/v1/areas", revoked).status == 401);
}

TEST_CASE("GET /v1/towns/{id} gives one town with its ISTAT code; an unknown id is 404") {
  api a;
  auto res = a.send("GET", "/v1/towns/lugo", a.reader);
  REQUIRE(res.status == 200);
  auto j = json::parse(res.body);
  CHECK(j["name"] == "Comune di Lugo");
  CHECK(j["istat_code"] == "039012");
  auto missing = a.send("GET", "/v1/towns/fusignano", a.reader);
  CHECK(missing.status == 404);
  CHECK(missing.content_type == "application/problem+json");
  CHECK(detail_of(missing).find("fusignano") != std::string::npos);
}

TEST_CASE("POST adds an entry: 201, Location, the entry, and an audit row naming the key") {
  api a;
  auto res = a.send("POST", "/v1/topics", a.admin,
                    R"({"id":"frane","name":"Frane e smottamenti","keywords":["frana","smottamento"],"in_default":false})");
  REQUIRE(res.status == 201);
  CHECK(header_of(res, "Location") == "/v1/topics/frane");
  auto j = json::parse(res.body);
  CHECK(j["keywords"] == json::array({"frana", "smottamento"}));
  CHECK(j["in_default"] == false);
  CHECK(a.store.catalogue_data.topics.back().id == "frane");
  REQUIRE_FALSE(a.store.audit.empty());
  CHECK(a.store.audit.back() == std::make_pair(std::string("key:union-admin"), std::string("topic.add")));
  // Keywords and in_default may be left out.
  auto town = a.send("POST", "/v1/towns", a.admin, R"({"id":"fusignano","name":"Comune di Fusignano"})");
  CHECK(town.status == 201);
  CHECK(json::parse(town.body)["istat_code"].is_null());
}

TEST_CASE("writes need audience:admin: a reading key is 403, no key 401, and nothing changes") {
  api a;
  const std::string body = R"({"id":"frane","name":"Frane"})";
  auto res = a.send("POST", "/v1/topics", a.reader, body);
  CHECK(res.status == 403);
  CHECK(detail_of(res).find("audience:admin") != std::string::npos);
  CHECK(a.send("POST", "/v1/topics", "", body).status == 401);
  CHECK(a.send("PATCH", "/v1/topics/acqua", a.reader, R"({"name":"Acqua"})").status == 403);
  CHECK(a.send("DELETE", "/v1/topics/acqua", a.reader).status == 403);
  CHECK(a.store.catalogue_data.topics.size() == domain::default_topics().size());
}

TEST_CASE("a duplicate id is 409; a malformed body 400; a wrong media type 415") {
  api a;
  auto dup = a.send("POST", "/v1/towns", a.admin, R"({"id":"lugo","name":"Lugo"})");
  CHECK(dup.status == 409);
  CHECK(detail_of(dup).find("lugo") != std::string::npos);
  CHECK(a.send("POST", "/v1/towns", a.admin, R"({"id":"x",)").status == 400);
  CHECK(a.send("POST", "/v1/towns", a.admin, R"(["x"])").status == 400);
  CHECK(a.send("POST", "/v1/towns", a.admin, R"({"id":"x","name":"X"})", "text/plain").status == 415);
  CHECK(a.store.catalogue_data.towns.size() == 1);
}

TEST_CASE("a field that breaks a rule is 422 naming the field") {
  api a;
  auto field_of = [](const http::response& r) { return json::parse(r.body)["errors"][0]["field"].get<std::string>(); };
  auto bad_id = a.send("POST", "/v1/topics", a.admin, R"({"id":"Frane!","name":"Frane"})");
  CHECK(bad_id.status == 422);
  CHECK(field_of(bad_id) == "id");
  auto no_name = a.send("POST", "/v1/topics", a.admin, R"({"id":"frane"})");
  CHECK(no_name.status == 422);
  CHECK(field_of(no_name) == "name");
  auto long_name = a.send("POST", "/v1/topics", a.admin, R"({"id":"frane","name":")" + std::string(81, 'a') + "\"}");
  CHECK(field_of(long_name) == "name");
  CHECK(field_of(a.send("POST", "/v1/topics", a.admin, R"({"id":"frane","name":"Frane","keywords":"frana"})")) ==
        "keywords");
  CHECK(field_of(a.send("POST", "/v1/topics", a.admin, R"({"id":"frane","name":"Frane","in_default":"yes"})")) ==
        "in_default");
  CHECK(field_of(a.send("POST", "/v1/towns", a.admin, R"({"id":"x","name":"X","istat_code":"12"})")) ==
        "istat_code");
  CHECK(field_of(a.send("POST", "/v1/topics", a.admin, R"({"id":"frane","name":"Frane","colour":"red"})")) ==
        "colour");
  auto orphan = a.send("POST", "/v1/areas", a.admin, R"({"id":"villanova","town":"bagnacavallo","name":"Villanova"})");
  CHECK(orphan.status == 422);
  CHECK(field_of(orphan) == "town");
  CHECK(field_of(a.send("POST", "/v1/areas", a.admin, R"({"id":"villanova","name":"Villanova"})")) == "town");
  CHECK(a.store.catalogue_data.topics.size() == domain::default_topics().size());
  CHECK(a.store.catalogue_data.areas.size() == 1);
}

TEST_CASE("PATCH changes only the fields given; the id cannot change; an unknown id is 404") {
  api a;
  auto res = a.send("PATCH", "/v1/topics/eventi", a.admin, R"({"in_default":true})");
  REQUIRE(res.status == 200);
  auto j = json::parse(res.body);
  CHECK(j["in_default"] == true);
  CHECK(j["name"] == "Eventi");
  CHECK_FALSE(j["keywords"].empty());
  CHECK(a.send("PATCH", "/v1/topics/eventi", a.admin, R"({"id":"feste"})").status == 422);
  CHECK(a.send("PATCH", "/v1/topics/feste", a.admin, R"({"name":"Feste"})").status == 404);
  CHECK(a.send("PATCH", "/v1/towns/lugo", a.admin, R"({"istat_code":null})").status == 200);
  CHECK(a.store.catalogue_data.towns[0].istat_code.empty());
}

TEST_CASE("GET /v1/areas lists areas with their town, filtered by ?town=") {
  api a;
  REQUIRE(a.send("POST", "/v1/towns", a.admin, R"({"id":"bagnacavallo","name":"Comune di Bagnacavallo"})").status ==
          201);
  REQUIRE(a.send("POST", "/v1/areas", a.admin, R"({"id":"villanova","town":"bagnacavallo","name":"Villanova"})")
              .status == 201);
  auto all = json::parse(a.send("GET", "/v1/areas", a.reader).body)["areas"];
  CHECK(all.size() == 2);
  auto lugo = json::parse(a.send("GET", "/v1/areas?town=lugo", a.reader).body)["areas"];
  REQUIRE(lugo.size() == 1);
  CHECK(lugo[0]["id"] == "voltana");
  CHECK(lugo[0]["town"] == "lugo");
  CHECK(a.send("GET", "/v1/areas?town=Not%20an%20id", a.reader).status == 400);
}

TEST_CASE("DELETE removes an entry; a town that has areas is refused 409 naming them") {
  api a;
  auto refused = a.send("DELETE", "/v1/towns/lugo", a.admin);
  CHECK(refused.status == 409);
  CHECK(detail_of(refused).find("voltana") != std::string::npos);
  auto removed = a.send("DELETE", "/v1/areas/voltana", a.admin);
  CHECK(removed.status == 200);
  CHECK(json::parse(removed.body)["id"] == "voltana");
  CHECK(a.send("DELETE", "/v1/towns/lugo", a.admin).status == 200);
  CHECK(a.store.catalogue_data.towns.empty());
  CHECK(a.send("DELETE", "/v1/towns/lugo", a.admin).status == 404);
}

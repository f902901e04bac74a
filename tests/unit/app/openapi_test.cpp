#include <banditore/app/route_list.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

using namespace banditore;

namespace {

using route_key = std::pair<std::string, std::string>;  // method, path

nlohmann::json load_openapi() {
  std::ifstream in(BANDITORE_FIXTURES "/../../docs/openapi.json");
  REQUIRE(in.good());
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return nlohmann::json::parse(text, nullptr, false);
}

const std::set<std::string> http_methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

std::set<route_key> documented(const nlohmann::json& doc) {
  std::set<route_key> out;
  for (const auto& [path, item] : doc.at("paths").items())
    for (const auto& [key, operation] : item.items()) {
      if (!http_methods.count(key)) continue;  // parameters, summary, ...
      std::string method = key;
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert({method, path});
    }
  return out;
}

std::set<route_key> registered() {
  std::set<route_key> out;
  for (const auto& r : app::registered_routes()) out.insert({r.method, r.pattern});
  return out;
}

}  // namespace

TEST_CASE("the OpenAPI document is valid JSON declaring OpenAPI 3.1") {
  auto doc = load_openapi();
  REQUIRE_FALSE(doc.is_discarded());
  CHECK(doc.value("openapi", "").rfind("3.1", 0) == 0);
}

TEST_CASE("the route list holds every route the service registers, health probes included") {
  auto routes = registered();
  CHECK(routes.count({"POST", "/v1/alerts"}) == 1);
  CHECK(routes.count({"POST", "/v1/cap"}) == 1);
  CHECK(routes.count({"POST", "/webhook/whatsapp"}) == 1);
  CHECK(routes.count({"GET", "/metrics"}) == 1);
  CHECK(routes.count({"GET", "/healthz"}) == 1);
  CHECK(routes.count({"GET", "/readyz"}) == 1);
}

TEST_CASE("the OpenAPI document describes exactly the routes the server registers") {
  auto doc = load_openapi();
  REQUIRE_FALSE(doc.is_discarded());
  auto in_doc = documented(doc);
  auto in_code = registered();
  for (const auto& [method, path] : in_code) {
    INFO("registered but undocumented: ", method, " ", path);
    CHECK(in_doc.count({method, path}) == 1);
  }
  for (const auto& [method, path] : in_doc) {
    INFO("documented but not registered: ", method, " ", path);
    CHECK(in_code.count({method, path}) == 1);
  }
}

TEST_CASE("every documented operation but the console's pages declares a 4xx problem response") {
  auto doc = load_openapi();
  REQUIRE_FALSE(doc.is_discarded());
  const auto& shared = doc.at("components").at("responses");
  for (const auto& [path, item] : doc.at("paths").items())
    for (const auto& [key, operation] : item.items()) {
      if (!http_methods.count(key)) continue;
      // The staff console answers a browser: its errors are HTML pages
      // (docs/console.md), never problem+json.
      if (path.rfind("/console/", 0) == 0) continue;
      bool has_problem = false;
      for (const auto& [status, response] : operation.at("responses").items()) {
        if (status.size() != 3 || status[0] != '4') continue;
        auto resolved = response;
        if (response.contains("$ref")) {
          const auto ref = response.at("$ref").get<std::string>();
          resolved = shared.at(ref.substr(ref.rfind('/') + 1));
        }
        if (resolved.contains("content") && resolved.at("content").contains("application/problem+json"))
          has_problem = true;
      }
      INFO(key, " ", path);
      CHECK(has_problem);
    }
}

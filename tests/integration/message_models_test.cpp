// Message models over the wire, on the real binary and wa-sim: a model
// stored, filled into a draft, and the draft sent as an alert reaches the
// phones with the blanks filled; a fill that would leave ___ makes nothing.
#include "harness.hpp"

#include <doctest/doctest.h>

using namespace harness;

namespace {
json parsed(const banditore::http::client_response& r) { return json::parse(r.body); }
}  // namespace

TEST_CASE("a model filled over REST becomes a draft that is sent with its blanks filled, and never with ___") {
  alert_world w;
  const auto phones = w.sim.subscribe_many(2);

  const json model = {{"name", "Interruzione idrica"},
                      {"category", "water"},
                      {"severity", "moderate"},
                      {"text", "Interruzione idrica in via ___ dalle ___ alle ___."}};
  auto created = w.app.api("POST", "/v1/models", w.token, model.dump());
  REQUIRE(created.status == 201);
  const auto model_id = std::to_string(parsed(created)["id"].get<std::int64_t>());
  CHECK(parsed(w.app.api("GET", "/v1/models", w.token))["models"].size() == 1);
  CHECK(w.app.api("POST", "/v1/models", w.token, model.dump()).status == 409);

  // Values that leave a blank: 422, problem+json, no draft.
  auto refused = w.app.api("POST", "/v1/models/" + model_id + "/fill", w.token, R"({"values":["Roma","9"]})");
  CHECK(refused.status == 422);
  CHECK(refused.header("Content-Type").find("application/problem+json") == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM drafts") == 0);

  auto filled = w.app.api("POST", "/v1/models/" + model_id + "/fill", w.token, R"({"values":["Roma","9","13"]})");
  REQUIRE(filled.status == 201);
  const auto draft = parsed(filled);
  CHECK(draft["text"] == "Interruzione idrica in via Roma dalle 9 alle 13.");
  CHECK(draft["source"] == "model");

  json body = {{"category", draft["category"]}, {"severity", draft["severity"]}, {"title", draft["title"]},
               {"text", draft["text"]}, {"draft_id", draft["id"]}};
  const auto alert_id = w.post_alert(body)["id"].get<std::int64_t>();
  w.await_state(alert_id, "done");
  for (const auto& p : phones) {
    CHECK(w.sim.texts(p).back().find("via Roma dalle 9 alle 13") != std::string::npos);
    CHECK(w.sim.texts(p).back().find("___") == std::string::npos);
  }
  CHECK(parsed(w.app.api("GET", "/v1/drafts/" + std::to_string(draft["id"].get<std::int64_t>()), w.token))["state"] ==
        "sent");

  // Deleting the model leaves the draft; the model is gone.
  CHECK(w.app.api("DELETE", "/v1/models/" + model_id, w.token).status == 204);
  CHECK(w.app.api("GET", "/v1/models/" + model_id, w.token).status == 404);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM drafts") == 1);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'model.%'") == 2);
}

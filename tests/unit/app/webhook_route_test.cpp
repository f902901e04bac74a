#include <banditore/app/webhook.hpp>

#include <banditore/whatsapp/signature.hpp>
#include <banditore/whatsapp/webhook.hpp>

#include "../fake_store.hpp"
#include "route_call.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

using namespace banditore;
using json = nlohmann::json;
using testing::call;
using testing::fake_store;
using testing::make_request;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BANDITORE_FIXTURES) + "/whatsapp/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr const char* app_secret = "s3cret";

// The webhook over the in-memory store. The phone number id is the
// fixtures' (Meta's example payloads).
struct hook {
  fake_store store;
  app::webhook_context ctx;
  http::router routes;
  int sender_wakes = 0;

  hook() {
    ctx.verify_token = "verify-me";
    ctx.app_secret = app_secret;
    ctx.phone_number_id = "106540352242922";
    ctx.inbound = &store;
    ctx.outbox_changed = [this] { ++sender_wakes; };
    app::add_webhook_routes(routes, ctx);
  }

  http::response post(std::string body, bool signed_ = true) {
    const auto signature = whatsapp::sign_body(body, app_secret);
    auto req = make_request("POST", "/webhook/whatsapp", std::move(body));
    req.headers.push_back({"Content-Type", "application/json"});
    if (signed_) req.headers.push_back({"X-Hub-Signature-256", signature});
    return call(routes, req);
  }
};

}  // namespace

TEST_CASE("a signed message is handed to the store as one batch, normalised, and its reply wakes the sender") {
  hook h;
  auto res = h.post(fixture("text.json"));
  REQUIRE(res.status == 200);
  REQUIRE(h.store.batches.size() == 1);
  const auto& batch = h.store.batches[0];
  REQUIRE(batch.messages.size() == 1);
  CHECK(batch.messages[0].from == "16315551181");
  CHECK(batch.messages[0].type == "text");
  CHECK(batch.messages[0].sent_at_ms == 1718035200LL * 1000);
  CHECK(batch.messages[0].message_id == "wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQUVCNTgx01");
  CHECK(h.sender_wakes == 1);  // a subscription is confirmed
  auto j = json::parse(res.body);
  CHECK(j["messages"] == 1);
  CHECK(j["skipped"] == 0);
}

TEST_CASE("a message that needs no reply does not wake the sender") {
  hook h;
  h.store.decide = [](const store::inbound_message_input&) {
    store::inbound_result r;
    r.decision = domain::decision::help_suppressed;
    return r;
  };
  CHECK(h.post(fixture("text.json")).status == 200);
  CHECK(h.sender_wakes == 0);
}

TEST_CASE("statuses go to the store in the same batch, with their times in milliseconds") {
  hook h;
  auto res = h.post(fixture("statuses.json"));
  REQUIRE(res.status == 200);
  REQUIRE(h.store.batches.size() == 1);
  const auto& statuses = h.store.batches[0].statuses;
  REQUIRE(statuses.size() == 5);
  CHECK(statuses[0].provider_message_id == "wamid.OUT1");
  CHECK(statuses[0].status == store::status_kind::sent);
  CHECK(statuses[3].status == store::status_kind::failed);
  CHECK(statuses[3].error_code == 131047);
  CHECK(statuses[0].at_ms % 1000 == 0);
  CHECK(json::parse(res.body)["statuses"] == 5);
}

TEST_CASE("an unsigned or wrongly signed body never reaches the store") {
  hook h;
  CHECK(h.post(fixture("text.json"), false).status == 401);
  auto req = make_request("POST", "/webhook/whatsapp", fixture("text.json"));
  req.headers.push_back({"Content-Type", "application/json"});
  req.headers.push_back({"X-Hub-Signature-256", whatsapp::sign_body("other body", app_secret)});
  CHECK(call(h.routes, req).status == 401);
  CHECK(h.store.batches.empty());
}

TEST_CASE("a message to another number of the business account is skipped") {
  hook h;
  h.ctx.phone_number_id = "999";
  auto res = h.post(fixture("text.json"));
  REQUIRE(res.status == 200);
  CHECK(json::parse(res.body)["skipped"] == 1);
  REQUIRE(h.store.batches.size() == 1);
  CHECK(h.store.batches[0].messages.empty());
}

TEST_CASE("the verification handshake answers the challenge only to the right token") {
  hook h;
  auto ok = make_request("GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=42");
  auto res = call(h.routes, ok);
  CHECK(res.status == 200);
  CHECK(res.body == "42");
  auto bad = make_request("GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42");
  CHECK(call(h.routes, bad).status == 403);
}

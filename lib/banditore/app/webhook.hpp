// The WhatsApp webhook: the GET verification handshake and the signed POST
// notifications (citizens' messages and delivery statuses).
#pragma once

#include <banditore/http/router.hpp>
#include <banditore/store/inbound.hpp>

#include <functional>
#include <string>

namespace banditore::store {
class db_worker;
class outbox;
}  // namespace banditore::store

namespace banditore::app {

struct webhook_context {
  std::string verify_token;
  std::string app_secret;
  std::string phone_number_id;
  store::conversation_settings conversation;
  store::db_worker* db = nullptr;
  // Owned by the database thread; used only inside db->run().
  store::outbox* outbox = nullptr;
  store::inbound_store* inbound = nullptr;
  std::function<void()> outbox_changed;  // wakes the sender
};

void add_webhook_routes(http::router& routes, webhook_context& context);

}  // namespace banditore::app

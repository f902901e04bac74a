// The WhatsApp webhook: the GET verification handshake and the signed POST
// notifications (citizens' messages and delivery statuses).
#pragma once

#include <banditore/http/router.hpp>


#include <functional>
#include <string>

namespace banditore::store {
class inbound;
}  // namespace banditore::store

namespace banditore::app {

struct webhook_context {
  std::string verify_token;
  std::string app_secret;
  std::string phone_number_id;
  store::inbound* inbound = nullptr;  // applies each request's batch
  std::function<void()> outbox_changed;  // wakes the sender
};

void add_webhook_routes(http::router& routes, webhook_context& context);

}  // namespace banditore::app

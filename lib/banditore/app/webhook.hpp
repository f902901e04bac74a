// The WhatsApp webhook: the GET verification handshake and the signed POST
// notifications (citizens' messages and delivery statuses).
#pragma once

#include <banditore/http/router.hpp>


#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::store {
class inbound;
struct inbound_result;
}  // namespace banditore::store

namespace banditore::app {

struct webhook_context {
  std::string verify_token;
  std::string app_secret;
  std::string phone_number_id;  // one number: messages to another are skipped
  // Several numbers: Meta's phone_number_id -> the number's id. Messages
  // and statuses addressed to a number not here are skipped; a message's
  // reply leaves from the number it was written to.
  std::map<std::string, std::string, std::less<>> numbers;
  store::inbound* inbound = nullptr;  // applies each request's batch
  std::function<void()> outbox_changed;  // wakes the sender
};

void add_webhook_routes(http::router& routes, webhook_context& context);

// The log line and the decision counter of each citizen's message applied,
// whether with its webhook or later from the inbound journal. Returns
// whether any was answered (the sender has a reply to send).
bool note_decisions(std::string_view request_id, const std::vector<store::inbound_result>& results);

}  // namespace banditore::app

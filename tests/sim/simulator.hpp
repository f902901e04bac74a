// wa-sim: a simulator of the WhatsApp Cloud API that also plays the
// citizens' phones. It serves Meta's send endpoint with Meta's validation
// and error shapes, keeps each phone's inbox, posts signed webhooks (texts
// from citizens, delivery statuses, asynchronous failures) to banditore,
// and injects faults on demand. Its own control API lives under /sim/.
#pragma once

#include <banditore/http/router.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wa_sim {

// A further business number the simulator serves beside the main one
// (options::phone_number_id): each has its own token, which Meta accepts
// for its own number only.
struct sim_number {
  std::string phone_number_id;
  std::string token;
  std::string display_number;
};

struct options {
  std::string token = "sim-token";
  std::string phone_number_id = "100000000000001";
  std::string display_number = "390000000000";
  std::string app_secret = "sim-app-secret";
  std::string webhook_url;       // banditore's /webhook/whatsapp (settable later)
  double rate_limit = 0;         // messages/s accepted per number, 0 = unlimited
  std::int64_t pair_interval_ms = 0;  // per-recipient spacing (Meta: ~6000), 0 = off
  bool statuses = true;          // post sent/delivered/read statuses
  // Statuses per webhook request: 1 is Meta's usual shape (one status per
  // notification); more batches them, as Meta may under load.
  int status_batch = 1;
  // Webhook requests of statuses in flight at once, each on its own
  // connection, as Meta delivers from several connections.
  int status_connections = 4;
  bool record_inbox = true;      // keep message texts (off for the million-message benchmark)
  std::uint64_t seed = 1;
  std::vector<sim_number> more_numbers;  // --number ID:TOKEN[:DISPLAY], or "numbers" in POST /sim/config
};

class simulator {
 public:
  simulator(boost::asio::io_context& io, options opts);
  ~simulator();
  void add_routes(banditore::http::router& routes);

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace wa_sim

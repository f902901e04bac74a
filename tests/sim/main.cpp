// wa-sim: the WhatsApp Cloud API simulator used by the integration tests,
// the benchmarks and the local demo. `wa-sim --help` lists the options.
#include "simulator.hpp"

#include <banditore/http/server.hpp>
#include <banditore/log/log.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

constexpr const char* usage =
    "Usage: wa-sim [OPTIONS]\n"
    "  --listen HOST:PORT        where to serve (default 127.0.0.1:9090; port 0 picks one)\n"
    "  --port-file PATH          write the chosen port there once listening\n"
    "  --token TOKEN             bearer token the send endpoint accepts (default sim-token)\n"
    "  --phone-number-id ID      the business number id (default 100000000000001)\n"
    "  --number ID:TOKEN[:DISPLAY]  a further business number with its own token (repeatable)\n"
    "  --app-secret SECRET       key of X-Hub-Signature-256 on webhooks (default sim-app-secret)\n"
    "  --webhook URL             banditore's webhook URL (also settable with POST /sim/config)\n"
    "  --rate N                  messages per second accepted, 0 = unlimited (default 0)\n"
    "  --pair-interval-ms N      per-recipient spacing, 0 = off (default 0)\n"
    "  --no-statuses             do not post delivery statuses\n"
    "  --status-batch N          statuses per webhook request (default 1, Meta's usual shape)\n"
    "  --status-connections N    status webhooks in flight at once (default 4)\n"
    "  --no-inbox                count messages without keeping their texts\n"
    "  --log-level LEVEL         debug, info, warn, error, off (default warn)\n";

// A free coroutine, not a capturing lambda: the frame must not refer to a
// lambda object that dies when the signal handler returns.
boost::asio::awaitable<void> stop_serving(banditore::http::server& server, boost::asio::io_context& io) {
  co_await server.stop();
  io.stop();
}

}  // namespace

int main(int argc, char** argv) {
  wa_sim::options opts;
  std::string listen = "127.0.0.1:9090", port_file, level = "warn";
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--help" || a == "-h") { std::fputs(usage, stdout); return 0; }
      else if (a == "--listen") listen = value();
      else if (a == "--port-file") port_file = value();
      else if (a == "--token") opts.token = value();
      else if (a == "--phone-number-id") opts.phone_number_id = value();
      else if (a == "--number") {
        const std::string spec = value();
        const auto colon = spec.find(':');
        if (colon == std::string::npos || colon == 0) throw std::invalid_argument("--number takes ID:TOKEN[:DISPLAY]");
        const auto rest = spec.substr(colon + 1);
        const auto second = rest.find(':');
        opts.more_numbers.push_back({spec.substr(0, colon), rest.substr(0, second),
                                     second == std::string::npos ? std::string("390000000002") : rest.substr(second + 1)});
      }
      else if (a == "--app-secret") opts.app_secret = value();
      else if (a == "--webhook") opts.webhook_url = value();
      else if (a == "--rate") opts.rate_limit = std::stod(value());
      else if (a == "--pair-interval-ms") opts.pair_interval_ms = std::stoll(value());
      else if (a == "--no-statuses") opts.statuses = false;
      else if (a == "--status-batch") opts.status_batch = std::max(1, std::stoi(value()));
      else if (a == "--status-connections") opts.status_connections = std::max(1, std::stoi(value()));
      else if (a == "--no-inbox") opts.record_inbox = false;
      else if (a == "--log-level") level = value();
      else throw std::invalid_argument("unknown option " + a);
    }
    banditore::log::set_level(banditore::log::parse_level(level));

    boost::asio::io_context io{1};
    wa_sim::simulator sim(io, opts);
    banditore::http::router routes;
    sim.add_routes(routes);
    banditore::http::server_options so;
    banditore::http::parse_listen_address(listen, so);
    so.max_connections = 4096;
    // The Cloud API it plays takes a sender's whole pool from one address:
    // banditore's connections and the tests' calls all come from loopback.
    so.max_connections_per_address = 4096;
    // A media upload carries a document of up to Meta's 100 MB, with the
    // multipart framing around it.
    so.max_body_bytes = 101 * 1024 * 1024;
    banditore::http::server server(io, so, routes);
    server.start();
    if (!port_file.empty()) {
      std::ofstream tmp(port_file + ".tmp");
      tmp << server.port() << "\n";
      tmp.close();
      std::rename((port_file + ".tmp").c_str(), port_file.c_str());
    }
    std::fprintf(stderr, "wa-sim listening on %s port %u\n", so.address.c_str(), unsigned(server.port()));

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      boost::asio::co_spawn(io, stop_serving(server, io), boost::asio::detached);
    });
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wa-sim: %s\n", e.what());
    return 2;
  }
  return 0;
}

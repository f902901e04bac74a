// GET /metrics: the registry in the Prometheus text format. Who may read it
// is configuration: loopback clients only by default, or whoever presents
// BANDITORE_METRICS_TOKEN as a bearer token when it is set. Gauges that
// describe the database are refreshed just before each scrape.
#pragma once

#include <banditore/http/message.hpp>
#include <banditore/http/router.hpp>
#include <banditore/metrics/registry.hpp>
#include <banditore/store/operations.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::app {

inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

struct metrics_context {
  metrics::registry* registry = &metrics::default_registry();
  std::string token;  // BANDITORE_METRICS_TOKEN; empty: loopback only
  // Fills gauges from the database before rendering (may be empty). An
  // exception from it fails the scrape: stale figures would look healthy.
  std::function<boost::asio::awaitable<void>()> refresh;
};

// The 403 problem when the request may not read the metrics; nullopt when
// it may. The token is compared in constant time and never repeated.
std::optional<http::response> metrics_refusal(const http::request& request, std::string_view token);

// Registers GET /metrics. context must outlive the router.
void add_metrics_route(http::router& router, metrics_context& context);

// Sets the store gauges: banditore_subscribers, banditore_subscribers_flagged,
// banditore_outbox_messages{state}, banditore_outbox_oldest_due_seconds.
void publish_store_figures(const store::store_figures& figures, metrics::registry& registry);

// A business number as its limit gauges name it: the deployment's id
// ("default" with one number), its portfolio (empty with one number: the
// deployment's count) and its portfolio's tier (0 = unlimited).
struct number_limit {
  std::string number;
  std::string portfolio;
  std::int64_t tier = 0;
};

// Sets banditore_messaging_limit{number} (the tier) and
// banditore_messaging_limit_used{number} (unique people reached outside
// their window in the last 24 hours by the number's portfolio; numbers of
// one portfolio show the same use, which they share).
void publish_limit_figures(const store::store_figures& figures, const std::vector<number_limit>& numbers,
                           metrics::registry& registry);

}  // namespace banditore::app

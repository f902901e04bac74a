#include <banditore/app/metrics_api.hpp>

#include <banditore/crypto/hash.hpp>

#include <utility>

namespace banditore::app {

std::optional<http::response> metrics_refusal(const http::request& request, std::string_view token) {
  if (token.empty()) {
    // Behind a reverse proxy every request comes from loopback unless the
    // proxy is trusted (then the client it names is judged): the proxy
    // must otherwise keep /metrics private, or a token must be set.
    if (request.remote_is_loopback) return std::nullopt;
    return http::problem(403, http::status_title(403),
                         "metrics are served to loopback clients only; set BANDITORE_METRICS_TOKEN to read them "
                         "from elsewhere");
  }
  const auto presented = request.bearer_token();
  if (presented && crypto::constant_time_equal(*presented, token)) return std::nullopt;
  return http::problem(403, http::status_title(403),
                       "send the metrics token as Authorization: Bearer <BANDITORE_METRICS_TOKEN>");
}

void add_metrics_route(http::router& router, metrics_context& context) {
  router.add("GET", "/metrics", [&context](http::request& request) -> boost::asio::awaitable<http::response> {
    if (auto refusal = metrics_refusal(request, context.token)) {
      http::response answer = std::move(*refusal);
      co_return answer;
    }
    if (context.refresh) {
      auto refreshing = context.refresh();
      co_await std::move(refreshing);
    }
    http::response answer;
    answer.content_type = std::string(metrics_content_type);
    answer.body = context.registry->render();
    co_return answer;
  });
}

void publish_store_figures(const store::store_figures& figures, metrics::registry& registry) {
  registry.gauge_for("banditore_subscribers", "Subscribers on the list.").set(static_cast<double>(figures.subscribers));
  registry
      .gauge_for("banditore_subscribers_flagged",
                 "Subscribers whose deliveries kept failing permanently (flagged for review).")
      .set(static_cast<double>(figures.flagged));
  for (const auto& [state, n] : figures.outbox_by_state)
    registry.gauge_for("banditore_outbox_messages", "Rows of the outbox, by state.", {{"state", state}})
        .set(static_cast<double>(n));
  registry
      .gauge_for("banditore_outbox_oldest_due_seconds",
                 "How long the oldest message due for sending has waited (0 when none is due).")
      .set(static_cast<double>(figures.oldest_due_ms) / 1000.0);
  registry
      .gauge_for("banditore_inbound_journal_rows",
                 "Webhooks whose citizens' messages were answered and wait in the inbound journal to be applied.")
      .set(static_cast<double>(figures.journal_rows));
  registry
      .gauge_for("banditore_inbound_journal_oldest_seconds",
                 "How long the oldest of them has waited (0 when none waits).")
      .set(static_cast<double>(figures.journal_oldest_ms) / 1000.0);
}

void publish_limit_figures(const store::store_figures& figures, const std::vector<number_limit>& numbers,
                           metrics::registry& registry) {
  for (const auto& n : numbers) {
    const metrics::label_set labels = {{"number", n.number}};
    registry
        .gauge_for("banditore_messaging_limit",
                   "WhatsApp messaging limit of the number's business portfolio: unique people per moving 24 hours "
                   "outside their window (0: unlimited)",
                   labels)
        .set(static_cast<double>(n.tier));
    std::int64_t used = figures.limit_used;
    if (!n.portfolio.empty()) {
      const auto p = figures.limit_used_by_portfolio.find(n.portfolio);
      used = p == figures.limit_used_by_portfolio.end() ? 0 : p->second;
    }
    registry
        .gauge_for("banditore_messaging_limit_used",
                   "People reached outside their window in the last 24 hours by the number's business portfolio "
                   "(shared by the numbers of one portfolio: do not add them up)",
                   labels)
        .set(static_cast<double>(used));
  }
}

}  // namespace banditore::app

#include <banditore/app/route_list.hpp>

#include <banditore/app/alerts_api.hpp>
#include <banditore/app/audience_api.hpp>
#include <banditore/app/cap_api.hpp>
#include <banditore/app/console.hpp>
#include <banditore/app/console_account.hpp>
#include <banditore/app/console_admin.hpp>
#include <banditore/app/console_alerts.hpp>
#include <banditore/app/console_compose.hpp>
#include <banditore/app/console_drafts.hpp>
#include <banditore/app/console_models.hpp>
#include <banditore/app/metrics_api.hpp>
#include <banditore/app/public_pages.hpp>
#include <banditore/app/settings_api.hpp>
#include <banditore/app/webhook.hpp>

namespace banditore::app {

std::vector<http::route_info> registered_routes() {
  // The same registration functions the service calls; the handlers are
  // never invoked, so empty contexts are enough to learn the patterns.
  webhook_context webhook;
  alerts_context alerts;
  audience_context audience;
  cap_context cap;
  metrics_context metrics;
  http::router routes;
  add_webhook_routes(routes, webhook);
  add_alert_routes(routes, alerts);
  add_draft_routes(routes, alerts);
  add_model_routes(routes, alerts);
  add_media_routes(routes, alerts);
  add_audience_routes(routes, audience);
  settings_api_context settings;
  add_settings_routes(routes, settings);
  add_cap_routes(routes, cap);
  add_metrics_route(routes, metrics);
  console_context console;
  add_console_routes(routes, console);
  add_console_account_routes(routes, console);
  add_console_alert_routes(routes, console);
  add_console_compose_routes(routes, console, alerts);
  add_console_draft_routes(routes, console, alerts);
  add_console_model_routes(routes, console, alerts);
  console_admin_context console_admin;
  add_console_admin_routes(routes, console, console_admin);
  public_pages pages({}, nullptr, nullptr);
  pages.add_routes(routes);
  // The service registers the health probes itself because /readyz needs
  // its database and sender; keep these two in step with service.cpp.
  auto unused = [](http::request&) -> boost::asio::awaitable<http::response> { co_return http::response{}; };
  routes.add("GET", "/healthz", unused);
  routes.add("GET", "/readyz", unused);
  return routes.routes();
}

}  // namespace banditore::app

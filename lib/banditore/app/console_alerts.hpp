// The console's pages about alerts already made: the history
// (/console/alerts, filtered and paged by id) and, for one alert, its
// report, cancel, the delivery report as CSV and its progress as events.
// No page or export shows a phone number or a location.
#pragma once

#include <banditore/app/console.hpp>
#include <banditore/http/router.hpp>

namespace banditore::app {

void add_console_alert_routes(http::router& routes, console_context& ctx);

}  // namespace banditore::app

// The console's compose page (/console/compose, editor and above): an
// alert written in a form, previewed as the phone will show it (free
// text and template, with their character counts) and with what it would
// take and cost, then sent by a publisher. The checks and their messages
// are POST /v1/alerts's; sending is its store call, audited as the staff
// member.
#pragma once

#include <banditore/app/alerts_api.hpp>
#include <banditore/app/console.hpp>
#include <banditore/http/router.hpp>

namespace banditore::app {

// api: the REST API's settings (limits, pace, price, the phone's forms,
// quiet hours, the duplicate window), so both send alike.
void add_console_compose_routes(http::router& routes, console_context& ctx, const alerts_context& api);

}  // namespace banditore::app

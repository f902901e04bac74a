// The console's message models (/console/models, editor and above): the
// list, a model written, changed or removed, and "usa modello", which asks
// for its blanks in a form and opens the compose page with them filled in.
// The store (store/models.hpp) and the checks (domain/message_model) are
// /v1/models's own; the filling is domain::fill_blanks, as
// POST /v1/models/{id}/fill fills a draft, but nothing is saved until the
// compose page saves or sends it.
#pragma once

#include <banditore/app/alerts_api.hpp>
#include <banditore/app/console.hpp>
#include <banditore/http/router.hpp>

namespace banditore::app {

// api: its models store (api.models), and what the compose page needs.
void add_console_model_routes(http::router& routes, console_context& ctx, const alerts_context& api);

}  // namespace banditore::app

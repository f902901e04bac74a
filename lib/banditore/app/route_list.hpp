// Every route the HTTP server answers, listed without starting a service,
// so the published API description (docs/openapi.json) can be checked
// against what the code actually registers.
#pragma once

#include <banditore/http/router.hpp>

#include <vector>

namespace banditore::app {

// The (method, pattern) of every registered route, in registration order.
std::vector<http::route_info> registered_routes();

}  // namespace banditore::app

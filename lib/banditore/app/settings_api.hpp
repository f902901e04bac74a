// The run-time settings over REST, for scripts (what the console's
// settings page does): GET /v1/settings lists them with the value in use
// and where it comes from; PUT /v1/settings/{name} {"value": "..."} sets
// one, checked as the environment's value is (422 names the setting and
// why); DELETE /v1/settings/{name} returns it to the environment's value
// or the default. Scope audience:admin; problem+json errors.
#pragma once

#include <banditore/http/router.hpp>

namespace banditore::store {
class api_keys;
}  // namespace banditore::store

namespace banditore::app {

class auth_throttle;
class live_settings;

struct settings_api_context {
  store::api_keys* keys = nullptr;
  auth_throttle* throttle = nullptr;  // failed authentications per address
  live_settings* live = nullptr;
};

void add_settings_routes(http::router& routes, settings_api_context& context);

}  // namespace banditore::app

// The deployment's audience over REST: /v1/towns, /v1/topics and
// /v1/areas, each listed and read with any valid API key, and added
// (POST), changed (PATCH) and removed (DELETE) with the scope
// audience:admin. problem+json errors; the rules are domain's.
#pragma once

#include <banditore/http/router.hpp>

namespace banditore::store {
class audience;
class api_keys;
}  // namespace banditore::store

namespace banditore::app {

class auth_throttle;

struct audience_context {
  store::audience* audience = nullptr;
  store::api_keys* keys = nullptr;
  auth_throttle* throttle = nullptr;  // failed authentications per address
};

void add_audience_routes(http::router& routes, audience_context& context);

}  // namespace banditore::app

// Calls a route of an http::router as the server would, without a socket:
// the request goes through the router's matching, the handler runs to its
// end, and the test reads the response.
#pragma once

#include <banditore/http/router.hpp>

#include "../run_blocking.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>

namespace banditore::testing {

inline http::request make_request(std::string method, std::string target, std::string body = {}) {
  http::request r;
  r.method = std::move(method);
  r.target = target;
  const auto q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  r.body = std::move(body);
  r.request_id = "test";
  r.remote_address = "192.0.2.1";
  return r;
}

inline http::response call(const http::router& routes, http::request& req) {
  int status = 0;
  const auto* handler = routes.match(req, status);
  REQUIRE_MESSAGE(handler != nullptr, req.method, " ", req.path, " has no route (", status, ")");
  return run_blocking((*handler)(req));
}

inline std::string header_of(const http::response& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return {};
}

}  // namespace banditore::testing

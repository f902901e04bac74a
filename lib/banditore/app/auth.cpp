#include <banditore/app/auth.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace banditore::app {

namespace {

// RFC 6750: a 401 tells the client which scheme to use; error= says why a
// token that was presented is refused.
constexpr std::string_view challenge = "Bearer realm=\"banditore\"";

http::response unauthorized(std::string_view detail, bool token_presented) {
  auto r = http::problem(401, http::status_title(401), detail);
  std::string value(challenge);
  if (token_presented) value += ", error=\"invalid_token\"";
  r.headers.push_back({"WWW-Authenticate", std::move(value)});
  return r;
}

http::response forbidden(std::string_view scope) {
  auto r = http::problem(403, http::status_title(403), fmt::format("this key lacks the scope {}", scope));
  r.headers.push_back(
      {"WWW-Authenticate", fmt::format("{}, error=\"insufficient_scope\", scope=\"{}\"", challenge, scope)});
  return r;
}

}  // namespace

auth_result check_access(const http::request& request, std::string_view scope, store::api_key_store& keys,
                         std::int64_t now_ms) {
  if (!store::valid_scope(scope))
    throw std::invalid_argument(fmt::format("a route asks for the unknown scope '{}'", scope));

  auth_result out;
  auto token = request.bearer_token();
  if (!token) {
    out.refusal = unauthorized("send an API key as Authorization: Bearer <token>", false);
    return out;
  }
  auto key = keys.authenticate(*token, now_ms);
  if (!key) {
    out.refusal = unauthorized("this API key is not known", true);
    return out;
  }
  if (key->revoked()) {
    out.refusal = unauthorized("this API key was revoked", true);
    return out;
  }
  if (!key->has_scope(scope)) {
    out.refusal = forbidden(scope);
    return out;
  }
  out.key = std::move(key);
  return out;
}

}  // namespace banditore::app

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

constexpr std::string_view invalid_key_detail = "this API key is not valid";

http::response forbidden(std::string_view scope) {
  auto r = http::problem(403, http::status_title(403), fmt::format("this key lacks the scope {}", scope));
  r.headers.push_back(
      {"WWW-Authenticate", fmt::format("{}, error=\"insufficient_scope\", scope=\"{}\"", challenge, scope)});
  return r;
}

}  // namespace

auth_result check_access(const http::request& request, std::string_view scope,
                         const std::optional<store::key_info>& key) {
  if (scope != any_key && !store::valid_scope(scope))
    throw std::invalid_argument(fmt::format("a route asks for the unknown scope '{}'", scope));

  auth_result out;
  auto token = request.bearer_token();
  if (!token) {
    out.refusal = unauthorized("send an API key as Authorization: Bearer <token>", false);
    return out;
  }
  // Unknown and revoked keys get the same words: the answer must not
  // tell an attacker which tokens once worked.
  if (!key || key->revoked()) {
    out.refusal = unauthorized(invalid_key_detail, true);
    return out;
  }
  if (scope != any_key && !key->has_scope(scope)) {
    out.refusal = forbidden(scope);
    return out;
  }
  out.key = key;
  return out;
}

std::optional<http::response> refuse_before_lookup(const http::request& request, auth_throttle& throttle,
                                                  std::int64_t now_ms) {
  if (const auto wait = throttle.wait_ms(request.remote_address, now_ms); wait > 0) {
    auto r = http::problem(429, http::status_title(429),
                           "too many failed authentications from this address; retry after the delay");
    r.headers.push_back({"Retry-After", std::to_string((wait + 999) / 1000)});
    return r;
  }
  auto token = request.bearer_token();
  if (token && !store::well_formed_token(*token)) {
    throttle.failed(request.remote_address, now_ms);
    return unauthorized(invalid_key_detail, true);
  }
  return std::nullopt;
}

boost::asio::awaitable<auth_result> authorize(const http::request& request, std::string_view scope,
                                              store::api_keys& keys, auth_throttle* throttle, std::int64_t now_ms) {
  auth_result out;
  if (throttle) out.refusal = refuse_before_lookup(request, *throttle, now_ms);
  if (out.refusal) co_return out;
  std::optional<store::key_info> key;
  if (auto token = request.bearer_token()) {
    std::string presented(*token);
    key = co_await keys.authenticate(std::move(presented), now_ms);
  }
  out = check_access(request, scope, key);
  if (throttle) count_refusal(request, out, *throttle, now_ms);
  co_return out;
}

void count_refusal(const http::request& request, const auth_result& result, auth_throttle& throttle,
                   std::int64_t now_ms) {
  if (result.refusal && result.refusal->status == 401 && request.bearer_token())
    throttle.failed(request.remote_address, now_ms);
}

}  // namespace banditore::app

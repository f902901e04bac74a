// Access to the REST API: a request carries an API key as
// `Authorization: Bearer <token>`, and each route needs one scope. The
// answer is either the key (for the handler and the audit log) or the
// ready refusal, 401 or 403 as application/problem+json.
#pragma once

#include <banditore/app/auth_throttle.hpp>
#include <banditore/http/message.hpp>
#include <banditore/store/api_keys.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace banditore::app {

// What a route asks when any valid key may read it (the audience lists).
inline constexpr std::string_view any_key{};

struct auth_result {
  std::optional<store::key_info> key;      // set when access is granted
  std::optional<http::response> refusal;   // set otherwise
};

// The answer for a request whose bearer token, if any, belongs to key
// (nullopt: no key has it, or no token was sent). scope must be one of
// store::api_scopes, or any_key: a valid key with whatever scopes. A
// refusal never repeats the token presented. Unknown and revoked keys get
// the same 401.
auth_result check_access(const http::request& request, std::string_view scope,
                         const std::optional<store::key_info>& key);

// What a handler calls: refuse_before_lookup, then one lookup of the token
// in the store, check_access, and count_refusal. throttle may be null.
boost::asio::awaitable<auth_result> authorize(const http::request& request, std::string_view scope,
                                              store::api_keys& keys, auth_throttle* throttle, std::int64_t now_ms);

// On the network thread, before check_access: 429 with Retry-After while
// the client address is throttled, 401 for a token that cannot be one of
// ours (counted as a failure). nullopt when the database must decide.
std::optional<http::response> refuse_before_lookup(const http::request& request, auth_throttle& throttle,
                                                  std::int64_t now_ms);
// After check_access: a 401 for a presented token counts as a failure.
void count_refusal(const http::request& request, const auth_result& result, auth_throttle& throttle,
                   std::int64_t now_ms);

}  // namespace banditore::app

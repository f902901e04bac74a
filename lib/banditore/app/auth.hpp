// Access to the REST API: a request carries an API key as
// `Authorization: Bearer <token>`, and each route needs one scope. The
// answer is either the key (for the handler and the audit log) or the
// ready refusal, 401 or 403 as application/problem+json.
#pragma once

#include <banditore/http/message.hpp>
#include <banditore/store/api_keys.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace banditore::app {

struct auth_result {
  std::optional<store::key_info> key;      // set when access is granted
  std::optional<http::response> refusal;   // set otherwise
};

// Runs on the database thread (it reads and may touch the key's row);
// handlers hop there to call it. scope must be one of store::api_scopes.
// A refusal never repeats the token presented.
auth_result check_access(const http::request& request, std::string_view scope, store::api_key_store& keys,
                         std::int64_t now_ms);

}  // namespace banditore::app

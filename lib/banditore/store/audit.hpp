// The audit log: who did what to alerts and API keys, and when. Rows are
// only ever added; they name keys and alerts by id and never carry a token
// or a phone number, so the log can be shown to whoever runs the service.
// Entries are written by the store in the transaction of what they record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace banditore::store {

struct audit_entry {
  std::int64_t id = 0;
  std::int64_t at = 0;  // Unix milliseconds
  std::string actor;    // "cli", or who acted through the API
  std::string action;   // "key.create", "key.revoke", ...
  std::optional<std::int64_t> alert_id;
  std::optional<std::int64_t> api_key_id;
  std::string detail;
};

}  // namespace banditore::store

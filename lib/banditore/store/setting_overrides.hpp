// The values an admin set for run-time settings (config/runtime_settings):
// kept across restarts, above the environment's, each change audited in
// its own transaction with the old and new value and who made it.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace banditore::store {

struct setting_override {
  std::string name;
  std::string value;
  std::string changed_by;  // "staff:<email>", "key:<name>"
  std::int64_t changed_at = 0;  // Unix milliseconds
};

struct setting_change {
  std::string name;
  // nullopt: return to the environment's value (or the default).
  std::optional<std::string> value;
  // What was in use without an override (the environment's or the
  // default), for the audit's "old" when there was no override before.
  std::string without_override;
  std::string actor;
  std::int64_t now = 0;
};

struct setting_change_result {
  bool changed = false;  // false: a return asked for with no override to drop
  std::string old_value;
  // Every override after the change, read in its transaction.
  std::vector<setting_override> overrides;
  // The change's audit entry id: larger for a later change, so of two
  // answers the later one is known.
  std::int64_t sequence = 0;
};

class setting_overrides {
 public:
  virtual ~setting_overrides() = default;
  virtual boost::asio::awaitable<std::vector<setting_override>> setting_override_list() = 0;
  virtual boost::asio::awaitable<setting_change_result> change_setting(setting_change change) = 0;
  // For start-up, before the service serves: a plain call.
  virtual std::vector<setting_override> setting_overrides_now() = 0;
};

}  // namespace banditore::store

// The few settings an admin may change while the service runs, from the
// console's settings page or PUT /v1/settings/{name}: policies the service
// consults at each decision (which alerts need a second person, whether a
// CAP alert is sent or held, the quiet hours of routine alerts). Never a
// secret, an address, a path, a port or anything built once at start-up.
//
// A value changed there is kept in the database (setting_overrides) and
// stands above the environment's until an admin returns to it. The value
// goes through the same reader as the environment's, so what the console
// refuses is what would stop the service at start-up.
#pragma once

#include <banditore/config/settings.hpp>
#include <banditore/domain/approval_rule.hpp>
#include <banditore/domain/quiet_hours.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace banditore::config {

// What the running service decides with: one immutable snapshot, swapped
// whole when an admin changes a value.
struct runtime_policy {
  // BANDITORE_APPROVAL_RULE; unset: none.
  domain::approval_rule approval{.conditions = {}};
  // BANDITORE_CAP_DECISION=hold: CAP broadcasts wait as pending drafts.
  bool hold_cap = false;
  // BANDITORE_QUIET_HOURS as local minutes (start, end); unset or empty: none.
  std::optional<std::pair<int, int>> quiet_hours;
};

// The names, in the order the pages list them.
const std::vector<std::string>& runtime_setting_names();
bool is_runtime_setting(std::string_view name);

// The policy env states. Throws config_error naming the variable and what
// is wrong, as at start-up.
runtime_policy runtime_policy_from(const env_lookup& env);

// Why value cannot be name's ("BANDITORE_CAP_DECISION: must be auto or
// hold, got 'x'"); empty when it can. Also refuses a name that is not a
// run-time setting, and a value over 1,000 bytes or with a control
// character.
std::string runtime_value_problem(std::string_view name, std::string_view value);

// env with these values standing above its own.
env_lookup with_overrides(env_lookup env, std::map<std::string, std::string> overrides);

// The snapshot in use: read by every network thread and the sender, replaced
// whole by the one that changes it. A reader keeps the snapshot it took
// for as long as it decides with it.
class runtime_policy_holder {
 public:
  explicit runtime_policy_holder(runtime_policy initial = {})
      : current_(std::make_shared<const runtime_policy>(std::move(initial))) {}
  std::shared_ptr<const runtime_policy> get() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void set(std::shared_ptr<const runtime_policy> next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const runtime_policy> current_;
};

}  // namespace banditore::config

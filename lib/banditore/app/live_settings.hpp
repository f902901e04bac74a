// The run-time settings (config/runtime_settings.hpp) as the service keeps
// them: the environment's values, the admins' overrides read from the
// database at start-up, and the policy snapshot every decision reads.
// A change from the console or PUT /v1/settings/{name} is checked with
// the environment's reader, stored and audited in one transaction, then
// applied by swapping the snapshot: no restart, no shared state mutated
// under a reader.
#pragma once

#include <banditore/config/runtime_settings.hpp>
#include <banditore/store/setting_overrides.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace banditore::app {

// One run-time setting as the settings page and GET /v1/settings show it.
struct live_setting {
  std::string name;
  std::string value;   // in use
  std::string origin;  // "console", "environment" or "default"
  std::string environment_value;  // what returning to the environment gives
  bool environment_set = false;   // the environment sets it (else the default)
  std::string meaning;
  std::string changed_by;  // with origin "console"
  std::optional<std::int64_t> changed_at;
};

enum class live_change_outcome { changed, unchanged, unknown_name, invalid };

struct live_change {
  live_change_outcome outcome = live_change_outcome::unchanged;
  std::string problem;  // invalid: the variable and why, as at start-up
  std::string old_value, new_value;
};

class live_settings {
 public:
  // environment: the process's; store: where overrides live.
  live_settings(config::env_lookup environment, store::setting_overrides& store);

  // At start-up, before serving: the stored overrides read and applied.
  // One that no longer reads (a value a later version refuses) is left
  // out with a warning, so the environment's stands.
  void load();

  const config::runtime_policy_holder& policy() const { return policy_; }

  boost::asio::awaitable<std::vector<live_setting>> list();

  // value nullopt: return to the environment's (or the default). actor:
  // "staff:<email>" or "key:<name>", for the audit log.
  boost::asio::awaitable<live_change> change(std::string name, std::optional<std::string> value, std::string actor,
                                             std::int64_t now_ms);

  // What the setting reads without an override.
  std::string without_override(const std::string& name) const;

 private:
  void apply(const std::vector<store::setting_override>& overrides, std::int64_t sequence);
  std::vector<live_setting> describe(const std::vector<store::setting_override>& overrides) const;

  config::env_lookup environment_;
  store::setting_overrides& store_;
  config::runtime_policy_holder policy_;
  std::mutex apply_mutex_;
  std::int64_t applied_sequence_ = 0;
};

}  // namespace banditore::app

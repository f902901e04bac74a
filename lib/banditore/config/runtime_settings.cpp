#include <banditore/config/runtime_settings.hpp>

#include <banditore/config/approval_settings.hpp>
#include <banditore/config/config_error.hpp>

#include <algorithm>
#include <stdexcept>

namespace banditore::config {

const std::vector<std::string>& runtime_setting_names() {
  static const std::vector<std::string> names = {"BANDITORE_APPROVAL_RULE", "BANDITORE_CAP_DECISION",
                                                 "BANDITORE_QUIET_HOURS"};
  return names;
}

bool is_runtime_setting(std::string_view name) {
  const auto& names = runtime_setting_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

runtime_policy runtime_policy_from(const env_lookup& env) {
  runtime_policy p;
  // The approval rule and the CAP decision: approval_settings' own reader.
  auto approval = approval_from_environment(env);
  p.approval = std::move(approval.rule);
  p.hold_cap = approval.hold_cap;
  // The quiet hours: read as settings reads them (empty is none), checked
  // as the service checks them at start-up.
  if (auto text = env("BANDITORE_QUIET_HOURS"); text && !text->empty()) {
    domain::quiet_hours q;
    try {
      q = domain::parse_quiet_hours(*text);
    } catch (const std::invalid_argument& e) {
      throw config_error("BANDITORE_QUIET_HOURS", e.what());
    }
    p.quiet_hours = std::make_pair(q.start_minute, q.end_minute);
  }
  return p;
}

std::string runtime_value_problem(std::string_view name, std::string_view value) {
  const std::string variable(name);
  if (!is_runtime_setting(name)) return variable + ": not a setting that can change while the service runs";
  if (value.size() > 1000) return variable + ": at most 1000 characters";
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) return variable + ": no control characters (one line)";
  const std::string text(value);
  env_lookup only = [&variable, &text](const std::string& n) -> std::optional<std::string> {
    if (n == variable) return text;
    return std::nullopt;
  };
  try {
    (void)runtime_policy_from(only);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

env_lookup with_overrides(env_lookup env, std::map<std::string, std::string> overrides) {
  return [env = std::move(env), overrides = std::move(overrides)](const std::string& name) -> std::optional<std::string> {
    if (auto it = overrides.find(name); it != overrides.end()) return it->second;
    return env(name);
  };
}

}  // namespace banditore::config

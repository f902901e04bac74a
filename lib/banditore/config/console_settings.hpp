// Settings of the staff console: how long a session lives without use and
// at most, and whether publishers and admins must have a second factor.
// Read from the same environment as the rest (config/settings.hpp).
#pragma once

#include <banditore/config/settings.hpp>

#include <cstdint>
#include <vector>

namespace banditore::config {

struct console_settings {
  std::int64_t session_idle_minutes = 30;
  std::int64_t session_max_hours = 12;
  // required: a publisher or admin without TOTP is sent to enrol at login;
  // optional: TOTP is asked only of those who enrolled.
  bool totp_required = true;

  std::int64_t session_idle_ms() const { return session_idle_minutes * 60 * 1000; }
  std::int64_t session_max_ms() const { return session_max_hours * 3600 * 1000; }
};

// Throws std::invalid_argument naming the variable and the problem.
console_settings console_from_environment(const env_lookup& env);

// The entries for `banditore --help` and docs/configuration.md.
const std::vector<setting_doc>& documented_console_settings();

}  // namespace banditore::config

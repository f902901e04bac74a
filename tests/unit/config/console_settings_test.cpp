#include <banditore/config/console_settings.hpp>

#include <doctest/doctest.h>

#include <map>
#include <stdexcept>
#include <string>

using namespace banditore::config;

namespace {

env_lookup env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("console sessions end after 30 idle minutes and 12 hours, and TOTP is required, by default") {
  const auto s = console_from_environment(env_of({}));
  CHECK(s.session_idle_minutes == 30);
  CHECK(s.session_max_hours == 12);
  CHECK(s.session_idle_ms() == 30 * 60'000);
  CHECK(s.session_max_ms() == 12 * 3'600'000);
  CHECK(s.totp_required);
}

TEST_CASE("the console's settings are read, and out-of-range values are refused by name") {
  const auto s = console_from_environment(env_of({{"BANDITORE_SESSION_IDLE_MINUTES", "15"},
                                                  {"BANDITORE_SESSION_MAX_HOURS", "8"},
                                                  {"BANDITORE_CONSOLE_TOTP", "optional"}}));
  CHECK(s.session_idle_minutes == 15);
  CHECK(s.session_max_hours == 8);
  CHECK_FALSE(s.totp_required);
  CHECK_THROWS_WITH_AS(console_from_environment(env_of({{"BANDITORE_SESSION_IDLE_MINUTES", "2"}})),
                       "BANDITORE_SESSION_IDLE_MINUTES must be a number from 5 to 1440, got '2'",
                       std::invalid_argument);
  CHECK_THROWS_AS(console_from_environment(env_of({{"BANDITORE_SESSION_MAX_HOURS", "1000"}})),
                  std::invalid_argument);
  CHECK_THROWS_AS(console_from_environment(env_of({{"BANDITORE_SESSION_MAX_HOURS", "12h"}})), std::invalid_argument);
  CHECK_THROWS_AS(console_from_environment(env_of({{"BANDITORE_CONSOLE_TOTP", "yes"}})), std::invalid_argument);
  CHECK_THROWS_AS(console_from_environment(
                      env_of({{"BANDITORE_SESSION_IDLE_MINUTES", "120"}, {"BANDITORE_SESSION_MAX_HOURS", "1"}})),
                  std::invalid_argument);
}

TEST_CASE("every console setting is documented for --help") {
  CHECK(documented_console_settings().size() == 3);
  for (const auto& d : documented_console_settings()) CHECK(d.name.starts_with("BANDITORE_"));
}

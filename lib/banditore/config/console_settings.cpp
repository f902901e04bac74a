#include <banditore/config/console_settings.hpp>

#include <charconv>
#include <stdexcept>
#include <string>

namespace banditore::config {

namespace {

std::int64_t number_in(const env_lookup& env, const std::string& name, std::int64_t fallback, std::int64_t low,
                       std::int64_t high) {
  const auto text = env(name);
  if (!text) return fallback;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc{} || p != text->data() + text->size() || n < low || n > high)
    throw std::invalid_argument(name + " must be a number from " + std::to_string(low) + " to " +
                                std::to_string(high) + ", got '" + *text + "'");
  return n;
}

}  // namespace

console_settings console_from_environment(const env_lookup& env) {
  console_settings s;
  // At least 5 minutes (a form takes time to fill), at most a day.
  s.session_idle_minutes = number_in(env, "BANDITORE_SESSION_IDLE_MINUTES", s.session_idle_minutes, 5, 1440);
  // At most a week: a stolen cookie must not work for ever.
  s.session_max_hours = number_in(env, "BANDITORE_SESSION_MAX_HOURS", s.session_max_hours, 1, 168);
  if (s.session_max_hours * 60 < s.session_idle_minutes)
    throw std::invalid_argument("BANDITORE_SESSION_IDLE_MINUTES cannot be longer than BANDITORE_SESSION_MAX_HOURS");
  if (auto totp = env("BANDITORE_CONSOLE_TOTP")) {
    if (*totp == "required")
      s.totp_required = true;
    else if (*totp == "optional")
      s.totp_required = false;
    else
      throw std::invalid_argument("BANDITORE_CONSOLE_TOTP must be required or optional, got '" + *totp + "'");
  }
  return s;
}

const std::vector<setting_doc>& documented_console_settings() {
  static const std::vector<setting_doc> docs = {
      {"BANDITORE_SESSION_IDLE_MINUTES", "30",
       "minutes a console session lives without a request before it ends (5-1440)"},
      {"BANDITORE_SESSION_MAX_HOURS", "12", "hours a console session lives at most from its login (1-168)"},
      {"BANDITORE_CONSOLE_TOTP", "required",
       "required: publishers and admins must use a second factor (TOTP); optional: only those who enrolled"},
  };
  return docs;
}

}  // namespace banditore::config

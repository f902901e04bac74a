// Quiet hours: routine ("minor") alerts created at night wait for the
// morning; anything more severe is never held. Hours are local time in
// Europe/Rome, the municipality's clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace banditore::domain {

struct quiet_hours {
  int start_minute = 22 * 60;  // minutes after local midnight
  int end_minute = 7 * 60;
};

// "22:00-07:00"; throws std::invalid_argument with the reason.
quiet_hours parse_quiet_hours(std::string_view text);

// When now (Unix ms) falls inside the quiet hours, the instant they end.
std::optional<std::int64_t> quiet_until(const quiet_hours& hours, std::int64_t now_ms);

}  // namespace banditore::domain

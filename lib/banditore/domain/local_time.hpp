// Wall-clock time for the people who read what the service writes: the
// municipality's clock, Europe/Rome by default, read from the system's
// time-zone database (Debian's tzdata, through Howard Hinnant's date
// library; g++ 12 has no std::chrono::locate_zone). A change of the rules
// reaches the service with a tzdata update, not a rebuild.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace banditore::domain {

inline constexpr std::string_view default_time_zone = "Europe/Rome";

// Whether the system's database knows the zone ("Europe/Rome", "UTC").
bool is_known_zone(std::string_view zone);

// The zone's offset from UTC at t. Throws std::invalid_argument for a zone
// the database does not know (a configuration error, caught at start-up
// with is_known_zone).
std::chrono::seconds utc_offset(std::string_view zone, std::chrono::sys_seconds t);

std::chrono::local_seconds to_local(std::string_view zone, std::chrono::sys_seconds t);

// The instant a local time names. In the hour that does not exist (the
// spring change) the time after the gap; in the hour that happens twice
// (the autumn change) the earlier one.
std::chrono::sys_seconds to_utc(std::string_view zone, std::chrono::local_seconds local);

// "24/11/2026 15:04" in the zone: day, month, year, 24-hour clock, as
// Italians write it.
std::string format_local(std::string_view zone, std::chrono::sys_seconds t);

// "2026-11-24T15:04:05+01:00": RFC 3339 with the zone's offset, for
// records an operator reads and may pass on (consent dates).
std::string format_rfc3339_local(std::string_view zone, std::chrono::sys_seconds t);

// What <input type="datetime-local"> sends, "2026-11-24T15:04" (seconds
// allowed, ":05"), read as a wall-clock time in the zone: Unix ms, or
// nullopt when it is not such a time. The changes of hour as to_utc.
std::optional<std::int64_t> parse_local_input(std::string_view zone, std::string_view text);
// The same form, to fill such an input: "2026-11-24T15:04".
std::string format_local_input(std::string_view zone, std::int64_t unix_ms);

// The same two for Unix milliseconds, as the store keeps times.
std::string format_local_ms(std::string_view zone, std::int64_t unix_ms);
std::string format_rfc3339_local_ms(std::string_view zone, std::int64_t unix_ms);

}  // namespace banditore::domain

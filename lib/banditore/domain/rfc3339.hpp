// Instants as text, RFC 3339 §5.6 ("2026-11-24T18:00:00+01:00"): how the
// REST API, CAP documents and imported lists give a time, and how records
// show one. One reader for all of them, so every door refuses the same
// times for the same reasons.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace banditore::domain {

// Reads "YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)" as Unix
// milliseconds (a longer fraction is cut, not rounded). "T" and "Z" may be
// lower case (§5.6, NOTE); "-00:00" is UTC (§4.3). Refused: a time without
// an offset (no time zone is ever guessed), an offset beyond ±14:00 (no
// zone has ever been further from UTC), an impossible date or clock value,
// and second 60 except where a leap second can fall, the last second of a
// UTC month (§5.7), which is read as second 59: Unix time has no 61st.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

// The same, to the second, the fraction dropped: what CAP keeps.
std::optional<std::chrono::sys_seconds> parse_rfc3339_seconds(std::string_view text);

// "2026-11-24T17:00:00Z": the second, in UTC.
std::string format_rfc3339_utc(std::int64_t unix_ms);

}  // namespace banditore::domain

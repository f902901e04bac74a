// Wall-clock time for the people reading an alert. libstdc++ 12 has no
// std::chrono::locate_zone / tzdb, so the zones the service needs are
// written out here: "Europe/Rome" and "UTC".
#pragma once

#include <chrono>
#include <string_view>

namespace banditore::cap {

// Europe/Rome follows the EU summer-time rule (Directive 2000/84/EC, in force
// since 1996): CET, UTC+1, except CEST, UTC+2, from the last Sunday of March
// 01:00 UTC to the last Sunday of October 01:00 UTC. Earlier years get the
// same rule, which was not yet the law; alerts do not reach back that far.
bool is_known_zone(std::string_view zone);

// Throws std::invalid_argument for a zone other than the known ones (a
// configuration error, caught at start-up by is_known_zone).
std::chrono::seconds utc_offset(std::string_view zone, std::chrono::sys_seconds t);

std::chrono::local_seconds to_local(std::string_view zone, std::chrono::sys_seconds t);

}  // namespace banditore::cap

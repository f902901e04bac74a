#include <banditore/cap/local_time.hpp>

#include <stdexcept>
#include <string>

namespace banditore::cap {

namespace {

using namespace std::chrono;

sys_seconds last_sunday_0100_utc(year y, month m) {
  return sys_days{year_month_weekday_last{y, m, weekday_last{Sunday}}} + hours{1};
}

}  // namespace

bool is_known_zone(std::string_view zone) { return zone == "Europe/Rome" || zone == "UTC"; }

std::chrono::seconds utc_offset(std::string_view zone, sys_seconds t) {
  if (zone == "UTC") return seconds{0};
  if (zone != "Europe/Rome")
    throw std::invalid_argument("unknown time zone \"" + std::string(zone) +
                                "\" (known: Europe/Rome, UTC)");
  auto y = year_month_day{floor<days>(t)}.year();
  bool summer = t >= last_sunday_0100_utc(y, March) && t < last_sunday_0100_utc(y, October);
  return summer ? hours{2} : hours{1};
}

local_seconds to_local(std::string_view zone, sys_seconds t) {
  return local_seconds{t.time_since_epoch() + utc_offset(zone, t)};
}

}  // namespace banditore::cap

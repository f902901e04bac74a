#include <banditore/domain/local_time.hpp>

#include <date/tz.h>

#include <fmt/format.h>

#include <stdexcept>

namespace banditore::domain {

namespace {

using namespace std::chrono;

// locate_zone throws std::runtime_error for an unknown name; the service
// treats that as a configuration error.
const date::time_zone* zone_named(std::string_view zone) {
  try {
    return date::locate_zone(zone);
  } catch (const std::exception&) {
    throw std::invalid_argument("unknown time zone \"" + std::string(zone) +
                                "\" (not in the system's time-zone database, /usr/share/zoneinfo)");
  }
}

}  // namespace

bool is_known_zone(std::string_view zone) {
  try {
    date::locate_zone(zone);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

seconds utc_offset(std::string_view zone, sys_seconds t) { return zone_named(zone)->get_info(t).offset; }

local_seconds to_local(std::string_view zone, sys_seconds t) {
  return local_seconds{t.time_since_epoch() + utc_offset(zone, t)};
}

sys_seconds to_utc(std::string_view zone, local_seconds local) {
  const auto* z = zone_named(zone);
  const date::local_seconds l{local.time_since_epoch()};
  const auto info = z->get_info(l);
  switch (info.result) {
    case date::local_info::unique: return sys_seconds{l.time_since_epoch() - info.first.offset};
    case date::local_info::ambiguous: return sys_seconds{l.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
      // The clock jumped over this time: the first instant after the jump.
      return info.second.begin;
  }
  return sys_seconds{l.time_since_epoch() - info.first.offset};
}

std::string format_local(std::string_view zone, sys_seconds t) {
  const auto local = to_local(zone, t);
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day};
  return fmt::format("{:02}/{:02}/{} {:02}:{:02}", unsigned(ymd.day()), unsigned(ymd.month()), int(ymd.year()),
                     hms.hours().count(), hms.minutes().count());
}

std::string format_rfc3339_local(std::string_view zone, sys_seconds t) {
  const auto offset = utc_offset(zone, t);
  const auto local = local_seconds{t.time_since_epoch() + offset};
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day};
  const auto off_minutes = duration_cast<minutes>(offset).count();
  const auto abs_minutes = off_minutes < 0 ? -off_minutes : off_minutes;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()), hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     off_minutes < 0 ? '-' : '+', abs_minutes / 60, abs_minutes % 60);
}

namespace {
sys_seconds from_ms(std::int64_t unix_ms) { return floor<seconds>(sys_time<milliseconds>{milliseconds{unix_ms}}); }
}  // namespace

std::string format_local_ms(std::string_view zone, std::int64_t unix_ms) { return format_local(zone, from_ms(unix_ms)); }

std::string format_rfc3339_local_ms(std::string_view zone, std::int64_t unix_ms) {
  return format_rfc3339_local(zone, from_ms(unix_ms));
}

}  // namespace banditore::domain

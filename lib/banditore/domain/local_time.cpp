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

std::optional<std::int64_t> parse_local_input(std::string_view zone, std::string_view text) {
  // yyyy-mm-ddThh:mm, optionally :ss; digits where digits go.
  if (text.size() != 16 && text.size() != 19) return std::nullopt;
  auto digits = [&text](std::size_t at, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':') return std::nullopt;
  if (!digits(0, 4, y) || !digits(5, 2, mo) || !digits(8, 2, d) || !digits(11, 2, h) || !digits(14, 2, mi))
    return std::nullopt;
  if (text.size() == 19 && (text[16] != ':' || !digits(17, 2, se))) return std::nullopt;
  const std::chrono::year_month_day day{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!day.ok() || y < 2000 || y > 2200 || h > 23 || mi > 59 || se > 59) return std::nullopt;
  const std::chrono::local_seconds local =
      std::chrono::local_days{day} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{se};
  const auto utc = to_utc(zone, local);
  return std::chrono::duration_cast<std::chrono::milliseconds>(utc.time_since_epoch()).count();
}

std::string format_local_input(std::string_view zone, std::int64_t unix_ms) {
  const std::chrono::sys_seconds t{std::chrono::duration_cast<std::chrono::seconds>(std::chrono::milliseconds{unix_ms})};
  const auto local = to_local(zone, t);
  const auto days = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{local - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count());
}

}  // namespace banditore::domain

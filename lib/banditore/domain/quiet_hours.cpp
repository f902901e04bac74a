#include <banditore/domain/quiet_hours.hpp>

#include <banditore/domain/local_time.hpp>

#include <chrono>
#include <stdexcept>

namespace banditore::domain {

namespace {
int parse_clock(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') throw std::invalid_argument("quiet hours must read HH:MM-HH:MM, e.g. 22:00-07:00");
  auto digit = [&](std::size_t i) {
    if (t[i] < '0' || t[i] > '9') throw std::invalid_argument("quiet hours must read HH:MM-HH:MM, e.g. 22:00-07:00");
    return t[i] - '0';
  };
  int h = digit(0) * 10 + digit(1), m = digit(3) * 10 + digit(4);
  if (h > 23 || m > 59) throw std::invalid_argument("quiet hours: hours 00-23, minutes 00-59");
  return h * 60 + m;
}
}  // namespace

quiet_hours parse_quiet_hours(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) throw std::invalid_argument("quiet hours must read HH:MM-HH:MM, e.g. 22:00-07:00");
  quiet_hours q{parse_clock(text.substr(0, dash)), parse_clock(text.substr(dash + 1))};
  if (q.start_minute == q.end_minute) throw std::invalid_argument("quiet hours must not start and end at the same time");
  return q;
}

std::optional<std::int64_t> quiet_until(const quiet_hours& hours, std::int64_t now_ms) {
  using namespace std::chrono;
  const sys_seconds now{duration_cast<seconds>(milliseconds(now_ms))};
  const auto local = to_local(default_time_zone, now);
  const auto day_start = floor<days>(local);
  const int minute = static_cast<int>(duration_cast<minutes>(local - day_start).count());
  const bool wraps = hours.start_minute > hours.end_minute;
  const bool inside = wraps ? (minute >= hours.start_minute || minute < hours.end_minute)
                            : (minute >= hours.start_minute && minute < hours.end_minute);
  if (!inside) return std::nullopt;
  local_seconds end_local = day_start + minutes(hours.end_minute);
  if (wraps && minute >= hours.start_minute) end_local += days(1);
  // The offset at the end may differ from now's (a night across a clock
  // change): the time-zone database says which instant the end names.
  return duration_cast<milliseconds>(to_utc(default_time_zone, end_local).time_since_epoch()).count();
}

}  // namespace banditore::domain

#include <banditore/domain/rfc3339.hpp>

#include <ctime>

namespace banditore::domain {

namespace {

using namespace std::chrono;

bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// A leap second is inserted as 23:59:60 UTC on the last day of a month
// (RFC 3339 §5.7); with an offset it shows at that same instant's local
// time. second_59 is the instant with :60 read as :59.
bool leap_second_may_fall(sys_seconds second_59) {
  const auto midnight = floor<days>(second_59);
  const year_month_day next_day{midnight + days{1}};
  return second_59 - midnight == hours{23} + minutes{59} + seconds{59} && next_day.day() == day{1};
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || !read_digits(s, 0, 4, y) || s[4] != '-' || !read_digits(s, 5, 2, mo) || s[7] != '-' ||
      !read_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !read_digits(s, 11, 2, h) || s[13] != ':' ||
      !read_digits(s, 14, 2, mi) || s[16] != ':' || !read_digits(s, 17, 2, se))
    return std::nullopt;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::size_t pos = 19;
  int millis = 0;
  if (s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  const auto zone = s.substr(pos);
  int offset_minutes = 0;
  if (zone != "Z" && zone != "z") {
    int oh = 0, om = 0;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !read_digits(zone, 1, 2, oh) || zone[3] != ':' ||
        !read_digits(zone, 4, 2, om))
      return std::nullopt;  // no offset: never guess a time zone
    if (om > 59 || oh * 60 + om > 14 * 60) return std::nullopt;
    offset_minutes = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  }
  const sys_seconds t = sys_days{date} + hours{h} + minutes{mi} + seconds{se == 60 ? 59 : se} - minutes{offset_minutes};
  if (se == 60 && !leap_second_may_fall(t)) return std::nullopt;
  return t.time_since_epoch().count() * 1000 + millis;
}

std::optional<sys_seconds> parse_rfc3339_seconds(std::string_view text) {
  const auto ms = parse_rfc3339(text);
  if (!ms) return std::nullopt;
  return floor<seconds>(sys_time<milliseconds>{milliseconds{*ms}});
}

std::string format_rfc3339_utc(std::int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace banditore::domain

#include <banditore/domain/rfc3339.hpp>

#include <doctest/doctest.h>

using namespace banditore::domain;
using namespace std::chrono;

// RFC 3339 §5.6's grammar, as the REST API (expires_at), CAP documents
// (sent, effective, onset, expires) and imported lists read it. The CAP
// examples are the OASIS specification's and MeteoAlarm's.

namespace {

std::int64_t ms(sys_time<milliseconds> t) { return t.time_since_epoch().count(); }

}  // namespace

TEST_CASE("a time with an offset is converted to UTC") {
  CHECK(parse_rfc3339_seconds("2003-06-17T14:57:00-07:00") == sys_days{2003y / June / 17} + 21h + 57min);
  CHECK(parse_rfc3339_seconds("2024-05-15T06:40:00+02:00") == sys_days{2024y / May / 15} + 4h + 40min);
  CHECK(parse_rfc3339("2026-11-24T18:00:00+01:00") == ms(sys_days{2026y / November / 24} + 17h));
}

TEST_CASE("a -00:00 offset means UTC") {
  CHECK(parse_rfc3339_seconds("2024-05-15T06:40:00-00:00") == sys_days{2024y / May / 15} + 6h + 40min);
}

TEST_CASE("Z and fractional seconds, sent by real CAP feeds, are accepted; to the second the fraction is dropped") {
  CHECK(parse_rfc3339_seconds("2024-05-15T06:40:00Z") == sys_days{2024y / May / 15} + 6h + 40min);
  CHECK(parse_rfc3339_seconds("2024-05-15T06:40:00.987+00:00") == sys_days{2024y / May / 15} + 6h + 40min);
  CHECK(parse_rfc3339_seconds("2024-05-15T06:40:00.5Z") == sys_days{2024y / May / 15} + 6h + 40min);
}

TEST_CASE("fractional seconds are kept to the millisecond, a longer fraction cut") {
  const auto t = sys_days{2024y / May / 15} + 6h + 40min;
  CHECK(parse_rfc3339("2024-05-15T06:40:00.5Z") == ms(t + 500ms));
  CHECK(parse_rfc3339("2024-05-15T06:40:00.987+00:00") == ms(t + 987ms));
  CHECK(parse_rfc3339("2024-05-15T06:40:00.123456789Z") == ms(t + 123ms));
  CHECK(parse_rfc3339("2024-05-15T06:40:00.9999Z") == ms(t + 999ms));
}

TEST_CASE("before 1970 a fraction still counts forward, and to the second it is dropped") {
  const auto t = sys_days{1969y / December / 31} + 23h + 59min + 59s;
  CHECK(parse_rfc3339("1969-12-31T23:59:59.250Z") == ms(t + 250ms));
  CHECK(parse_rfc3339_seconds("1969-12-31T23:59:59.250Z") == t);
}

TEST_CASE("T and Z may be lower case, as RFC 3339 allows") {
  const auto t = ms(sys_days{2024y / May / 15} + 6h + 40min);
  CHECK(parse_rfc3339("2024-05-15t06:40:00z") == t);
  CHECK(parse_rfc3339("2024-05-15t08:40:00+02:00") == t);
  CHECK(parse_rfc3339_seconds("2024-05-15T06:40:00z") == sys_days{2024y / May / 15} + 6h + 40min);
}

TEST_CASE("a time without an offset is refused: no time zone is ever guessed") {
  CHECK_FALSE(parse_rfc3339("2024-05-15T06:40:00"));
  CHECK_FALSE(parse_rfc3339("2024-05-15T06:40:00.123"));
  CHECK_FALSE(parse_rfc3339_seconds("2024-05-15T06:40:00"));
}

TEST_CASE("impossible calendar and clock values are refused") {
  CHECK_FALSE(parse_rfc3339("2024-13-01T00:00:00+00:00"));
  CHECK_FALSE(parse_rfc3339("2024-00-01T00:00:00+00:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-00T00:00:00+00:00"));
  CHECK_FALSE(parse_rfc3339("2023-02-29T00:00:00+00:00"));
  CHECK_FALSE(parse_rfc3339("2100-02-29T00:00:00+00:00"));
  CHECK_FALSE(parse_rfc3339("2024-04-31T00:00:00+00:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T24:00:00+00:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:60:00+00:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:60+00:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:61+00:00"));
  CHECK(parse_rfc3339("2024-02-29T00:00:00+00:00"));
  CHECK(parse_rfc3339("2000-02-29T00:00:00+00:00"));
  CHECK(parse_rfc3339("2024-12-31T23:59:59+00:00"));
}

TEST_CASE("second 60 is a leap second at the end of a UTC month, read as second 59") {
  // RFC 3339 §5.7: the last leap second so far, 2016-12-31T23:59:60Z.
  const auto last = sys_days{2016y / December / 31} + 23h + 59min + 59s;
  CHECK(parse_rfc3339("2016-12-31T23:59:60Z") == ms(last));
  CHECK(parse_rfc3339("2016-12-31T23:59:60.5Z") == ms(last + 500ms));
  CHECK(parse_rfc3339_seconds("2016-12-31T23:59:60Z") == last);
  // The same instant in Rome, an hour ahead (§5.7: the leap second is
  // shifted by the offset).
  CHECK(parse_rfc3339("2017-01-01T00:59:60+01:00") == ms(last));
  CHECK(parse_rfc3339("2015-06-30T23:59:60Z") == ms(sys_days{2015y / June / 30} + 23h + 59min + 59s));
  // Anywhere else second 60 does not exist.
  CHECK_FALSE(parse_rfc3339("2016-12-31T23:58:60Z"));
  CHECK_FALSE(parse_rfc3339("2016-12-30T23:59:60Z"));
  CHECK_FALSE(parse_rfc3339("2016-12-31T23:59:60+01:00"));
}

TEST_CASE("an offset beyond fourteen hours is refused") {
  CHECK(parse_rfc3339("2024-01-01T12:00:00+14:00"));
  CHECK(parse_rfc3339("2024-01-01T12:00:00-12:00"));
  CHECK(parse_rfc3339("2024-01-01T12:00:00+05:45"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00+14:30"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00+14:01"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00-15:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00+01:60"));
}

TEST_CASE("a time not in the grammar is refused") {
  CHECK_FALSE(parse_rfc3339(""));
  CHECK_FALSE(parse_rfc3339("2024-01-01 12:00:00+01:00"));
  CHECK_FALSE(parse_rfc3339("2024-1-01T12:00:00+01:00"));
  CHECK_FALSE(parse_rfc3339("24-01-01T12:00:00+01:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00+01:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00+0100"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00+01"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00.+01:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00,5+01:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00+01:00 "));
  CHECK_FALSE(parse_rfc3339(" 2024-01-01T12:00:00+01:00"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00ZZ"));
  CHECK_FALSE(parse_rfc3339("2024-01-01T12:00:00UTC"));
  CHECK_FALSE(parse_rfc3339("+2024-01-01T12:00:00Z"));
}

TEST_CASE("years from 0000 to 9999 are read") {
  CHECK(parse_rfc3339("0000-01-01T00:00:00Z") == ms(sys_days{0y / January / 1}));
  CHECK(parse_rfc3339("9999-12-31T23:59:59Z") == ms(sys_days{9999y / December / 31} + 23h + 59min + 59s));
}

TEST_CASE("a UTC time is written back to the second and reads back the same") {
  const auto t = ms(sys_days{2026y / November / 24} + 17h + 4min + 5s);
  CHECK(format_rfc3339_utc(t) == "2026-11-24T17:04:05Z");
  CHECK(format_rfc3339_utc(t + 999) == "2026-11-24T17:04:05Z");
  CHECK(parse_rfc3339(format_rfc3339_utc(t)) == t);
}

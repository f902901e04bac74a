#include <banditore/domain/quiet_hours.hpp>

#include <banditore/domain/rfc3339.hpp>

#include <doctest/doctest.h>

using namespace banditore::domain;

TEST_CASE("a night-time minor alert waits for the end of quiet hours in Rome's local time") {
  auto q = parse_quiet_hours("22:00-07:00");
  // 2026-11-24 23:30 in Rome (CET, UTC+1) is 22:30 UTC.
  auto night = *parse_rfc3339("2026-11-24T22:30:00Z");
  auto end = quiet_until(q, night);
  REQUIRE(end.has_value());
  CHECK(*end == *parse_rfc3339("2026-11-25T07:00:00+01:00"));
  // 02:00 local, after midnight.
  auto early = *parse_rfc3339("2026-11-25T02:00:00+01:00");
  CHECK(quiet_until(q, early) == *parse_rfc3339("2026-11-25T07:00:00+01:00"));
}

TEST_CASE("daytime is outside quiet hours, and summer time is Rome's too") {
  auto q = parse_quiet_hours("22:00-07:00");
  CHECK_FALSE(quiet_until(q, *parse_rfc3339("2026-11-24T12:00:00+01:00")).has_value());
  // 21:30 UTC in July is 23:30 in Rome (CEST, UTC+2): quiet.
  auto july = *parse_rfc3339("2026-07-10T21:30:00Z");
  CHECK(quiet_until(q, july) == *parse_rfc3339("2026-07-11T07:00:00+02:00"));
}

TEST_CASE("malformed quiet hours are refused") {
  CHECK_THROWS_AS(parse_quiet_hours("22-07"), std::invalid_argument);
  CHECK_THROWS_AS(parse_quiet_hours("25:00-07:00"), std::invalid_argument);
  CHECK_THROWS_AS(parse_quiet_hours("07:00-07:00"), std::invalid_argument);
}

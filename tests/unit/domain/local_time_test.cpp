#include <banditore/domain/local_time.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

using namespace banditore::domain;
using namespace std::chrono;

TEST_CASE("Rome is one hour ahead of UTC in winter and two in summer") {
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / January / 15} + 12h) == 1h);
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / July / 15} + 12h) == 2h);
}

TEST_CASE("summer time starts on the last Sunday of March at 01:00 UTC") {
  // 2024-03-31, 2025-03-30 and 2026-03-29 are the last Sundays of March.
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / March / 31} + 59min + 59s) == 1h);
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / March / 31} + 1h) == 2h);
  CHECK(utc_offset("Europe/Rome", sys_days{2025y / March / 30} + 1h) == 2h);
  CHECK(utc_offset("Europe/Rome", sys_days{2026y / March / 29} + 59min) == 1h);
  CHECK(utc_offset("Europe/Rome", sys_days{2026y / March / 29} + 1h) == 2h);
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / March / 24} + 12h) == 1h);
}

TEST_CASE("summer time ends on the last Sunday of October at 01:00 UTC") {
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / October / 27} + 59min + 59s) == 2h);
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / October / 27} + 1h) == 1h);
  CHECK(utc_offset("Europe/Rome", sys_days{2026y / October / 25} + 59min) == 2h);
  CHECK(utc_offset("Europe/Rome", sys_days{2026y / October / 25} + 1h) == 1h);
}

TEST_CASE("the offsets come from the time-zone database, not from today's rule") {
  // Until 1995 the EU's summer time ended on the last Sunday of September
  // (tzdata's "EU" rule): on 1 October 1995 Rome was on winter time, which
  // a hand-written "last Sunday of October" rule gets wrong.
  CHECK(utc_offset("Europe/Rome", sys_days{1995y / October / 1} + 12h) == 1h);
  CHECK(utc_offset("Europe/Rome", sys_days{1995y / September / 23} + 12h) == 2h);
  // Any zone of the database works, and UTC has no offset.
  CHECK(utc_offset("Europe/Lisbon", sys_days{2026y / January / 15}) == 0h);
  CHECK(utc_offset("UTC", sys_days{2026y / July / 15}) == 0h);
}

TEST_CASE("local time adds the offset in force at that instant") {
  auto t = sys_days{2024y / July / 14} + 22h;
  CHECK(to_local("Europe/Rome", t) == local_days{2024y / July / 15});
  CHECK(to_local("UTC", t) == local_days{2024y / July / 14} + 22h);
}

TEST_CASE("a local time maps back to its instant, across both clock changes") {
  // An ordinary summer afternoon.
  CHECK(to_utc("Europe/Rome", local_days{2026y / July / 1} + 15h) == sys_days{2026y / July / 1} + 13h);
  // 02:30 on 29 March 2026 never happens in Rome (02:00 became 03:00):
  // the first instant after the gap, 03:00 CEST = 01:00 UTC.
  CHECK(to_utc("Europe/Rome", local_days{2026y / March / 29} + 2h + 30min) == sys_days{2026y / March / 29} + 1h);
  // 02:30 on 25 October 2026 happens twice: the first, still CEST.
  CHECK(to_utc("Europe/Rome", local_days{2026y / October / 25} + 2h + 30min) ==
        sys_days{2026y / October / 25} + 30min);
}

TEST_CASE("a time for people reads day/month/year hour:minute in Rome") {
  CHECK(format_local("Europe/Rome", sys_days{2026y / November / 24} + 14h + 4min) == "24/11/2026 15:04");
  CHECK(format_local("Europe/Rome", sys_days{2026y / July / 14} + 22h + 30min) == "15/07/2026 00:30");
  // Across the autumn change the same local hour is printed twice.
  CHECK(format_local("Europe/Rome", sys_days{2026y / October / 25} + 30min) == "25/10/2026 02:30");
  CHECK(format_local("Europe/Rome", sys_days{2026y / October / 25} + 1h + 30min) == "25/10/2026 02:30");
}

TEST_CASE("a record's time reads as RFC 3339 with Rome's offset of that day") {
  CHECK(format_rfc3339_local("Europe/Rome", sys_days{2023y / May / 13} + 22h) == "2023-05-14T00:00:00+02:00");
  CHECK(format_rfc3339_local("Europe/Rome", sys_days{2026y / January / 5} + 8h + 1min + 2s) ==
        "2026-01-05T09:01:02+01:00");
  CHECK(format_rfc3339_local("UTC", sys_days{2026y / January / 5}) == "2026-01-05T00:00:00+00:00");
  CHECK(format_local_ms("Europe/Rome", 1'764'590'400'000) == "01/12/2025 13:00");  // 12:00 UTC
}

TEST_CASE("a zone the database does not know is refused") {
  CHECK(is_known_zone("Europe/Rome"));
  CHECK(is_known_zone("Europe/Berlin"));
  CHECK_FALSE(is_known_zone("Europe/Atlantis"));
  CHECK_FALSE(is_known_zone(""));
  CHECK_THROWS_AS(utc_offset("Europe/Atlantis", sys_days{2024y / July / 14}), std::invalid_argument);
}

TEST_CASE("a time typed in the console is read as Rome's wall clock and stored in UTC") {
  auto ms = [](sys_seconds t) { return duration_cast<milliseconds>(t.time_since_epoch()).count(); };
  // Winter: 15:30 in Rome is 14:30 UTC; summer: 12:30 UTC.
  CHECK(parse_local_input("Europe/Rome", "2026-12-03T15:30") == ms(sys_days{2026y / December / 3} + 14h + 30min));
  CHECK(parse_local_input("Europe/Rome", "2026-07-03T15:30:10") ==
        ms(sys_days{2026y / July / 3} + 13h + 30min + 10s));
  // 02:30 on 29 March 2026 does not exist in Rome: the time after the gap (03:00 CEST = 01:00 UTC).
  CHECK(parse_local_input("Europe/Rome", "2026-03-29T02:30") == ms(sys_days{2026y / March / 29} + 1h));
  // 02:30 on 25 October 2026 happens twice: the earlier (CEST, 00:30 UTC).
  CHECK(parse_local_input("Europe/Rome", "2026-10-25T02:30") == ms(sys_days{2026y / October / 25} + 30min));
  CHECK(format_local_input("Europe/Rome", ms(sys_days{2026y / December / 3} + 14h + 30min)) == "2026-12-03T15:30");
  for (const char* bad : {"", "2026-12-03", "2026-12-03 15:30", "2026-02-30T10:00", "2026-12-03T24:00",
                          "2026-12-03T15:60", "2026-12-03T15:3x", "1999-12-03T15:30", "2026-12-03T15:30:00Z",
                          "+026-12-03T15:30"})
    CHECK_MESSAGE(!parse_local_input("Europe/Rome", bad), bad);
}

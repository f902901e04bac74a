#include <banditore/cap/local_time.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

using namespace banditore::cap;
using namespace std::chrono;

TEST_CASE("Rome is one hour ahead of UTC in winter and two in summer") {
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / January / 15} + 12h) == 1h);
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / July / 15} + 12h) == 2h);
}

TEST_CASE("summer time starts on the last Sunday of March at 01:00 UTC") {
  // 2024-03-31 and 2025-03-30 are the last Sundays of March.
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / March / 31} + 59min + 59s) == 1h);
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / March / 31} + 1h) == 2h);
  CHECK(utc_offset("Europe/Rome", sys_days{2025y / March / 30} + 1h) == 2h);
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / March / 24} + 12h) == 1h);
}

TEST_CASE("summer time ends on the last Sunday of October at 01:00 UTC") {
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / October / 27} + 59min + 59s) == 2h);
  CHECK(utc_offset("Europe/Rome", sys_days{2024y / October / 27} + 1h) == 1h);
}

TEST_CASE("local time adds the offset in force at that instant") {
  auto t = sys_days{2024y / July / 14} + 22h;
  CHECK(to_local("Europe/Rome", t) == local_days{2024y / July / 15});
  CHECK(to_local("UTC", t) == local_days{2024y / July / 14} + 22h);
}

TEST_CASE("a zone other than Europe/Rome and UTC is refused") {
  CHECK(is_known_zone("Europe/Rome"));
  CHECK_FALSE(is_known_zone("Europe/Berlin"));
  CHECK_THROWS_AS(utc_offset("Europe/Berlin", sys_days{2024y / July / 14}), std::invalid_argument);
}

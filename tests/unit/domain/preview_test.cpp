#include <banditore/domain/preview.hpp>

#include <doctest/doctest.h>

using namespace banditore::domain;

namespace {
constexpr std::int64_t now = 1'790'000'000'000;
constexpr std::int64_t hour = 3600LL * 1000;
}  // namespace

TEST_CASE("one number: templates outside the window, free text inside, time at its pace, cost of the templates") {
  const auto p = estimate_preview({{"100", "", 9000, 2500, 80}}, {}, {0.0300, "EUR"}, now);
  CHECK(p.recipients == 9000);
  CHECK(p.templates == 2500);
  CHECK(p.free_form == 6500);
  REQUIRE(p.seconds);
  CHECK(*p.seconds == doctest::Approx(112.5));
  REQUIRE(p.cost);
  CHECK(*p.cost == doctest::Approx(75.0));
  CHECK(p.currency == "EUR");
  CHECK(p.waiting_for_limit == 0);
  CHECK_FALSE(p.first_frees_at_ms);
}

TEST_CASE("numbers send in parallel: the time is the slowest one's; unpaced makes it unknown") {
  auto p = estimate_preview({{"lugo", "", 4000, 0, 80}, {"bagnacavallo", "", 1000, 0, 20}}, {}, {}, now);
  REQUIRE(p.seconds);
  CHECK(*p.seconds == doctest::Approx(50.0));
  REQUIRE(p.numbers.size() == 2);
  CHECK(*p.numbers[1].seconds == doctest::Approx(50.0));
  CHECK_FALSE(p.cost);  // no price configured: no figure rather than a wrong one

  p = estimate_preview({{"lugo", "", 4000, 0, 80}, {"bagnacavallo", "", 1000, 0, 0}}, {}, {}, now);
  CHECK_FALSE(p.seconds);
  CHECK_FALSE(p.numbers[1].seconds);
  // An unpaced number with nobody to reach does not make the time unknown.
  p = estimate_preview({{"lugo", "", 4000, 0, 80}, {"bagnacavallo", "", 0, 0, 0}}, {}, {}, now);
  CHECK(p.seconds);
}

TEST_CASE("those beyond the messaging limit wait until the oldest leave the moving day") {
  // Tier of 1,000 with 800 used: 200 go now, 300 wait; the first frees when
  // the oldest of the 800 is 24 h old, all are out within the day.
  const auto p = estimate_preview({{"100", "", 600, 500, 80}}, {{"100", 1000, 800, now + 3 * hour}}, {}, now);
  CHECK(p.waiting_for_limit == 300);
  CHECK(p.first_frees_at_ms == now + 3 * hour);
  CHECK(p.all_sent_by_ms == now + 24 * hour);
}

TEST_CASE("with nobody reached before, the first place frees when today's sends are a day old") {
  const auto p = estimate_preview({{"100", "", 2500, 2500, 0}}, {{"100", 1000, 0, std::nullopt}}, {}, now);
  CHECK(p.waiting_for_limit == 1500);
  CHECK(p.first_frees_at_ms == now + 24 * hour);
  CHECK(p.all_sent_by_ms == now + 48 * hour);  // two more days of 1,000
}

TEST_CASE("numbers of one portfolio share one limit; an unlimited tier holds nobody back") {
  const std::vector<number_load> union_numbers{{"lugo", "bassa-romagna", 700, 700, 80},
                                               {"bagnacavallo", "bassa-romagna", 700, 700, 80}};
  auto p = estimate_preview(union_numbers, {{"bassa-romagna", 1000, 0, std::nullopt}}, {}, now);
  CHECK(p.waiting_for_limit == 400);
  p = estimate_preview(union_numbers, {{"bassa-romagna", 0, 5000, std::nullopt}}, {}, now);
  CHECK(p.waiting_for_limit == 0);
  // Separate portfolios: each within its own limit.
  p = estimate_preview({{"lugo", "", 700, 700, 80}, {"bagnacavallo", "", 700, 700, 80}},
                       {{"lugo", 1000, 0, std::nullopt}, {"bagnacavallo", 1000, 0, std::nullopt}}, {}, now);
  CHECK(p.waiting_for_limit == 0);
}

TEST_CASE("each portfolio's limit holds back only its own numbers' recipients, by its own use") {
  // 400 people outside their window, 200 on each of two numbers, tier 250.
  const std::vector<number_load> apart{{"lugo", "900", 200, 200, 80}, {"bagnacavallo", "901", 200, 200, 80}};
  auto p = estimate_preview(apart, {{"900", 250, 0, std::nullopt}, {"901", 250, 0, std::nullopt}}, {}, now);
  CHECK(p.waiting_for_limit == 0);
  REQUIRE(p.portfolios.size() == 2);
  CHECK(p.portfolios[0].outside_window == 200);
  CHECK(p.portfolios[0].waiting == 0);
  CHECK_FALSE(p.portfolios[0].first_frees_at_ms);
  const std::vector<number_load> together{{"lugo", "900", 200, 200, 80}, {"bagnacavallo", "900", 200, 200, 80}};
  p = estimate_preview(together, {{"900", 250, 0, std::nullopt}}, {}, now);
  CHECK(p.waiting_for_limit == 150);
  REQUIRE(p.portfolios.size() == 1);
  CHECK(p.portfolios[0].outside_window == 400);
  CHECK(p.portfolios[0].waiting == 150);
  // A portfolio that already reached 200 today has room for 50; the
  // other portfolio's use is not its own.
  p = estimate_preview(apart, {{"900", 250, 200, now + hour}, {"901", 250, 0, std::nullopt}}, {}, now);
  CHECK(p.waiting_for_limit == 150);
  REQUIRE(p.portfolios.size() == 2);
  CHECK(p.portfolios[0].waiting == 150);
  CHECK(p.portfolios[0].first_frees_at_ms == now + hour);
  CHECK(p.portfolios[1].waiting == 0);
}

TEST_CASE("an empty audience costs nothing and takes no time") {
  const auto p = estimate_preview({}, {}, {0.03, "EUR"}, now);
  CHECK(p.recipients == 0);
  REQUIRE(p.seconds);
  CHECK(*p.seconds == 0);
  CHECK(*p.cost == 0);
}

TEST_CASE("a template billed inside the window too costs for every recipient") {
  template_price price{0.07, "EUR", true};
  const auto p = estimate_preview({{"100", "", 1000, 400, 80}}, {}, price, now);
  REQUIRE(p.cost);
  CHECK(*p.cost == doctest::Approx(70.0));
}

#include <banditore/domain/revocation.hpp>

#include <doctest/doctest.h>

using namespace banditore::domain;

TEST_CASE("a cancel of alerts that reached nobody owes no revocation") {
  auto r = revocation_for({{"severe", false}, {"minor", false}});
  CHECK_FALSE(r.owed);
}

TEST_CASE("a revocation is owed once any original may have reached a phone, at the most severe original's level") {
  auto r = revocation_for({{"minor", false}, {"extreme", false}, {"moderate", true}});
  CHECK(r.owed);
  REQUIRE(r.level.has_value());
  CHECK(*r.level == severity::extreme);
}

TEST_CASE("an unknown severity is passed over; with none known the draft keeps its own") {
  auto r = revocation_for({{"unheard-of", true}});
  CHECK(r.owed);
  CHECK_FALSE(r.level.has_value());
  CHECK_FALSE(revocation_for({}).owed);
}

#include <banditore/domain/approval_rule.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::domain;

namespace {

approval_rule rule_of(std::string_view text) {
  auto parsed = parse_approval_rule(text);
  INFO("rule: ", std::string(text), " error: ", parsed.error);
  REQUIRE(parsed.rule.has_value());
  CHECK(parsed.error.empty());
  return *parsed.rule;
}

std::string error_of(std::string_view text) {
  auto parsed = parse_approval_rule(text);
  INFO("rule: ", std::string(text));
  CHECK_FALSE(parsed.rule.has_value());
  return parsed.error;
}

}  // namespace

TEST_CASE("approval rule: all asks a second person for every alert, none for no alert") {
  const auto all = rule_of("all");
  const auto none = rule_of("  none\t");
  for (auto category : categories)
    for (auto level : {severity::minor, severity::moderate, severity::severe, severity::extreme}) {
      CHECK(all.needs_approval(category, level));
      CHECK_FALSE(none.needs_approval(category, level));
    }
  CHECK(all.text() == "all");
  CHECK(none.text() == "none");
  // A default-constructed rule is "all": the safe side for code that forgets to set one.
  CHECK(approval_rule{}.needs_approval("water", severity::minor));
}

TEST_CASE("approval rule: severity tests compare in the order minor < moderate < severe < extreme") {
  const auto at_least = rule_of("severity>=severe");
  CHECK_FALSE(at_least.needs_approval("water", severity::minor));
  CHECK_FALSE(at_least.needs_approval("water", severity::moderate));
  CHECK(at_least.needs_approval("water", severity::severe));
  CHECK(at_least.needs_approval("water", severity::extreme));

  const auto at_most = rule_of("severity<=moderate");
  CHECK(at_most.needs_approval("roads", severity::minor));
  CHECK(at_most.needs_approval("roads", severity::moderate));
  CHECK_FALSE(at_most.needs_approval("roads", severity::severe));

  const auto equal = rule_of("severity=extreme");
  CHECK(equal.needs_approval("roads", severity::extreme));
  CHECK_FALSE(equal.needs_approval("roads", severity::severe));
}

TEST_CASE("approval rule: tests of one condition must all hold, any condition of several may") {
  const auto rule = rule_of("severity>=moderate category=weather,water; severity=extreme");
  CHECK(rule.needs_approval("weather", severity::moderate));
  CHECK(rule.needs_approval("water", severity::severe));
  CHECK_FALSE(rule.needs_approval("weather", severity::minor));
  CHECK_FALSE(rule.needs_approval("roads", severity::severe));
  CHECK(rule.needs_approval("roads", severity::extreme));
  CHECK(rule.text() == "severity>=moderate category=weather,water; severity=extreme");
}

TEST_CASE("approval rule: a rule's own text reads back to the same rule") {
  for (std::string_view text : {"all", "none", "category=water,roads,water", "severity<=minor ; severity>=extreme",
                                "category=health severity=moderate"}) {
    const auto rule = rule_of(text);
    const auto again = rule_of(rule.text());
    CHECK(again.text() == rule.text());
    for (auto category : categories)
      for (auto level : {severity::minor, severity::moderate, severity::severe, severity::extreme})
        CHECK(again.needs_approval(category, level) == rule.needs_approval(category, level));
  }
  CHECK(rule_of("category=water,roads,water").text() == "category=water,roads");
}

TEST_CASE("approval rule: each refusal names what is wrong") {
  CHECK(error_of("").find("the rule is empty") != std::string::npos);
  CHECK(error_of("   ").find("the rule is empty") != std::string::npos);
  CHECK(error_of(std::string(1001, 'a')).find("longer than 1000") != std::string::npos);
  CHECK(error_of("severity>=severe\ncategory=water").find("control character") != std::string::npos);
  CHECK(error_of("severe").find("'severe' is not a test") != std::string::npos);
  CHECK(error_of("=water").find("is not a test") != std::string::npos);
  CHECK(error_of("severity>=huge").find("the severity must be minor, moderate, severe or extreme") !=
        std::string::npos);
  CHECK(error_of("category>=water").find("a category is compared with = only") != std::string::npos);
  CHECK(error_of("category=lava").find("'lava' is not a category") != std::string::npos);
  CHECK(error_of("category=water,").find("an empty category") != std::string::npos);
  CHECK(error_of("town=lugo").find("only severity and category can be tested") != std::string::npos);
  CHECK(error_of("all; severity=minor").find("'all' stands alone") != std::string::npos);
  CHECK(error_of("severity=minor none").find("'none' stands alone") != std::string::npos);
  CHECK(error_of("severity<=minor;;").find("condition 2 is empty") != std::string::npos);
  CHECK(error_of("; severity=minor").find("condition 1 is empty") != std::string::npos);
  CHECK(error_of("severity=minor;").find("condition 2 is empty") != std::string::npos);
  // Words are lower case, as the documentation writes them.
  CHECK(error_of("ALL").find("is not a test") != std::string::npos);
  // The condition at fault is numbered.
  CHECK(error_of("severity=minor; category=lava").rfind("condition 2: ", 0) == 0);
}

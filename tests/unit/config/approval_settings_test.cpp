#include <banditore/config/approval_settings.hpp>

#include <banditore/config/config_error.hpp>

#include <doctest/doctest.h>

#include <map>

using namespace banditore;
using namespace banditore::config;

namespace {
env_lookup from(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST_CASE("approval settings: unset, no alert needs a second person and CAP alerts are sent at once") {
  const auto s = approval_from_environment(from({}));
  CHECK(s.rule.text() == "none");
  CHECK_FALSE(s.rule.needs_approval("civil_protection", domain::severity::extreme));
  CHECK_FALSE(s.hold_cap);
}

TEST_CASE("approval settings: a rule and a CAP decision are read, and a wrong one stops the start naming the variable") {
  const auto s = approval_from_environment(
      from({{"BANDITORE_APPROVAL_RULE", "severity>=severe"}, {"BANDITORE_CAP_DECISION", "hold"}}));
  CHECK(s.rule.needs_approval("water", domain::severity::severe));
  CHECK_FALSE(s.rule.needs_approval("water", domain::severity::minor));
  CHECK(s.hold_cap);
  CHECK_FALSE(approval_from_environment(from({{"BANDITORE_CAP_DECISION", "auto"}})).hold_cap);
  CHECK_THROWS_WITH_AS(approval_from_environment(from({{"BANDITORE_APPROVAL_RULE", "category=lava"}})),
                       doctest::Contains("BANDITORE_APPROVAL_RULE"), config_error);
  CHECK_THROWS_WITH_AS(approval_from_environment(from({{"BANDITORE_APPROVAL_RULE", "category=lava"}})),
                       doctest::Contains("'lava' is not a category"), config_error);
  CHECK_THROWS_WITH_AS(approval_from_environment(from({{"BANDITORE_CAP_DECISION", "later"}})),
                       doctest::Contains("BANDITORE_CAP_DECISION"), config_error);
}

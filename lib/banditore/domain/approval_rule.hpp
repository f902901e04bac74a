// Which alerts need a second person's approval before they go out. A
// deployment states it in one short line (BANDITORE_APPROVAL_RULE); unset
// it is none, so the press office's one call stays one broadcast until a
// town chooses otherwise. Syntax (docs/approval.md):
//
//   all                      every alert
//   none                     no alert (the service's default)
//   severity>=severe         a condition: severity at least "severe"
//   category=water,roads     a condition: one of these categories
//   severity>=moderate category=weather
//                            a condition of two tests: both must hold
//   severity=extreme; category=civil_protection
//                            alternatives: any condition that holds
//
// Severities are ordered minor < moderate < severe < extreme; tests are
// severity=L, severity>=L, severity<=L and category=C[,C...].
#pragma once

#include <banditore/domain/alert.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

struct approval_test {
  enum class kind { severity_equal, severity_at_least, severity_at_most, category_in } what = kind::category_in;
  severity level = severity::minor;
  std::vector<std::string> categories;
};

struct approval_rule {
  // Every condition is a list of tests that must all hold; the rule holds
  // when any condition does. {{}} (one empty condition) is "all", and is
  // what a default-constructed rule holds; {} is "none".
  std::vector<std::vector<approval_test>> conditions{{}};

  // Whether an alert of this category and severity needs a second person.
  bool needs_approval(std::string_view category, severity level) const;
  // The rule written back in its own syntax (for logs and pages).
  std::string text() const;
};

struct approval_rule_parse {
  std::optional<approval_rule> rule;
  std::string error;  // set when rule is not: what is wrong, and where
};

// Reads the syntax above; at most 1,000 characters. White space around
// tests and separators is free; words are in lower case.
approval_rule_parse parse_approval_rule(std::string_view text);

}  // namespace banditore::domain

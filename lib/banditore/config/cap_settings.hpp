// Configuration of CAP ingestion: which alerts become broadcasts (status,
// thresholds, territory, languages) and which feeds to poll. Read from the
// BANDITORE_CAP_* variables and validated at start-up, so a typo stops the
// service instead of silently letting no alert (or every alert) through.
#pragma once

#include <banditore/cap/audience_map.hpp>
#include <banditore/cap/policy.hpp>
#include <banditore/config/settings.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace banditore::config {

struct cap_settings {
  cap::cap_policy policy;
  std::vector<std::string> feeds;  // Atom / RSS URLs; empty: no polling
  std::chrono::seconds poll_interval{300};
  cap::cap_topic_map topics;  // which topic a CAP alert is about

  // Throws std::invalid_argument naming the variable and the problem.
  // Enumerated values are matched in any letter case and kept as CAP spells
  // them ("moderate" -> "Moderate").
  static cap_settings from_environment(const env_lookup& env);
};

// The BANDITORE_CAP_* variables, for --help and the operator docs.
const std::vector<setting_doc>& cap_setting_docs();

}  // namespace banditore::config

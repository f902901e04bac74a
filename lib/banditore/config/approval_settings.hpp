// Who must approve what before it goes out: the approval rule
// (domain/approval_rule.hpp) and what happens to a CAP alert, sent at once
// as before or held as a draft for a publisher's decision. Read at
// start-up; a wrong value stops the service with the reason.
#pragma once

#include <banditore/config/settings.hpp>
#include <banditore/domain/approval_rule.hpp>

#include <vector>

namespace banditore::config {

struct approval_settings {
  // Unset: no alert needs a second person, so POST /v1/alerts stays one
  // call = one broadcast for deployments that have not chosen a rule.
  domain::approval_rule rule{.conditions = {}};
  // true (BANDITORE_CAP_DECISION=hold): a CAP alert that would be sent
  // becomes a pending draft (source "cap") that a publisher approves or
  // rejects; false (auto): sent at once by the CAP policy.
  bool hold_cap = false;
};

// Throws config_error naming the variable and what is wrong.
approval_settings approval_from_environment(const env_lookup& env);

// The entries for `banditore --help` and docs/configuration.md.
const std::vector<setting_doc>& documented_approval_settings();

}  // namespace banditore::config

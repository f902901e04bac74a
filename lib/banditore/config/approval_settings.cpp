#include <banditore/config/approval_settings.hpp>

#include <banditore/config/config_error.hpp>

namespace banditore::config {

approval_settings approval_from_environment(const env_lookup& env) {
  approval_settings s;
  if (auto text = env("BANDITORE_APPROVAL_RULE")) {
    auto parsed = domain::parse_approval_rule(*text);
    if (!parsed.rule)
      throw config_error("BANDITORE_APPROVAL_RULE",
                         parsed.error + " (see docs/approval.md; examples: all, none, severity>=severe, "
                                        "category=water,roads)");
    s.rule = std::move(*parsed.rule);
  }
  if (auto decision = env("BANDITORE_CAP_DECISION")) {
    if (*decision == "auto")
      s.hold_cap = false;
    else if (*decision == "hold")
      s.hold_cap = true;
    else
      throw config_error("BANDITORE_CAP_DECISION", "must be auto or hold, got '" + *decision + "'");
  }
  return s;
}

const std::vector<setting_doc>& documented_approval_settings() {
  static const std::vector<setting_doc> docs = {
      {"BANDITORE_APPROVAL_RULE", "none",
       "which drafts need a second person's approval: all, none, or conditions such as "
       "'severity>=severe; category=civil_protection' (docs/approval.md)"},
      {"BANDITORE_CAP_DECISION", "auto",
       "auto: CAP alerts are sent by the CAP policy at once; hold: they wait as drafts for a publisher"},
  };
  return docs;
}

}  // namespace banditore::config

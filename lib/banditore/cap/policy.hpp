// Whether a validated CAP alert becomes a WhatsApp broadcast for this
// deployment: right status and scope, our territory, serious enough, not
// yet expired. Pure: the caller supplies the clock and records the verdict.
#pragma once

#include <banditore/cap/alert.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace banditore::cap {

// Where the deployment's citizens are. An empty territory matches nothing:
// a deployment must say where it is before any CAP alert goes out.
struct territory {
  // ISTAT municipality codes, six digits ("015146" is Milano). Matched
  // against area geocodes named ISTAT, istat_code, ISTAT_COMUNE, ...
  std::vector<std::string> istat_codes;
  // MeteoAlarm EMMA_ID zone codes ("IT003" is Lombardia).
  std::vector<std::string> region_codes;
  // A representative point (the town hall): inside a polygon or circle.
  std::optional<geo_point> point;
};

struct cap_policy {
  std::set<std::string> broadcast_statuses = {"Actual"};
  bool require_public_scope = true;
  // Severity, urgency and certainty thresholds: applied to an info that
  // carries no MeteoAlarm awareness_level parameter.
  std::string min_severity = "Moderate";
  std::set<std::string> urgencies = {"Immediate", "Expected", "Future"};
  std::string min_certainty = "Likely";
  // MeteoAlarm awareness_level ("2; yellow; Moderate", "3; orange; Severe",
  // "4; red; Extreme"): when an info carries it, this decides alone, because
  // Italian weather warnings come a day ahead with urgency Future and their
  // colour is what the public knows. 3 = orange and red. nullopt turns the
  // rule off and the triple above decides for every info.
  std::optional<int> min_awareness_level = 3;
  territory where;
  // Preferred info languages, best first; "it" matches "it-IT".
  std::vector<std::string> languages = {"it", "en"};
};

enum class cap_verdict {
  broadcast,
  record_only,  // status Exercise, Test, System, Draft (or any not broadcast)
  outside_territory,
  below_threshold,
  not_public,
  expired,
  not_alert,  // msgType Ack or Error
};

const char* to_string(cap_verdict v);

struct cap_decision {
  cap_verdict verdict = cap_verdict::record_only;
  std::size_t info_index = 0;  // the info to render (or the one that came closest)
  std::string reason;          // English, for the operator: "status Exercise is recorded, not sent"
};

// Picks the info group in the best language (policy.languages order; an
// info without language is en-US; when no info is in a listed language,
// all infos form the group) and in it the first info that is in our
// territory, unexpired at now, and above the thresholds. When none passes,
// the verdict is that of the info that got furthest (territory, then
// expiry, then thresholds).
//
// A Cancel skips the thresholds (its urgency is often Past): it only has to
// concern our territory. The caller sends it only if it sent one of the
// referenced alerts. Throws std::invalid_argument for a policy naming an
// unknown severity or certainty (bad configuration).
cap_decision decide(const cap_alert& alert, const cap_policy& policy,
                    std::chrono::sys_seconds now);

// Exposed for tests and for operators' tooling.
bool in_territory(const cap_info& info, const territory& where);
// The level in a MeteoAlarm awareness_level value ("3; orange; Severe" -> 3).
std::optional<int> awareness_level(const cap_info& info);

}  // namespace banditore::cap

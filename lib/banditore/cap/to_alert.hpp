// What a CAP alert becomes as a banditore alert: its category, its severity
// (which orders the outbox), a title and a text within WhatsApp's limits,
// and when it stops being worth sending.
#pragma once

#include <banditore/cap/alert.hpp>
#include <banditore/cap/message.hpp>
#include <banditore/domain/alert.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::cap {

// CAP categories -> banditore categories:
//   Met -> weather; Geo, Safety, Security, Rescue, Fire, CBRNE, Env ->
//   civil_protection; Health -> health; Transport -> roads; Infra, Other ->
//   other. Infra covers power, telecoms and water alike, so it is not
//   guessed to be water. The first category in document order that maps to
//   something more precise than "other" wins (Met + Safety -> weather).
std::string_view alert_category(const std::vector<std::string>& cap_categories);

// Extreme, Severe, Moderate, Minor map to the same level. Unknown maps to
// moderate: the policy already judged the alert worth sending, and minor
// would let quiet hours hold it back.
domain::severity alert_severity(std::string_view cap_severity);

struct draft_options {
  render_options render;          // time zone; max_chars is set from max_text
  std::size_t max_text = 1024;    // the alert text limit (template body)
  std::size_t max_title = domain::max_title;
};

// The alert for alerts.infos[info_index]. The title is the renderer's first
// line without the bold marks ("AGGIORNAMENTO: " / "REVOCA: " prefix,
// headline or else event); the text is the rest of the rendered message, so
// the WhatsApp message composed from title and text reads as the rendered
// CAP text, and holds at most max_text code points. expires_at_ms comes
// from the info's expires. Throws std::out_of_range for a bad index.
domain::alert_draft alert_draft_from_cap(const cap_alert& alert, std::size_t info_index,
                                         const draft_options& options = {});

}  // namespace banditore::cap

// Reading a CAP 1.2 document pushed to us or fetched from a feed. Whatever
// arrives is untrusted: a document is either a fully validated cap_alert or
// a refusal naming the element at fault, never half of one.
#pragma once

#include <banditore/cap/alert.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::cap {

struct cap_parse_result {
  std::optional<cap_alert> alert;
  std::string element;  // on refusal: the CAP element at fault, or "document"
  std::string reason;   // on refusal: why, in English, for logs and the sender
  // Tolerated departures from CAP 1.2 (e.g. certainty "Very Likely").
  std::vector<std::string> notes;
  bool ok() const { return alert.has_value(); }
};

// Refuses: more than max_bytes; any DOCTYPE or ENTITY declaration; XML that
// is not well-formed UTF-8; a root other than <alert> in namespace
// urn:oasis:names:tc:emergency:cap:1.2 (default or prefixed); a missing
// required element; a value outside the CAP enumerations; an Update or
// Cancel without references; an unreadable date, polygon or circle.
cap_parse_result parse_cap(std::string_view xml, std::size_t max_bytes = std::size_t{1} << 20);

}  // namespace banditore::cap

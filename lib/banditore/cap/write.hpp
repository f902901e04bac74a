// Writing a CAP 1.2 document: the alerts banditore publishes for
// aggregators (/cap/{id}.xml). Elements in the order of the OASIS schema,
// every text escaped by pugixml, characters XML 1.0 cannot carry left out.
// What is written reads back through parse_cap unchanged.
#pragma once

#include <banditore/cap/alert.hpp>

#include <string>

namespace banditore::cap {

// Times are written as their text (cap_time::text), which must be a CAP
// dateTime with an offset ("2026-12-02T14:03:44-00:00"); see cap_date.
std::string cap_xml(const cap_alert& alert);

// A CAP 1.2 dateTime in UTC: "2026-12-02T14:03:44-00:00". CAP 1.2 3.3.2:
// alphabetic zones such as "Z" MUST NOT be used and UTC MUST be written
// "-00:00".
cap_time cap_date(std::int64_t unix_ms);

}  // namespace banditore::cap

// A CAP 1.2 alert (OASIS Common Alerting Protocol) as banditore keeps it:
// the elements the policy and the WhatsApp text need, already validated by
// parse_cap. Enumerated values are kept as the spec spells them ("Actual").
#pragma once

#include <banditore/cap/geo.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace banditore::cap {

// A CAP dateTime: the instant, and the text as sent (with its offset), so a
// reference to this alert can be written back exactly as the sender wrote it.
struct cap_time {
  std::chrono::sys_seconds utc{};
  std::string text;
};

// One entry of <references>: "sender,identifier,sent".
struct cap_reference {
  std::string sender;
  std::string identifier;
  cap_time sent;
};

// valueName / value pairs, in document order (geocode, parameter).
using cap_values = std::vector<std::pair<std::string, std::string>>;

struct cap_area {
  std::string desc;                           // areaDesc
  std::vector<std::vector<geo_point>> polygons;  // each closed, >= 4 points
  std::vector<cap_circle> circles;
  cap_values geocodes;
};

// A file that goes with the info (CAP 1.2 3.2.3): an image, a document.
struct cap_resource {
  std::string desc;       // resourceDesc
  std::string mime_type;  // mimeType
  std::optional<std::int64_t> size;  // bytes
  std::string uri;        // where it is read
  std::string digest;     // SHA-1 of the bytes, hex
};

struct cap_info {
  std::string language;  // as sent; empty means "en-US" (CAP 1.2, 3.2.2)
  std::vector<std::string> categories;
  std::string event;
  std::string urgency;
  std::string severity;
  std::string certainty;  // CAP 1.0 "Very Likely" is stored as "Likely"
  std::string sender_name;
  std::string headline;
  std::string description;
  std::string instruction;
  std::string web;
  std::string contact;
  std::optional<cap_time> effective;
  std::optional<cap_time> onset;
  std::optional<cap_time> expires;
  cap_values parameters;
  std::vector<cap_resource> resources;
  std::vector<cap_area> areas;
};

struct cap_alert {
  std::string identifier;
  std::string sender;
  cap_time sent;
  std::string status;    // Actual | Exercise | System | Test | Draft
  std::string msg_type;  // Alert | Update | Cancel | Ack | Error
  std::string scope;     // Public | Restricted | Private
  std::string note;      // for a Cancel, usually the reason
  std::vector<cap_reference> references;  // never empty for Update / Cancel
  std::vector<cap_info> infos;
};

}  // namespace banditore::cap

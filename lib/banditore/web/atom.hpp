// Atom 1.0 (RFC 4287) feeds of the public alerts: the archive's feed, one
// per town, what a town website or a reader subscribes to. Written with
// pugixml, so every text is escaped; characters XML 1.0 cannot carry
// (control characters other than tab and newline) are left out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace banditore::web {

// A further atom:link of an entry (RFC 4287 4.2.7): rel="enclosure" for
// an alert's attachment, with its media type and length in bytes.
struct atom_link {
  std::string rel;
  std::string href;
  std::string type;    // left out when empty
  std::int64_t length = -1;  // left out when negative
};

struct atom_entry {
  std::string id;       // a URI that never changes: the alert's permanent page
  std::string title;
  std::string summary;  // plain text
  std::string link;     // the alert's page (rel="alternate")
  std::int64_t published_ms = 0;
  std::int64_t updated_ms = 0;  // an update or the cancellation moves it
  std::vector<std::string> categories;  // town, topic: atom:category terms
  std::string link_type = "text/html";  // the CAP index links documents: application/cap+xml
  std::vector<atom_link> links = {};  // after the alternate one
};

struct atom_feed {
  std::string id;         // the feed's own URL
  std::string title;      // "Avvisi del Comune di Lugo"
  std::string self;       // rel="self": where the feed is read
  std::string alternate;  // rel="alternate": the archive page
  std::string author;     // the town or union
  std::int64_t updated_ms = 0;  // the newest entry's, or when the feed was made if empty
  std::vector<atom_entry> entries;  // newest first
};

std::string atom_xml(const atom_feed& feed);

// RFC 3339 in UTC with seconds, as Atom dates are written: 2026-12-02T14:03:44Z.
std::string atom_date(std::int64_t unix_ms);

}  // namespace banditore::web

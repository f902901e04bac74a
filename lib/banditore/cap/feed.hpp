// Reading an Atom or RSS 2.0 feed that lists CAP documents (MeteoAlarm,
// civil-protection portals), to learn which documents to fetch. The feed is
// as untrusted as a CAP document and is loaded under the same rules.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::cap {

struct feed_parse_result {
  std::vector<std::string> links;  // in feed order, each once
  std::string element;             // on refusal: "document", "feed", ...
  std::string reason;
  bool ok() const { return reason.empty(); }
};

// Atom: per entry, a link typed application/cap+xml, else the alternate
// link (rel="alternate" or no rel), else content/@src. RSS 2.0: per item, an
// enclosure typed application/cap+xml, else <link>, else any enclosure.
// Only absolute http(s) URLs are kept, as written (nothing is resolved);
// the same URL listed by several entries (MeteoAlarm lists one entry per
// area of a warning) is returned once. Refuses what parse_cap refuses at
// document level: size, DOCTYPE / ENTITY, malformed XML, and a root that is
// neither an Atom <feed> nor an RSS <rss>.
feed_parse_result cap_links_from_feed(std::string_view xml,
                                      std::size_t max_bytes = std::size_t{1} << 20);

}  // namespace banditore::cap

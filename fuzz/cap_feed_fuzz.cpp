// An Atom or RSS 2.0 feed listing CAP documents (MeteoAlarm, regional
// civil-protection portals; RFC 4287 and https://www.rssboard.org/rss-specification):
// as untrusted as the documents it points to.
#include "check.hpp"

#include <banditore/cap/feed.hpp>

#include <algorithm>
#include <cstddef>
#include <cctype>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using banditore::fuzz::require;
  const auto result = banditore::cap::cap_links_from_feed(banditore::fuzz::bytes(data, size));
  if (!result.ok()) {
    require(result.links.empty(), "a refused feed gives no link");
    require(!result.element.empty(), "a refusal names an element");
    return 0;
  }
  for (std::size_t i = 0; i < result.links.size(); ++i) {
    const auto& link = result.links[i];
    std::string scheme = link.substr(0, 8);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
    require(scheme.starts_with("http://") || scheme == "https://", "a link is absolute http(s)");
    require(std::find(result.links.begin() + static_cast<std::ptrdiff_t>(i) + 1, result.links.end(), link) ==
                result.links.end(),
            "a link is listed once");
  }
  return 0;
}

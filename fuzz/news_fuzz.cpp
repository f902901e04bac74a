// A town website's news feed (RSS 2.0, Atom 1.0, RSS 1.0): whatever it
// holds, each item that comes out is valid UTF-8 within the limits, with a
// link that is absolute http(s) or none, and the HTML reader never grows a
// text beyond its input's characters.
#include "check.hpp"

#include <banditore/domain/utf8.hpp>
#include <banditore/web/news.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using banditore::fuzz::require;
  namespace utf8 = banditore::domain::utf8;
  const auto input = banditore::fuzz::bytes(data, size);
  const banditore::web::news_limits limits;
  const auto result = banditore::web::parse_news_feed(input, limits);
  if (!result.ok()) {
    require(result.items.empty(), "a refused feed gives no item");
    require(!result.element.empty(), "a refusal names an element");
  }
  std::set<std::string> ids;
  for (const auto& item : result.items) {
    require(!item.id.empty(), "an item has an id");
    require(ids.insert(item.id).second, "an item is listed once");
    const auto title = utf8::count_code_points(item.title);
    const auto summary = utf8::count_code_points(item.summary);
    require(title && *title <= limits.title_chars, "a title is UTF-8 within its limit");
    require(summary && *summary <= limits.summary_chars, "a summary is UTF-8 within its limit");
    std::string scheme = item.link.substr(0, 8);
    for (auto& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    require(item.link.empty() || scheme.starts_with("http://") || scheme == "https://",
            "a link is absolute http(s)");
    require(item.link.size() <= limits.link_chars, "a link fits");
  }
  // The HTML reader alone, on any bytes.
  const auto text = banditore::web::html_to_text(input);
  require(utf8::count_code_points(text).has_value(), "text from HTML is UTF-8");
  return 0;
}

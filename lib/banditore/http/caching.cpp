#include <banditore/http/caching.hpp>

#include <date/date.h>

#include <chrono>
#include <sstream>

namespace banditore::http {

std::string http_date(std::int64_t unix_ms) {
  const auto t = std::chrono::sys_seconds{std::chrono::seconds{unix_ms / 1000}};
  return date::format("%a, %d %b %Y %H:%M:%S GMT", t);
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  // Fixed length and shape: "Sun, 06 Nov 1994 08:49:37 GMT".
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") return std::nullopt;
  std::istringstream in{std::string(text)};
  date::sys_seconds t;
  in >> date::parse("%a, %d %b %Y %H:%M:%S GMT", t);
  if (in.fail()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool none_match_hits(std::string_view header, std::string_view etag) {
  auto opaque = [](std::string_view tag) {
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    return tag;
  };
  const auto wanted = opaque(etag);
  std::size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == '\t' || header[pos] == ',')) ++pos;
    if (pos >= header.size()) break;
    if (header[pos] == '*') return true;
    std::size_t start = pos;
    if (header.substr(pos, 2) == "W/") pos += 2;
    if (pos >= header.size() || header[pos] != '"') return false;  // not a list of entity tags
    const auto close = header.find('"', pos + 1);
    if (close == std::string_view::npos) return false;
    if (opaque(header.substr(start, close + 1 - start)) == wanted) return true;
    pos = close + 1;
  }
  return false;
}

}  // namespace banditore::http

// A list typed as "a, b,,c": the items between commas, spaces around them
// trimmed, empty ones dropped. API key scopes and catalogue keywords are
// given this way on the command line and stored this way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

inline std::vector<std::string> split_comma_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace banditore::domain

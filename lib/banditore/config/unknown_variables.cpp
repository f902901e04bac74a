#include <banditore/config/unknown_variables.hpp>

#include <banditore/config/effective_settings.hpp>
#include <banditore/config/cap_settings.hpp>
#include <banditore/config/config_error.hpp>
#include <banditore/config/approval_settings.hpp>
#include <banditore/config/console_settings.hpp>
#include <banditore/config/ops_settings.hpp>
#include <banditore/config/public_settings.hpp>
#include <banditore/config/settings.hpp>

#include <algorithm>
#include <limits>

namespace banditore::config {

namespace {

constexpr std::string_view prefix = "BANDITORE_";

// Read by the build and test scripts (deploy/test.sh, the integration
// harness), not by the service; exported in a shell they are no typo.
constexpr std::string_view tooling_variables[] = {"BANDITORE_PRESET", "BANDITORE_KEEP_TEST_DIRS"};

}  // namespace

std::vector<std::string> known_variable_names() {
  std::vector<std::string> names;
  for (const auto& d : all_documented_settings()) {
    names.push_back(d.name);
    if (d.secret) names.push_back(d.name + "_FILE");
  }
  for (auto t : tooling_variables) names.emplace_back(t);
  return names;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  // Three rows: the swap of two neighbours looks two rows back.
  std::vector<std::size_t> before(m + 1), previous(m + 1), current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[m];
}

std::vector<unknown_variable> find_unknown_variables(const std::vector<std::string>& present,
                                                     const std::vector<std::string>& known) {
  std::vector<unknown_variable> out;
  for (const auto& name : present) {
    if (!std::string_view(name).starts_with(prefix)) continue;
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    unknown_variable u{name, {}};
    std::size_t best = std::numeric_limits<std::size_t>::max();
    for (const auto& k : known) {
      // The common prefix carries no information: compare what follows it.
      const auto d = edit_distance(std::string_view(name).substr(prefix.size()),
                                   std::string_view(k).substr(std::min(prefix.size(), k.size())));
      if (d < best) {
        best = d;
        u.closest = k;
      }
    }
    const std::size_t tail = name.size() - prefix.size();
    if (best > std::max<std::size_t>(1, tail / 3)) u.closest.clear();
    out.push_back(std::move(u));
  }
  return out;
}

std::string variable_named_in(std::string_view message) {
  auto at = message.find(prefix);
  if (at == std::string_view::npos) return {};
  auto end = at + prefix.size();
  while (end < message.size() && ((message[end] >= 'A' && message[end] <= 'Z') ||
                                  (message[end] >= '0' && message[end] <= '9') || message[end] == '_'))
    ++end;
  return std::string(message.substr(at, end - at));
}

}  // namespace banditore::config

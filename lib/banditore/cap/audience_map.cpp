#include <banditore/cap/audience_map.hpp>

#include <banditore/domain/audience_geo.hpp>
#include <banditore/domain/audience_rules.hpp>
#include <banditore/domain/comma_list.hpp>

#include <algorithm>
#include <stdexcept>

namespace banditore::cap {

namespace {

constexpr std::string_view cap_categories[] = {"Geo",    "Met",   "Safety",    "Security", "Rescue", "Fire",
                                               "Health", "Env",   "Transport", "Infra",    "CBRNE",  "Other"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ISTAT codes are written with and without their leading zero ("039012",
// "39012"); the digits after the zeros are the code.
std::string istat_digits(std::string_view code) {
  while (!code.empty() && code.front() == ' ') code.remove_prefix(1);
  while (!code.empty() && code.back() == ' ') code.remove_suffix(1);
  if (code.empty() || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) return {};
  while (code.size() > 1 && code.front() == '0') code.remove_prefix(1);
  return std::string(code);
}

void add_once(std::vector<std::string>& ids, const std::string& id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool has_topic(const domain::audience_catalogue& c, std::string_view id) {
  return std::any_of(c.topics.begin(), c.topics.end(), [&](const domain::topic& t) { return t.id == id; });
}

}  // namespace

cap_topic_map parse_cap_topic_map(std::string_view text) {
  cap_topic_map map;
  for (const auto& item : domain::split_comma_list(text)) {
    const auto equals = item.rfind('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == item.size())
      throw std::invalid_argument("'" + item + "' is not CATEGORY=topic or event:EVENT=topic");
    const auto key = item.substr(0, equals);
    const auto topic = item.substr(equals + 1);
    if (!domain::valid_audience_id(topic)) throw std::invalid_argument("'" + topic + "' is not a topic id");
    cap_topic_rule rule;
    rule.topic = topic;
    if (key.rfind("event:", 0) == 0) {
      rule.event = key.substr(6);
      if (rule.event.empty()) throw std::invalid_argument("'" + item + "' names no event");
    } else {
      const auto* found = std::find_if(std::begin(cap_categories), std::end(cap_categories),
                                       [&](std::string_view c) { return lower(c) == lower(key); });
      if (found == std::end(cap_categories))
        throw std::invalid_argument("'" + key + "' is not a CAP category (Geo, Met, Safety, Security, Rescue, Fire, "
                                                "Health, Env, Transport, Infra, CBRNE, Other)");
      rule.category = std::string(*found);
    }
    map.rules.push_back(std::move(rule));
  }
  return map;
}

domain::alert_audience cap_audience(const cap_info& info, const domain::audience_catalogue& catalogue,
                                    const cap_topic_map& topics, std::string* note) {
  domain::alert_audience out;

  std::vector<std::string> whole_towns;  // named by their ISTAT code
  for (const auto& area : info.areas)
    for (const auto& [name, value] : area.geocodes) {
      if (lower(name) != "istat") continue;
      const auto code = istat_digits(value);
      if (code.empty()) continue;
      for (const auto& t : catalogue.towns)
        if (istat_digits(t.istat_code) == code) add_once(whole_towns, t.id);
    }

  std::vector<std::string> drawn_towns, drawn_areas;  // overlapped by a polygon or circle
  const bool drawn = std::any_of(info.areas.begin(), info.areas.end(),
                                 [](const cap_area& a) { return !a.polygons.empty() || !a.circles.empty(); });
  if (drawn) {
    const domain::place_finder finder(catalogue);
    auto merge = [&](const domain::place_finder::found& f) {
      for (const auto& t : f.towns) add_once(drawn_towns, t);
      for (const auto& a : f.areas) add_once(drawn_areas, a);
    };
    if (!finder.empty())
      for (const auto& area : info.areas) {
        for (const auto& polygon : area.polygons) merge(finder.overlapping(domain::from_closed_ring(polygon)));
        for (const auto& circle : area.circles) merge(finder.overlapping(circle));
      }
  }

  std::vector<std::string> towns = whole_towns, areas;
  for (const auto& town : drawn_towns) {
    add_once(towns, town);
    if (contains(whole_towns, town)) continue;
    std::vector<std::string> chosen;
    bool some_left_out = false;
    for (const auto& a : catalogue.areas) {
      if (a.town_id != town) continue;
      if (a.polygon.empty() || contains(drawn_areas, a.id))
        chosen.push_back(a.id);
      else
        some_left_out = true;
    }
    if (some_left_out && !chosen.empty()) areas.insert(areas.end(), chosen.begin(), chosen.end());
  }
  if (!towns.empty()) out.towns = std::move(towns);
  if (!areas.empty()) out.areas = std::move(areas);
  if (!out.towns && note)
    *note = drawn ? "its area overlaps no town or area boundary and names no town's ISTAT code: it goes to every town"
                  : "its area names no town's ISTAT code: it goes to every town";

  std::string topic;
  for (const auto& r : topics.rules)
    if (!r.event.empty() && lower(r.event) == lower(info.event)) {
      topic = r.topic;
      break;
    }
  for (const auto& c : info.categories) {
    if (!topic.empty()) break;
    for (const auto& r : topics.rules)
      if (!r.category.empty() && r.category == c) {
        topic = r.topic;
        break;
      }
  }
  if (topic.empty()) topic = topics.fallback;
  if (has_topic(catalogue, topic)) out.topics = std::vector<std::string>{topic};
  return out;
}

}  // namespace banditore::cap

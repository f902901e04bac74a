#include <banditore/domain/alert_audience.hpp>

#include <banditore/domain/audience_rules.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace banditore::domain {

namespace {

constexpr std::size_t max_ids = 100;

bool contains(const std::vector<std::string>& list, std::string_view id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

template <class Entry>
bool in_catalogue(const std::vector<Entry>& entries, std::string_view id) {
  return std::any_of(entries.begin(), entries.end(), [&](const Entry& e) { return e.id == id; });
}

const area* find_area(const std::vector<area>& areas, std::string_view id) {
  auto it = std::find_if(areas.begin(), areas.end(), [&](const area& a) { return a.id == id; });
  return it == areas.end() ? nullptr : &*it;
}

void read_list(const nlohmann::json& body, const char* name, std::optional<std::vector<std::string>>& into,
               std::vector<field_error>& errors) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return;
  const std::string what = std::string(name) == "towns" ? "town" : std::string(name) == "topics" ? "topic" : "area";
  if (!it->is_array()) {
    errors.push_back({name, "must be an array of " + what + " ids; leave it out to mean all"});
    return;
  }
  if (it->empty()) {
    errors.push_back({name, "must name at least one " + what + "; leave it out to mean all"});
    return;
  }
  if (it->size() > max_ids) {
    errors.push_back({name, "names " + std::to_string(it->size()) + " ids; at most " + std::to_string(max_ids) +
                                " are allowed"});
    return;
  }
  std::vector<std::string> ids;
  for (const auto& v : *it) {
    if (!v.is_string() || !valid_audience_id(v.get_ref<const std::string&>())) {
      errors.push_back({name, "must hold " + what + " ids (lowercase letters, digits and dashes)"});
      return;
    }
    const auto& id = v.get_ref<const std::string&>();
    if (contains(ids, id)) {
      errors.push_back({name, "names " + id + " twice"});
      return;
    }
    ids.push_back(id);
  }
  into = std::move(ids);
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

}  // namespace

audience_reading read_alert_audience(const nlohmann::json& body) {
  audience_reading out;
  if (!body.is_object()) return out;
  read_list(body, "towns", out.audience.towns, out.errors);
  read_list(body, "topics", out.audience.topics, out.errors);
  read_list(body, "areas", out.audience.areas, out.errors);
  return out;
}

std::vector<field_error> check_alert_audience(const alert_audience& audience, const audience_catalogue& catalogue) {
  std::vector<field_error> errors;
  if (audience.towns)
    for (const auto& id : *audience.towns)
      if (!in_catalogue(catalogue.towns, id)) errors.push_back({"towns", "names " + id + ", which is not a town here"});
  if (audience.topics)
    for (const auto& id : *audience.topics)
      if (!in_catalogue(catalogue.topics, id))
        errors.push_back({"topics", "names " + id + ", which is not a topic here"});
  if (audience.areas)
    for (const auto& id : *audience.areas) {
      const auto* a = find_area(catalogue.areas, id);
      if (!a) errors.push_back({"areas", "names " + id + ", which is not an area here"});
      else if (audience.towns && !contains(*audience.towns, a->town_id))
        errors.push_back({"areas", "names " + id + ", an area of " + a->town_id + ", which towns leaves out"});
    }
  return errors;
}

key_town_verdict limit_to_key_towns(alert_audience& audience, const std::vector<std::string>& key_towns,
                                    const audience_catalogue& catalogue) {
  if (key_towns.empty()) return {};
  if (audience.towns) {
    for (const auto& id : *audience.towns)
      if (!contains(key_towns, id)) return {false, "this key may send only to " + joined(key_towns) + ", not to " + id};
  }
  if (audience.areas) {
    for (const auto& id : *audience.areas) {
      const auto* a = find_area(catalogue.areas, id);
      if (a && !contains(key_towns, a->town_id))
        return {false, "this key may send only to " + joined(key_towns) + ", not to area " + id + " of " + a->town_id};
    }
  }
  // Areas alone already keep the alert inside the key's towns.
  if (!audience.towns && !audience.areas) audience.towns = key_towns;
  return {};
}

audience_place place_of(const alert_audience& audience, const std::vector<area>& areas) {
  audience_place place;
  if (audience.areas)
    for (const auto& id : *audience.areas) {
      place.areas.push_back(id);
      if (const auto* a = find_area(areas, id); a && !contains(place.area_towns, a->town_id))
        place.area_towns.push_back(a->town_id);
    }
  if (audience.towns)
    for (const auto& id : *audience.towns)
      if (!contains(place.area_towns, id)) place.whole_towns.push_back(id);
  return place;
}

nlohmann::json audience_json(const alert_audience& audience) {
  auto list = [](const std::optional<std::vector<std::string>>& ids) {
    return ids ? nlohmann::json(*ids) : nlohmann::json(nullptr);
  };
  return {{"towns", list(audience.towns)}, {"topics", list(audience.topics)}, {"areas", list(audience.areas)}};
}

std::optional<std::vector<std::string>> id_list_from_json_text(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  std::vector<std::string> ids;
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_string()) ids.push_back(v.get<std::string>());
  return ids;
}

std::optional<std::string> id_list_to_json_text(const std::optional<std::vector<std::string>>& ids) {
  if (!ids) return std::nullopt;
  return nlohmann::json(*ids).dump();
}

}  // namespace banditore::domain

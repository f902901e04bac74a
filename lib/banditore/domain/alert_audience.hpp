// Who an alert is for: towns, topics and areas of the catalogue, each
// list absent when the alert is for all of them. Read from a POST
// /v1/alerts body, checked against the catalogue and against the towns an
// API key may send to.
//
// Who receives it (the planner's rule, written out in docs/api.md):
// - towns: subscribers who chose one of them;
// - areas: subscribers who chose one of them, and those of the area's
//   town who chose no area of that town (no area means the whole town);
//   a town listed beside areas of its own is narrowed to those areas;
// - topics: subscribers who chose one of them;
// - an alert below severe skips subscribers who asked for "Solo emergenze".
#pragma once

#include <banditore/domain/alert.hpp>
#include <banditore/domain/audience.hpp>

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

namespace banditore::domain {

struct alert_audience {
  std::optional<std::vector<std::string>> towns, topics, areas;  // nullopt: all

  bool everyone() const { return !towns && !topics && !areas; }
  bool operator==(const alert_audience&) const = default;
};

// Reads "towns", "topics" and "areas" of an alert body: each absent (or
// null) or an array of 1 to 100 distinct catalogue ids. Errors name the
// field.
struct audience_reading {
  alert_audience audience;
  std::vector<field_error> errors;
};
audience_reading read_alert_audience(const nlohmann::json& body);

// Every id must be in the catalogue; an area must lie in one of the
// alert's towns when it names towns. Errors name the field and the id.
std::vector<field_error> check_alert_audience(const alert_audience& audience, const audience_catalogue& catalogue);

// An API key limited to towns (key_towns not empty) sends only there: an
// alert naming no town and no area goes to the key's towns; one naming
// another town, or an area of another town, is refused (the detail says
// which). Unknown ids are left to check_alert_audience.
struct key_town_verdict {
  bool allowed = true;
  std::string detail;  // why not
};
key_town_verdict limit_to_key_towns(alert_audience& audience, const std::vector<std::string>& key_towns,
                                    const audience_catalogue& catalogue);

// The place an alert covers, as the planner reads it: towns reached
// whole, the areas named, and the towns of those areas (whose subscribers
// with no area there receive it too). All empty: no place named.
struct audience_place {
  std::vector<std::string> whole_towns, areas, area_towns;
  bool named() const { return !whole_towns.empty() || !areas.empty(); }
};
// areas: at least the areas the alert names (their town is what counts).
audience_place place_of(const alert_audience& audience, const std::vector<area>& areas);

// "Solo emergenze" subscribers receive only severe and extreme alerts.
inline bool reaches_only_severe(severity level) { return level == severity::severe || level == severity::extreme; }

// {"towns": [...] | null, "topics": ..., "areas": ...}; and back.
nlohmann::json audience_json(const alert_audience& audience);
// A stored list (a JSON array of ids) or nullopt for NULL.
std::optional<std::vector<std::string>> id_list_from_json_text(const std::optional<std::string>& text);
std::optional<std::string> id_list_to_json_text(const std::optional<std::vector<std::string>>& ids);

}  // namespace banditore::domain

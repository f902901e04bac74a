#include <banditore/domain/audience_geo.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace banditore::domain {

namespace {

std::optional<geo_polygon> refuse(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return std::nullopt;
}

}  // namespace

std::optional<geo_polygon> parse_geojson_polygon(std::string_view text, std::string* why) {
  if (text.size() > max_polygon_text) return refuse(why, "is larger than 1 MiB");
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return refuse(why, "must be a GeoJSON Polygon object");
  auto type = j.find("type");
  if (type == j.end() || !type->is_string() || *type != "Polygon")
    return refuse(why, "must be a GeoJSON object of type \"Polygon\"");
  auto coordinates = j.find("coordinates");
  if (coordinates == j.end() || !coordinates->is_array() || coordinates->empty())
    return refuse(why, "needs \"coordinates\": an array of rings");
  geo_polygon out;
  std::size_t positions = 0;
  for (const auto& ring : *coordinates) {
    if (!ring.is_array() || ring.size() < 4) return refuse(why, "has a ring of fewer than four positions");
    std::vector<cap::geo_point> points;
    for (const auto& p : ring) {
      if (++positions > max_polygon_positions) return refuse(why, "has more than 10000 positions");
      if (!p.is_array() || p.size() < 2 || p.size() > 3 || !p[0].is_number() || !p[1].is_number())
        return refuse(why, "has a position that is not [longitude, latitude]");
      const double lon = p[0].get<double>(), lat = p[1].get<double>();
      if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
        return refuse(why, "has a position outside longitude -180..180 or latitude -90..90");
      points.push_back({lat, lon});
    }
    if (!(points.front() == points.back())) return refuse(why, "has a ring that does not end where it starts");
    points.pop_back();  // ray casting wants each vertex once
    out.rings.push_back(std::move(points));
  }
  return out;
}

bool polygon_covers(const geo_polygon& polygon, cap::geo_point point) {
  if (polygon.rings.empty() || !cap::polygon_contains(polygon.rings.front(), point)) return false;
  return std::none_of(polygon.rings.begin() + 1, polygon.rings.end(),
                      [&point](const auto& hole) { return cap::polygon_contains(hole, point); });
}

place_finder::place_finder(const audience_catalogue& c) {
  for (const auto& t : c.towns)
    if (auto p = t.polygon.empty() ? std::nullopt : parse_geojson_polygon(t.polygon))
      towns_.push_back({t.id, t.id, std::move(*p)});
  for (const auto& a : c.areas)
    if (auto p = a.polygon.empty() ? std::nullopt : parse_geojson_polygon(a.polygon))
      areas_.push_back({a.id, a.town_id, std::move(*p)});
}

place_finder::found place_finder::find(cap::geo_point point) const {
  found out;
  auto add = [](std::vector<std::string>& ids, const std::string& id) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  };
  for (const auto& a : areas_)
    if (polygon_covers(a.polygon, point)) {
      add(out.areas, a.id);
      add(out.towns, a.town_id);
    }
  for (const auto& t : towns_)
    if (polygon_covers(t.polygon, point)) add(out.towns, t.id);
  return out;
}

}  // namespace banditore::domain

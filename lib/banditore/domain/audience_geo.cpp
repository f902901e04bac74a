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

// Positions on the plane of (lon, lat), as polygon_contains reads them.
struct xy {
  double x, y;
};
xy plane(cap::geo_point p) { return {p.lon, p.lat}; }

// Below this, in degrees (about a centimetre), a point counts as on a
// border; probes are put this far inside a place (about a metre).
constexpr double on_border = 1e-7;
constexpr double probe_inset = 1e-5;

double cross(xy o, xy a, xy b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

int side(xy o, xy a, xy b) {
  const double c = cross(o, a, b);
  const double scale = std::max({std::abs(a.x - o.x), std::abs(a.y - o.y), std::abs(b.x - o.x), std::abs(b.y - o.y)});
  if (std::abs(c) <= 1e-12 * scale * scale) return 0;
  return c > 0 ? 1 : -1;
}

// The segments cross at one point inside both: each one's ends lie
// strictly on the two sides of the other. Touching, or running along,
// is not crossing.
bool cross_properly(xy a, xy b, xy c, xy d) {
  const int s1 = side(a, b, c), s2 = side(a, b, d), s3 = side(c, d, a), s4 = side(c, d, b);
  return s1 * s2 < 0 && s3 * s4 < 0;
}

double distance_to_segment(xy p, xy a, xy b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double length2 = dx * dx + dy * dy;
  double t = length2 == 0 ? 0 : ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return std::sqrt(ex * ex + ey * ey);
}

template <typename F>
void for_each_edge(const geo_polygon& polygon, F f) {
  for (const auto& ring : polygon.rings)
    for (std::size_t i = 0, n = ring.size(); i < n; ++i) f(ring[i], ring[(i + 1) % n]);
}

bool near_border(const geo_polygon& polygon, cap::geo_point p) {
  bool near = false;
  for_each_edge(polygon, [&](cap::geo_point a, cap::geo_point b) {
    if (!near && distance_to_segment(plane(p), plane(a), plane(b)) <= on_border) near = true;
  });
  return near;
}

bool strictly_inside(const geo_polygon& polygon, cap::geo_point p) {
  return polygon_covers(polygon, p) && !near_border(polygon, p);
}

// Points that stand for a place's inside and border: its vertices, the
// middle of each edge, and a point just inside beside each middle. If two
// places overlap without their borders crossing, one of these points of
// one lies inside the other.
std::vector<cap::geo_point> probes(const geo_polygon& polygon) {
  std::vector<cap::geo_point> out;
  for_each_edge(polygon, [&](cap::geo_point a, cap::geo_point b) {
    out.push_back(a);
    const cap::geo_point middle{(a.lat + b.lat) / 2, (a.lon + b.lon) / 2};
    out.push_back(middle);
    const double dx = b.lon - a.lon, dy = b.lat - a.lat, length = std::sqrt(dx * dx + dy * dy);
    if (length == 0) return;
    // Both sides of the edge: the one that is inside the place is kept.
    for (const double sign : {1.0, -1.0}) {
      const cap::geo_point beside{middle.lat + sign * probe_inset * dx / length,
                                  middle.lon - sign * probe_inset * dy / length};
      if (strictly_inside(polygon, beside)) out.push_back(beside);
    }
  });
  return out;
}

bool some_probe_inside(const geo_polygon& of, const geo_polygon& in) {
  const auto points = probes(of);
  return std::any_of(points.begin(), points.end(), [&](cap::geo_point p) { return strictly_inside(in, p); });
}

bool borders_cross(const geo_polygon& a, const geo_polygon& b) {
  bool crossed = false;
  for_each_edge(a, [&](cap::geo_point p, cap::geo_point q) {
    if (crossed) return;
    for_each_edge(b, [&](cap::geo_point r, cap::geo_point s) {
      if (!crossed && cross_properly(plane(p), plane(q), plane(r), plane(s))) crossed = true;
    });
  });
  return crossed;
}

// Kilometres on a plane tangent at the circle's centre: good for the
// radii of an alert (a few km), as cap::distance_km is.
xy local_km(cap::geo_point centre, cap::geo_point p) {
  constexpr double km_per_degree = 6371.0088 * 3.14159265358979323846 / 180.0;
  return {(p.lon - centre.lon) * km_per_degree * std::cos(centre.lat * 3.14159265358979323846 / 180.0),
          (p.lat - centre.lat) * km_per_degree};
}

}  // namespace

bool polygons_overlap(const geo_polygon& a, const geo_polygon& b) {
  if (a.rings.empty() || b.rings.empty()) return false;
  return borders_cross(a, b) || some_probe_inside(a, b) || some_probe_inside(b, a);
}

bool circle_overlaps(const cap::cap_circle& circle, const geo_polygon& polygon) {
  if (polygon.rings.empty() || !(circle.radius_km >= 0)) return false;
  if (strictly_inside(polygon, circle.centre)) return true;
  bool reached = false;
  for_each_edge(polygon, [&](cap::geo_point a, cap::geo_point b) {
    if (!reached && distance_to_segment({0, 0}, local_km(circle.centre, a), local_km(circle.centre, b)) <
                        circle.radius_km)
      reached = true;
  });
  return reached;
}

geo_polygon from_closed_ring(const std::vector<cap::geo_point>& ring) {
  geo_polygon out;
  auto points = ring;
  if (points.size() > 1 && points.front() == points.back()) points.pop_back();
  out.rings.push_back(std::move(points));
  return out;
}

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

template <typename Overlaps>
place_finder::found place_finder::matching(Overlaps overlaps) const {
  found out;
  auto add = [](std::vector<std::string>& ids, const std::string& id) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  };
  for (const auto& t : towns_)
    if (overlaps(t.polygon)) add(out.towns, t.id);
  for (const auto& a : areas_)
    if (overlaps(a.polygon)) {
      add(out.areas, a.id);
      add(out.towns, a.town_id);
    }
  return out;
}

place_finder::found place_finder::overlapping(const geo_polygon& polygon) const {
  return matching([&](const geo_polygon& boundary) { return polygons_overlap(polygon, boundary); });
}

place_finder::found place_finder::overlapping(const cap::cap_circle& circle) const {
  return matching([&](const geo_polygon& boundary) { return circle_overlaps(circle, boundary); });
}

}  // namespace banditore::domain

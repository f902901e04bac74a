#include <banditore/cap/geo.hpp>

#include <cmath>
#include <numbers>

namespace banditore::cap {

bool polygon_contains(const std::vector<geo_point>& ring, geo_point p) {
  bool inside = false;
  const auto n = ring.size();
  if (n < 3) return false;
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const auto& a = ring[i];
    const auto& b = ring[j];
    // The edge straddles the horizontal line through p: count a crossing
    // when the intersection lies east of p.
    if ((a.lat > p.lat) != (b.lat > p.lat)) {
      double lon_at = a.lon + (p.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
      if (p.lon < lon_at) inside = !inside;
    }
  }
  return inside;
}

double distance_km(geo_point a, geo_point b) {
  constexpr double earth_radius_km = 6371.0088;
  constexpr double rad = std::numbers::pi / 180.0;
  double dlat = (b.lat - a.lat) * rad;
  double dlon = (b.lon - a.lon) * rad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(a.lat * rad) * std::cos(b.lat * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * earth_radius_km * std::asin(std::min(1.0, std::sqrt(h)));
}

bool circle_contains(const cap_circle& c, geo_point p) {
  return distance_km(c.centre, p) <= c.radius_km;
}

}  // namespace banditore::cap

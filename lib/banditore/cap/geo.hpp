// Points, circles and the two geometric questions the territory check asks
// of a CAP area: is our point inside this polygon, is it within this circle.
// Coordinates are WGS 84 degrees as CAP writes them ("lat,lon").
#pragma once

#include <vector>

namespace banditore::cap {

struct geo_point {
  double lat = 0;
  double lon = 0;
  bool operator==(const geo_point&) const = default;
};

struct cap_circle {
  geo_point centre;
  double radius_km = 0;
};

// Ray casting on the plane of (lon, lat). Good for the small polygons CAP
// carries (a municipality, a province); a polygon crossing the antimeridian
// or a pole is not expected in Italian alerts and is not handled. A point
// exactly on an edge may fall either way.
bool polygon_contains(const std::vector<geo_point>& ring, geo_point p);

// Great-circle distance by the haversine formula on a sphere of radius
// 6371.0088 km (the mean Earth radius); the error, under 0.5 %, is far below
// the precision of an alert's circle.
double distance_km(geo_point a, geo_point b);

bool circle_contains(const cap_circle& c, geo_point p);

}  // namespace banditore::cap

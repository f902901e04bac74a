#include <banditore/cap/geo.hpp>

#include <doctest/doctest.h>

using namespace banditore::cap;

namespace {
// A concave "C" shape open to the east, closed as CAP writes polygons.
const std::vector<geo_point> c_shape = {{45.0, 9.0}, {45.0, 10.0}, {45.2, 10.0}, {45.2, 9.2},
                                        {45.8, 9.2}, {45.8, 10.0}, {46.0, 10.0}, {46.0, 9.0},
                                        {45.0, 9.0}};
}  // namespace

TEST_CASE("a point inside the polygon is contained") {
  CHECK(polygon_contains(c_shape, {45.1, 9.5}));
  CHECK(polygon_contains(c_shape, {45.5, 9.1}));
}

TEST_CASE("a point in the notch of a concave polygon is not contained") {
  CHECK_FALSE(polygon_contains(c_shape, {45.5, 9.6}));
}

TEST_CASE("a point outside the polygon's box is not contained") {
  CHECK_FALSE(polygon_contains(c_shape, {44.0, 9.5}));
  CHECK_FALSE(polygon_contains(c_shape, {45.5, 11.0}));
}

TEST_CASE("the haversine distance from Milano to Roma is about 477 km") {
  double d = distance_km({45.4642, 9.1900}, {41.9028, 12.4964});
  CHECK(d == doctest::Approx(477.0).epsilon(0.01));
  CHECK(distance_km({45.0, 9.0}, {45.0, 9.0}) == 0.0);
}

TEST_CASE("a circle contains points up to its radius") {
  cap_circle c{{45.4642, 9.1900}, 10.0};
  CHECK(circle_contains(c, {45.5, 9.19}));    // ~4 km north
  CHECK_FALSE(circle_contains(c, {45.6, 9.19}));  // ~15 km north
}

#include <banditore/domain/audience_geo.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::domain;
using banditore::cap::geo_point;

namespace {

// A square from (lon0, lat0) to (lon1, lat1), as GeoJSON writes it.
std::string square(double lon0, double lat0, double lon1, double lat1) {
  auto p = [](double lon, double lat) { return "[" + std::to_string(lon) + "," + std::to_string(lat) + "]"; };
  return R"({"type":"Polygon","coordinates":[[)" + p(lon0, lat0) + "," + p(lon1, lat0) + "," + p(lon1, lat1) + "," +
         p(lon0, lat1) + "," + p(lon0, lat0) + "]]}";
}

audience_catalogue with_places() {
  audience_catalogue c;
  // Two towns side by side sharing the meridian 11.9; Lugo has two areas
  // sharing the parallel 44.4.
  c.towns = {{"lugo", "Comune di Lugo", {}, "", square(11.8, 44.3, 11.9, 44.5)},
             {"cotignola", "Comune di Cotignola", {}, "", square(11.9, 44.3, 12.0, 44.5)},
             {"fusignano", "Comune di Fusignano", {}, ""}};
  c.areas = {{"sud", "lugo", "Lugo sud", {}, square(11.8, 44.3, 11.9, 44.4)},
             {"nord", "lugo", "Lugo nord", {}, square(11.8, 44.4, 11.9, 44.5)},
             {"senza", "lugo", "Senza confini", {}}};
  return c;
}

}  // namespace

TEST_CASE("a GeoJSON polygon is read with its holes") {
  const std::string with_hole =
      R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]})";
  auto p = parse_geojson_polygon(with_hole);
  REQUIRE(p);
  CHECK(p->rings.size() == 2);
  CHECK(p->rings[0].size() == 4);
  CHECK(polygon_covers(*p, {2, 2}));
  CHECK_FALSE(polygon_covers(*p, {5, 5}));  // in the hole
  CHECK_FALSE(polygon_covers(*p, {11, 5}));
  // An altitude after the position is allowed.
  CHECK(parse_geojson_polygon(R"({"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]]})"));
}

TEST_CASE("what is not a GeoJSON Polygon is refused with the reason") {
  struct bad {
    const char* text;
    const char* reason;
  };
  for (const auto& b : {bad{"", "GeoJSON Polygon object"},
                        bad{"[]", "GeoJSON Polygon object"},
                        bad{R"({"type":"Point","coordinates":[1,2]})", "\"Polygon\""},
                        bad{R"({"type":"Polygon"})", "coordinates"},
                        bad{R"({"type":"Polygon","coordinates":[]})", "coordinates"},
                        bad{R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]})", "fewer than four"},
                        bad{R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]})", "does not end"},
                        bad{R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,"a"],[0,0]]]})", "[longitude, latitude]"},
                        bad{R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1],[0,0]]]})", "[longitude, latitude]"},
                        bad{R"({"type":"Polygon","coordinates":[[[0,0],[181,0],[1,1],[0,0]]]})", "outside"},
                        bad{R"({"type":"Polygon","coordinates":[[[0,0],[1,91],[1,1],[0,0]]]})", "outside"}}) {
    CAPTURE(b.text);
    std::string why;
    CHECK_FALSE(parse_geojson_polygon(b.text, &why));
    CHECK(why.find(b.reason) != std::string::npos);
  }
  std::string huge = R"({"type":"Polygon","coordinates":[[)";
  for (int i = 0; i < 10001; ++i) huge += "[0,0],";
  huge += "[0,0]]]}";
  std::string why;
  CHECK_FALSE(parse_geojson_polygon(huge, &why));
  CHECK(why.find("10000") != std::string::npos);
}

TEST_CASE("a location finds its town and area, and an area brings its town") {
  place_finder f(with_places());
  auto north = f.find({44.45, 11.85});
  CHECK(north.towns == std::vector<std::string>{"lugo"});
  CHECK(north.areas == std::vector<std::string>{"nord"});
  auto cotignola = f.find({44.35, 11.95});
  CHECK(cotignola.towns == std::vector<std::string>{"cotignola"});
  CHECK(cotignola.areas.empty());
  auto sea = f.find({44.0, 12.5});
  CHECK(sea.towns.empty());
  CHECK(sea.areas.empty());
}

TEST_CASE("a point on a border falls in exactly one of the places sharing it") {
  place_finder f(with_places());
  // On the meridian between Lugo and Cotignola.
  for (double lat : {44.31, 44.35, 44.42, 44.49}) {
    CAPTURE(lat);
    auto on_edge = f.find({lat, 11.9});
    CHECK(on_edge.towns.size() == 1);
  }
  // On the parallel between Lugo nord and Lugo sud.
  for (double lon : {11.81, 11.85, 11.89}) {
    CAPTURE(lon);
    auto on_edge = f.find({44.4, lon});
    CHECK(on_edge.areas.size() == 1);
    CHECK(on_edge.towns == std::vector<std::string>{"lugo"});
  }
  // Just either side of the border.
  CHECK(f.find({44.35, 11.8999999}).towns == std::vector<std::string>{"lugo"});
  CHECK(f.find({44.35, 11.9000001}).towns == std::vector<std::string>{"cotignola"});
  CHECK(f.find({44.3999999, 11.85}).areas == std::vector<std::string>{"sud"});
  CHECK(f.find({44.4000001, 11.85}).areas == std::vector<std::string>{"nord"});
}

TEST_CASE("a catalogue without boundaries finds nothing") {
  audience_catalogue c;
  c.towns = {{"lugo", "Comune di Lugo", {}, ""}};
  place_finder f(c);
  CHECK(f.empty());
  CHECK(f.find({44.4, 11.9}).towns.empty());
}

TEST_CASE("two places overlap when they share some inside, never by a border or a corner alone") {
  auto p = [](const std::string& text) { return *parse_geojson_polygon(text); };
  const auto lugo = p(square(11.8, 44.3, 11.9, 44.5));
  CHECK_FALSE(polygons_overlap(lugo, p(square(11.9, 44.3, 12.0, 44.5))));  // a shared edge
  CHECK_FALSE(polygons_overlap(lugo, p(square(11.9, 44.5, 12.0, 44.6))));  // a shared corner
  CHECK_FALSE(polygons_overlap(lugo, p(square(11.9, 44.35, 12.0, 44.45))));  // part of an edge
  CHECK(polygons_overlap(lugo, lugo));                                      // the same
  CHECK(polygons_overlap(lugo, p(square(11.85, 44.35, 11.86, 44.36))));     // inside
  CHECK(polygons_overlap(p(square(11.85, 44.35, 11.86, 44.36)), lugo));     // holding it
  CHECK(polygons_overlap(lugo, p(square(11.85, 44.0, 11.86, 45.0))));       // crossing it, no vertex inside
  CHECK(polygons_overlap(lugo, p(square(11.8, 44.3, 11.9, 44.4))));         // its southern half, borders shared
  CHECK_FALSE(polygons_overlap(lugo, p(square(12.5, 44.3, 12.6, 44.5))));   // far away

  const auto with_hole = p(
      R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]})");
  CHECK_FALSE(polygons_overlap(with_hole, p(square(4.5, 4.5, 5.5, 5.5))));  // in the hole
  CHECK(polygons_overlap(with_hole, p(square(3, 3, 5, 5))));                // across the hole's edge
}

TEST_CASE("a circle overlaps a place it falls in or whose border it reaches") {
  const auto lugo = *parse_geojson_polygon(square(11.8, 44.3, 11.9, 44.5));
  CHECK(circle_overlaps({{44.4, 11.85}, 0.1}, lugo));
  // 0.01 degrees of longitude at 44.4 N are about 0.795 km.
  CHECK(circle_overlaps({{44.4, 11.91}, 0.9}, lugo));
  CHECK_FALSE(circle_overlaps({{44.4, 11.91}, 0.7}, lugo));
  CHECK(circle_overlaps({{44.4, 11.0}, 500}, lugo));  // holding it
}

TEST_CASE("the catalogue's places a polygon or a circle overlaps, with the areas' towns") {
  const place_finder finder(with_places());
  auto found = finder.overlapping(from_closed_ring({{44.35, 11.85}, {44.35, 11.95}, {44.36, 11.95}, {44.35, 11.85}}));
  CHECK(found.towns == std::vector<std::string>{"lugo", "cotignola"});
  CHECK(found.areas == std::vector<std::string>{"sud"});
  found = finder.overlapping(banditore::cap::cap_circle{{44.45, 11.85}, 1});
  CHECK(found.towns == std::vector<std::string>{"lugo"});
  CHECK(found.areas == std::vector<std::string>{"nord"});
}

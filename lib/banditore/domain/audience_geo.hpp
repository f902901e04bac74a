// Where a shared location falls: the towns and areas whose boundary
// (a GeoJSON Polygon, kept in the catalogue) contains it. The point is
// used here and forgotten: only the ids found go further.
#pragma once

#include <banditore/cap/geo.hpp>
#include <banditore/domain/audience.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

// A polygon's rings, outer boundary first, then its holes. GeoJSON closes
// each ring by repeating its first position last (RFC 7946 3.1.6); that
// repetition is dropped when read, so each vertex is here once.
struct geo_polygon {
  std::vector<std::vector<cap::geo_point>> rings;
};

inline constexpr std::size_t max_polygon_positions = 10000;
inline constexpr std::size_t max_polygon_text = 1024 * 1024;

// Reads {"type":"Polygon","coordinates":[[[lon,lat],...],...]}: positions
// [longitude, latitude] (an altitude after them is allowed and ignored)
// within -180..180 and -90..90, every ring of at least four positions and
// closed, at most max_polygon_positions in all. On refusal, why says what
// is wrong (for a 422 or the command line).
std::optional<geo_polygon> parse_geojson_polygon(std::string_view text, std::string* why = nullptr);

// Inside the outer ring and in none of the holes. On a border the rule of
// cap::polygon_contains holds: of two polygons sharing an edge, a point on
// it falls in exactly one.
bool polygon_covers(const geo_polygon& polygon, cap::geo_point point);

// Whether two places share some of their inside (a CAP alert's area and a
// town's or area's boundary). A border they only share, or a corner they
// touch, does not count: towns side by side share borders, and an alert
// drawn along one town's border is not for its neighbour. Computed on the
// plane of (lon, lat), like polygon_contains; a place thinner than about a
// metre is not seen.
bool polygons_overlap(const geo_polygon& a, const geo_polygon& b);
// The circle reaches inside the polygon: its centre is inside, or one of
// the polygon's edges passes closer to the centre than the radius.
bool circle_overlaps(const cap::cap_circle& circle, const geo_polygon& polygon);
// A CAP polygon (closed: its first point repeated last) as a geo_polygon.
geo_polygon from_closed_ring(const std::vector<cap::geo_point>& ring);

// The catalogue's boundaries, read once per catalogue.
class place_finder {
 public:
  explicit place_finder(const audience_catalogue& catalogue);
  struct found {
    std::vector<std::string> towns, areas;  // an area's town is among towns
  };
  found find(cap::geo_point point) const;
  // The towns and areas whose boundary the place overlaps; an area's town
  // is among towns.
  found overlapping(const geo_polygon& polygon) const;
  found overlapping(const cap::cap_circle& circle) const;
  bool empty() const { return towns_.empty() && areas_.empty(); }

 private:
  struct place {
    std::string id, town_id;
    geo_polygon polygon;
  };
  std::vector<place> towns_, areas_;
  template <typename Overlaps>
  found matching(Overlaps overlaps) const;
};

}  // namespace banditore::domain

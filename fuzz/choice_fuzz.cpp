// What a citizen or the catalogue's editor sends about places and choices:
// a tapped row's payload id (interactive.list_reply.id / button_reply.id,
// which any client can forge) and a GeoJSON Polygon (REST, command line).
// Ids name only catalogue ids; a polygon read has rings of three vertices
// or more, bounded and in range, and a refusal says why.
#include "check.hpp"

#include <banditore/domain/audience_geo.hpp>
#include <banditore/domain/audience_rules.hpp>
#include <banditore/domain/choices.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using banditore::fuzz::require;
  namespace domain = banditore::domain;
  const auto input = banditore::fuzz::bytes(data, size);

  if (auto r = domain::parse_choice_id(input)) {
    for (const auto* ids : {&r->towns, &r->topics, &r->areas})
      for (const auto& id : *ids) require(domain::valid_audience_id(id), "a payload names only catalogue ids");
    require(r->list.empty() || r->list == "choices" || r->list == "towns", "a page is of a list we send");
    require(r->page <= 1000, "a page number is bounded");
  }

  std::string why;
  const auto polygon = domain::parse_geojson_polygon(input, &why);
  if (!polygon) {
    require(!why.empty(), "a refused polygon says why");
    return 0;
  }
  require(!polygon->rings.empty(), "a polygon has its outer ring");
  std::size_t positions = 0;
  for (const auto& ring : polygon->rings) {
    // Read from a closed ring of at least four positions, the repetition dropped.
    require(ring.size() >= 3, "a ring has at least three vertices");
    for (const auto& p : ring)
      require(p.lat >= -90 && p.lat <= 90 && p.lon >= -180 && p.lon <= 180, "positions are in range");
    positions += ring.size();
  }
  require(positions <= domain::max_polygon_positions, "a polygon is bounded");
  // Asking about any point of it is safe.
  (void)domain::polygon_covers(*polygon, polygon->rings.front().front());
  return 0;
}

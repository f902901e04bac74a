// Who a CAP alert is for, in the deployment's audience: towns by the
// ISTAT code of the area's geocode (<geocode><valueName>ISTAT</valueName>
// <value>039012</value>, as Italian civil protection writes it) and by the
// boundaries its <polygon>s and <circle>s overlap, areas by their
// boundaries too; topics by a configured mapping from the info's category
// or event, falling back to emergenze. The policy has already decided the
// alert concerns our territory, so what cannot be mapped reaches everyone
// rather than no one.
#pragma once

#include <banditore/cap/alert.hpp>
#include <banditore/domain/alert_audience.hpp>
#include <banditore/domain/audience.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace banditore::cap {

// "Met=meteo,Transport=strade,event:Incendio boschivo=emergenze": a CAP
// category (Geo, Met, Safety, Security, Rescue, Fire, Health, Env,
// Transport, Infra, CBRNE, Other) or "event:" and an event's exact text
// (any letter case), and the topic id it maps to.
struct cap_topic_rule {
  std::string category;  // empty for an event rule
  std::string event;
  std::string topic;
};
struct cap_topic_map {
  std::vector<cap_topic_rule> rules;
  std::string fallback = "emergenze";
};
// Throws std::invalid_argument saying what is wrong.
cap_topic_map parse_cap_topic_map(std::string_view text);

// Towns: those an ISTAT geocode names (reached whole) and those whose
// boundary a polygon or circle overlaps (a shared border does not count).
// Areas: a town reached only by geometry is narrowed to the areas the
// geometry overlaps, plus its areas without a boundary (nobody can tell
// whether they are concerned, so they are); when that is all its areas,
// or none, the town is reached whole. An area that names no known town,
// by code or by boundary, leaves towns absent (every town) and, when note
// is given, says so in it (English, for the operator).
// Topics: an event rule first, then the first category rule for the
// info's categories in order, then the fallback; a topic not in the
// catalogue leaves topics absent (all).
domain::alert_audience cap_audience(const cap_info& info, const domain::audience_catalogue& catalogue,
                                    const cap_topic_map& topics, std::string* note = nullptr);

}  // namespace banditore::cap

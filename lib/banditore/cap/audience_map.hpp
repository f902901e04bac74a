// Who a CAP alert is for, in the deployment's audience: towns by the
// ISTAT code of the area's geocode (<geocode><valueName>ISTAT</valueName>
// <value>039012</value>, as Italian civil protection writes it), topics by
// a configured mapping from the info's category or event, falling back to
// emergenze. The policy has already decided the alert concerns our
// territory, so what cannot be mapped reaches everyone rather than no one.
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

// An event rule first, then the first category rule for the info's
// categories in order, then the fallback. A topic, or every town, that is
// not in the catalogue leaves that list absent (all).
domain::alert_audience cap_audience(const cap_info& info, const domain::audience_catalogue& catalogue,
                                    const cap_topic_map& topics);

}  // namespace banditore::cap

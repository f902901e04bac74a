#include <banditore/app/public_cap.hpp>

#include <banditore/cap/write.hpp>
#include <banditore/domain/audience_geo.hpp>

#include <algorithm>
#include <optional>

#include <stdexcept>

namespace banditore::app {

namespace {

// CAP 1.2 3.2.2 categories for ours.
std::string cap_category(std::string_view c) {
  if (c == "water") return "Infra";
  if (c == "roads") return "Transport";
  if (c == "weather") return "Met";
  if (c == "civil_protection") return "Safety";
  if (c == "health") return "Health";
  return "Other";
}

std::string cap_event(std::string_view c) {
  if (c == "water") return "Servizio idrico";
  if (c == "roads") return "Viabilità";
  if (c == "weather") return "Meteo";
  if (c == "civil_protection") return "Protezione civile";
  if (c == "health") return "Salute";
  return "Avviso";
}

std::string cap_severity(std::string_view s) {
  if (s == "extreme") return "Extreme";
  if (s == "severe") return "Severe";
  if (s == "moderate") return "Moderate";
  if (s == "minor") return "Minor";
  return "Unknown";
}

// The area's outer boundary as CAP writes a polygon: (lat, lon) points,
// the first repeated last (CAP 1.2, 3.3.2.1). Holes have no CAP form.
std::optional<std::vector<cap::geo_point>> cap_ring(const std::string& geojson) {
  if (geojson.empty()) return std::nullopt;
  auto polygon = domain::parse_geojson_polygon(geojson);
  if (!polygon || polygon->rings.empty() || polygon->rings[0].size() < 3) return std::nullopt;
  auto ring = polygon->rings[0];
  ring.push_back(ring.front());
  return ring;
}

cap::cap_info info_of(const store::public_alert& a, const cap_publisher& p, const domain::audience_catalogue& catalogue,
                      const std::string& attachment_sha1) {
  const auto places = places_of(a.audience, catalogue);
  cap::cap_info i;
  i.language = "it-IT";
  i.categories = {cap_category(a.category)};
  i.event = cap_event(a.category);
  // The press office says neither how soon nor how sure: CAP's Unknown.
  i.urgency = "Unknown";
  i.severity = cap_severity(a.severity);
  i.certainty = "Unknown";
  i.sender_name = p.sender_name;
  i.headline = a.title;
  i.description = a.text;
  i.web = p.base_url + "/avvisi/" + std::to_string(a.id);
  if (a.expires_at) i.expires = cap::cap_date(*a.expires_at);
  if (a.attachment) {
    cap::cap_resource r;
    r.desc = (a.attachment->mime_type == "application/pdf" ? "Documento: " : "Immagine: ") + attachment_filename(a);
    r.mime_type = a.attachment->mime_type;
    r.size = a.attachment->size;
    r.uri = p.base_url + "/avvisi/" + std::to_string(a.id) + "/allegato";
    r.digest = attachment_sha1;
    i.resources.push_back(std::move(r));
  }
  cap::cap_area area;
  for (const auto& t : places.towns) {
    area.desc += (area.desc.empty() ? "" : ", ") + t.name;
    // The name CAP feeds of the Italian civil protection use for it.
    if (!t.istat_code.empty()) area.geocodes.emplace_back("ISTAT", t.istat_code);
    // Its boundary too, when the catalogue has it: an aggregator that
    // knows no ISTAT code still places the alert on a map.
    if (auto ring = cap_ring(t.polygon)) area.polygons.push_back(std::move(*ring));
  }
  if (area.desc.empty()) area.desc = p.sender_name;
  i.areas.push_back(std::move(area));
  for (const auto& ar : places.areas) {
    cap::cap_area own;
    own.desc = ar.name;
    for (const auto& t : places.towns)
      if (t.id == ar.town_id) {
        own.desc += " (" + t.name + ")";
        if (!t.istat_code.empty()) own.geocodes.emplace_back("ISTAT", t.istat_code);
      }
    if (auto ring = cap_ring(ar.polygon)) own.polygons.push_back(std::move(*ring));
    i.areas.push_back(std::move(own));
  }
  return i;
}

}  // namespace

alert_places places_of(const domain::alert_audience& audience, const domain::audience_catalogue& catalogue) {
  // The rule of domain/alert_audience.hpp: a town is reached when the alert
  // names no towns or that one, and names no areas or one of that town's.
  auto named = [](const std::optional<std::vector<std::string>>& ids, const std::string& id) {
    return !ids || std::find(ids->begin(), ids->end(), id) != ids->end();
  };
  alert_places out;
  for (const auto& t : catalogue.towns) {
    if (!named(audience.towns, t.id)) continue;
    bool reached = !audience.areas;
    for (const auto& ar : catalogue.areas)
      if (audience.areas && ar.town_id == t.id && named(audience.areas, ar.id)) {
        out.areas.push_back(ar);
        reached = true;
      }
    if (reached) out.towns.push_back(t);
  }
  return out;
}

std::string attachment_filename(const store::public_alert& a) {
  if (!a.attachment) return {};
  if (!a.attachment->filename.empty()) return a.attachment->filename;
  const auto& type = a.attachment->mime_type;
  const char* ext = type == "image/png" ? ".png" : type == "application/pdf" ? ".pdf" : ".jpg";
  return "avviso-" + std::to_string(a.id) + ext;
}

std::string cap_identifier(std::int64_t alert_id) { return "banditore-avviso-" + std::to_string(alert_id); }

cap::cap_alert cap_alert_of(const store::public_alert& a, const cap_publisher& p,
                            const domain::audience_catalogue& catalogue, const store::public_alert* earlier,
                            const std::string& attachment_sha1) {
  cap::cap_alert out;
  out.identifier = cap_identifier(a.id);
  out.sender = p.sender;
  out.sent = cap::cap_date(a.created_at);
  out.status = "Actual";
  out.msg_type = "Alert";
  out.scope = "Public";
  if (earlier && a.updates == earlier->id) {
    out.msg_type = "Update";
    out.references.push_back({p.sender, cap_identifier(earlier->id), cap::cap_date(earlier->created_at)});
  }
  out.infos.push_back(info_of(a, p, catalogue, attachment_sha1));
  return out;
}

cap::cap_alert cap_cancel_of(const store::public_alert& a, const cap_publisher& p,
                             const domain::audience_catalogue& catalogue, const std::string& attachment_sha1) {
  if (!a.cancelled_at) throw std::invalid_argument("alert " + std::to_string(a.id) + " is not cancelled");
  const auto original = cap_alert_of(a, p, catalogue);
  cap::cap_alert out;
  out.identifier = original.identifier + "-cancel";
  out.sender = p.sender;
  out.sent = cap::cap_date(*a.cancelled_at);
  out.status = "Actual";
  out.msg_type = "Cancel";
  out.scope = "Public";
  out.note = "Avviso annullato";
  out.references.push_back({original.sender, original.identifier, original.sent});
  auto info = info_of(a, p, catalogue, attachment_sha1);
  info.headline = "ANNULLATO: " + a.title;
  out.infos.push_back(std::move(info));
  return out;
}

}  // namespace banditore::app

#include <banditore/app/public_cap.hpp>

#include <banditore/cap/write.hpp>

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

cap::cap_info info_of(const store::public_alert& a, const cap_publisher& p, const std::vector<domain::town>& towns) {
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
  cap::cap_area area;
  for (const auto& t : towns) {
    area.desc += (area.desc.empty() ? "" : ", ") + t.name;
    // The name CAP feeds of the Italian civil protection use for it.
    if (!t.istat_code.empty()) area.geocodes.emplace_back("ISTAT", t.istat_code);
  }
  if (area.desc.empty()) area.desc = p.sender_name;
  i.areas.push_back(std::move(area));
  return i;
}

}  // namespace

std::string cap_identifier(std::int64_t alert_id) { return "banditore-avviso-" + std::to_string(alert_id); }

cap::cap_alert cap_alert_of(const store::public_alert& a, const cap_publisher& p,
                            const std::vector<domain::town>& towns) {
  cap::cap_alert out;
  out.identifier = cap_identifier(a.id);
  out.sender = p.sender;
  out.sent = cap::cap_date(a.created_at);
  out.status = "Actual";
  out.msg_type = "Alert";
  out.scope = "Public";
  out.infos.push_back(info_of(a, p, towns));
  return out;
}

cap::cap_alert cap_cancel_of(const store::public_alert& a, const cap_publisher& p,
                             const std::vector<domain::town>& towns) {
  if (!a.cancelled_at) throw std::invalid_argument("alert " + std::to_string(a.id) + " is not cancelled");
  const auto original = cap_alert_of(a, p, towns);
  cap::cap_alert out;
  out.identifier = original.identifier + "-cancel";
  out.sender = p.sender;
  out.sent = cap::cap_date(*a.cancelled_at);
  out.status = "Actual";
  out.msg_type = "Cancel";
  out.scope = "Public";
  out.note = "Avviso annullato";
  out.references.push_back({original.sender, original.identifier, original.sent});
  auto info = info_of(a, p, towns);
  info.headline = "ANNULLATO: " + a.title;
  out.infos.push_back(std::move(info));
  return out;
}

}  // namespace banditore::app

#include <banditore/cap/write.hpp>

#include <banditore/cap/xml_util.hpp>

#include <date/date.h>
#include <fmt/format.h>
#include <pugixml.hpp>

#include <sstream>

namespace banditore::cap {

namespace {


void text(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).append_child(pugi::node_pcdata).set_value(xml_text(value).c_str());
}

void optional_text(pugi::xml_node parent, const char* name, const std::string& value) {
  if (!value.empty()) text(parent, name, value);
}

void values(pugi::xml_node parent, const char* name, const cap_values& pairs) {
  for (const auto& [k, v] : pairs) {
    auto n = parent.append_child(name);
    text(n, "valueName", k);
    text(n, "value", v);
  }
}

std::string point_text(geo_point p) { return fmt::format("{:.6f},{:.6f}", p.lat, p.lon); }

}  // namespace

cap_time cap_date(std::int64_t unix_ms) {
  const auto seconds = std::chrono::sys_seconds{std::chrono::seconds{unix_ms / 1000}};
  cap_time t;
  t.utc = seconds;
  t.text = date::format("%Y-%m-%dT%H:%M:%S-00:00", seconds);
  return t;
}

std::string cap_xml(const cap_alert& a) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child("alert");
  root.append_attribute("xmlns") = "urn:oasis:names:tc:emergency:cap:1.2";
  text(root, "identifier", a.identifier);
  text(root, "sender", a.sender);
  text(root, "sent", a.sent.text);
  text(root, "status", a.status);
  text(root, "msgType", a.msg_type);
  text(root, "scope", a.scope);
  optional_text(root, "note", a.note);
  if (!a.references.empty()) {
    std::string refs;
    for (const auto& r : a.references) {
      if (!refs.empty()) refs += ' ';
      refs += r.sender + "," + r.identifier + "," + r.sent.text;
    }
    text(root, "references", refs);
  }
  for (const auto& i : a.infos) {
    auto info = root.append_child("info");
    optional_text(info, "language", i.language);
    for (const auto& c : i.categories) text(info, "category", c);
    text(info, "event", i.event);
    text(info, "urgency", i.urgency);
    text(info, "severity", i.severity);
    text(info, "certainty", i.certainty);
    if (i.effective) text(info, "effective", i.effective->text);
    if (i.onset) text(info, "onset", i.onset->text);
    if (i.expires) text(info, "expires", i.expires->text);
    optional_text(info, "senderName", i.sender_name);
    optional_text(info, "headline", i.headline);
    optional_text(info, "description", i.description);
    optional_text(info, "instruction", i.instruction);
    optional_text(info, "web", i.web);
    optional_text(info, "contact", i.contact);
    values(info, "parameter", i.parameters);
    for (const auto& r : i.resources) {
      auto res = info.append_child("resource");
      text(res, "resourceDesc", r.desc);
      text(res, "mimeType", r.mime_type);
      if (r.size) text(res, "size", std::to_string(*r.size));
      optional_text(res, "uri", r.uri);
      optional_text(res, "digest", r.digest);
    }
    for (const auto& ar : i.areas) {
      auto area = info.append_child("area");
      text(area, "areaDesc", ar.desc);
      for (const auto& ring : ar.polygons) {
        std::string p;
        for (const auto& pt : ring) p += (p.empty() ? "" : " ") + point_text(pt);
        text(area, "polygon", p);
      }
      for (const auto& c : ar.circles) text(area, "circle", point_text(c.centre) + fmt::format(" {}", c.radius_km));
      values(area, "geocode", ar.geocodes);
    }
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace banditore::cap

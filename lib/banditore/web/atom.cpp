#include <banditore/web/atom.hpp>

#include <banditore/cap/xml_util.hpp>

#include <date/date.h>
#include <pugixml.hpp>

#include <chrono>
#include <sstream>

namespace banditore::web {

namespace {


void text_child(pugi::xml_node parent, const char* name, const std::string& text) {
  parent.append_child(name).append_child(pugi::node_pcdata).set_value(cap::xml_text(text).c_str());
}

void link(pugi::xml_node parent, const char* rel, const std::string& href, const char* type = nullptr) {
  auto l = parent.append_child("link");
  l.append_attribute("rel") = rel;
  l.append_attribute("href") = cap::xml_text(href).c_str();
  if (type) l.append_attribute("type") = type;
}

}  // namespace

std::string atom_date(std::int64_t unix_ms) {
  const auto t = date::floor<std::chrono::seconds>(std::chrono::sys_time<std::chrono::milliseconds>{
      std::chrono::milliseconds{unix_ms}});
  return date::format("%Y-%m-%dT%H:%M:%SZ", t);
}

std::string atom_xml(const atom_feed& feed) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  auto root = doc.append_child("feed");
  root.append_attribute("xmlns") = "http://www.w3.org/2005/Atom";
  root.append_attribute("xml:lang") = "it";
  text_child(root, "id", feed.id);
  text_child(root, "title", feed.title);
  text_child(root, "updated", atom_date(feed.updated_ms));
  text_child(root.append_child("author"), "name", feed.author);
  link(root, "self", feed.self, "application/atom+xml");
  link(root, "alternate", feed.alternate, "text/html");
  for (const auto& e : feed.entries) {
    auto entry = root.append_child("entry");
    text_child(entry, "id", e.id);
    text_child(entry, "title", e.title);
    text_child(entry, "published", atom_date(e.published_ms));
    text_child(entry, "updated", atom_date(e.updated_ms));
    link(entry, "alternate", e.link, e.link_type.c_str());
    for (const auto& l : e.links) {
      link(entry, cap::xml_text(l.rel).c_str(), l.href, l.type.empty() ? nullptr : cap::xml_text(l.type).c_str());
      if (l.length >= 0) entry.last_child().append_attribute("length") = std::to_string(l.length).c_str();
    }
    for (const auto& c : e.categories) entry.append_child("category").append_attribute("term") = cap::xml_text(c).c_str();
    auto summary = entry.append_child("summary");
    summary.append_attribute("type") = "text";
    summary.append_child(pugi::node_pcdata).set_value(cap::xml_text(e.summary).c_str());
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace banditore::web

#include <banditore/cap/feed.hpp>

#include <banditore/cap/xml_util.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace banditore::cap {

namespace {

constexpr std::string_view atom_ns = "http://www.w3.org/2005/Atom";
constexpr std::string_view cap_type = "application/cap+xml";

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

bool is_absolute_http(std::string_view url) {
  return starts_with_nocase(url, "https://") || starts_with_nocase(url, "http://");
}

std::string attr(const pugi::xml_node& n, const char* name) {
  return std::string(trim(n.attribute(name).value()));
}

std::optional<std::string> atom_entry_link(const pugi::xml_node& entry) {
  auto links = children_in(entry, atom_ns, "link");
  for (const auto& l : links)
    if (attr(l, "type") == cap_type && !attr(l, "href").empty()) return attr(l, "href");
  for (const auto& l : links) {
    auto rel = attr(l, "rel");
    if ((rel.empty() || rel == "alternate") && !attr(l, "href").empty()) return attr(l, "href");
  }
  for (const auto& c : children_in(entry, atom_ns, "content"))
    if (!attr(c, "src").empty()) return attr(c, "src");
  return std::nullopt;
}

std::optional<std::string> rss_item_link(const pugi::xml_node& item) {
  auto enclosures = children_in(item, "", "enclosure");
  for (const auto& e : enclosures)
    if (attr(e, "type") == cap_type && !attr(e, "url").empty()) return attr(e, "url");
  for (const auto& l : children_in(item, "", "link"))
    if (auto text = trimmed_text(l); !text.empty()) return text;
  for (const auto& e : enclosures)
    if (!attr(e, "url").empty()) return attr(e, "url");
  return std::nullopt;
}

void keep(feed_parse_result& out, std::optional<std::string> url) {
  if (!url || !is_absolute_http(*url)) return;
  if (std::find(out.links.begin(), out.links.end(), *url) == out.links.end())
    out.links.push_back(std::move(*url));
}

}  // namespace

feed_parse_result cap_links_from_feed(std::string_view xml, std::size_t max_bytes) {
  feed_parse_result out;
  pugi::xml_document doc;
  if (auto refusal = load_untrusted_xml(doc, xml, max_bytes)) {
    out.element = std::move(refusal->element);
    out.reason = std::move(refusal->reason);
    return out;
  }
  auto root = doc.document_element();
  if (local_name(root) == "feed" && namespace_uri(root) == atom_ns) {
    for (const auto& entry : children_in(root, atom_ns, "entry")) keep(out, atom_entry_link(entry));
  } else if (local_name(root) == "rss" && namespace_uri(root).empty()) {
    for (const auto& channel : children_in(root, "", "channel"))
      for (const auto& item : children_in(channel, "", "item")) keep(out, rss_item_link(item));
  } else {
    out.element = "feed";
    out.reason = "root element <" + std::string(root.name()) +
                 "> is neither an Atom <feed> nor an RSS 2.0 <rss>";
  }
  return out;
}

}  // namespace banditore::cap

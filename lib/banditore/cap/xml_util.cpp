#include <banditore/cap/xml_util.hpp>

#include <banditore/domain/utf8.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace banditore::cap {

namespace {

bool contains_ascii_nocase(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::toupper(static_cast<unsigned char>(a)) == std::toupper(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

std::string size_text(std::size_t bytes) {
  constexpr std::size_t mib = 1 << 20;
  if (bytes >= mib && bytes % mib == 0) return fmt::format("{} MiB", bytes / mib);
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes / 1024);
  return fmt::format("{} bytes", bytes);
}

bool utf8_without_nul(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    if (!domain::utf8::next_code_point(text, pos, cp) || cp == 0) return false;
  }
  return true;
}

bool decoded_text_is_utf8(const pugi::xml_document& doc) {
  std::vector<pugi::xml_node> pending{doc.document_element()};
  while (!pending.empty()) {
    const auto node = pending.back();
    pending.pop_back();
    if (!utf8_without_nul(node.value())) return false;
    for (auto a : node.attributes())
      if (!utf8_without_nul(a.value())) return false;
    for (auto c : node.children()) pending.push_back(c);
  }
  return true;
}

}  // namespace

std::optional<xml_refusal> load_untrusted_xml(pugi::xml_document& doc, std::string_view xml,
                                              std::size_t max_bytes) {
  if (xml.size() > max_bytes)
    return xml_refusal{"document", "larger than " + size_text(max_bytes)};
  // pugixml neither expands declared entities nor fetches external ones,
  // but a document that declares them is hostile or broken either way, and
  // refusing on the raw text keeps that true whatever parser comes later.
  if (contains_ascii_nocase(xml, "<!DOCTYPE"))
    return xml_refusal{"document", "a DOCTYPE (DTD) is not accepted"};
  if (contains_ascii_nocase(xml, "<!ENTITY"))
    return xml_refusal{"document", "an ENTITY declaration is not accepted"};

  // CAP requires UTF-8, and pugixml does not check it: invalid bytes would
  // reach subscribers as U+FFFD and the stored text would break every JSON
  // answer that carries it. The reason names the offset, never the bytes.
  for (std::size_t pos = 0; pos < xml.size();) {
    const auto at = pos;
    char32_t cp = 0;
    if (!domain::utf8::next_code_point(xml, pos, cp))
      return xml_refusal{"document", fmt::format("not UTF-8: an invalid byte sequence at byte {}", at)};
  }
  // Forcing UTF-8 also keeps a UTF-16 document from hiding a DOCTYPE from
  // the byte search above.
  auto options = pugi::parse_default | pugi::parse_doctype;
  auto result = doc.load_buffer(xml.data(), xml.size(), options, pugi::encoding_utf8);
  if (!result)
    return xml_refusal{"document", fmt::format("not well-formed XML: {} at byte {}",
                                               result.description(), result.offset)};
  for (auto child : doc.children())
    if (child.type() == pugi::node_doctype)
      return xml_refusal{"document", "a DOCTYPE (DTD) is not accepted"};
  if (!doc.document_element())
    return xml_refusal{"document", "not well-formed XML: no root element"};
  // A character reference (&#xD800;, &#0;) is decoded by pugixml into
  // bytes that are not UTF-8 text, past the check of the raw bytes.
  if (!decoded_text_is_utf8(doc))
    return xml_refusal{"document", "a character reference that is not a Unicode character"};
  return std::nullopt;
}

std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view namespace_uri(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  std::string attr = colon == std::string_view::npos
                         ? std::string("xmlns")
                         : "xmlns:" + std::string(name.substr(0, colon));
  for (auto p = n; p && p.type() == pugi::node_element; p = p.parent())
    if (auto a = p.attribute(attr.c_str())) return a.value();
  return {};
}

std::vector<pugi::xml_node> children_in(const pugi::xml_node& parent, std::string_view ns,
                                        std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (auto c : parent.children())
    if (c.type() == pugi::node_element && local_name(c) == local && namespace_uri(c) == ns)
      out.push_back(c);
  return out;
}

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string trimmed_text(const pugi::xml_node& n) {
  std::string text;
  for (auto c : n.children())
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) text += c.value();
  return std::string(trim(text));
}

std::string xml_text(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += c;
  return out;
}

}  // namespace banditore::cap

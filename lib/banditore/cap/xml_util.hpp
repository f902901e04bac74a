// What the CAP reader and the feed reader share: loading untrusted XML
// safely (size bound, no DTD, UTF-8 only) and namespace-aware lookups,
// which pugixml leaves to its caller.
#pragma once

#include <pugixml.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::cap {

struct xml_refusal {
  std::string element;
  std::string reason;
};

// Loads xml into doc, or says why not: larger than max_bytes, any DOCTYPE or
// ENTITY declaration (entity expansion bombs, external entities: no alert
// needs a DTD, so none is accepted), or not well-formed UTF-8 XML.
std::optional<xml_refusal> load_untrusted_xml(pugi::xml_document& doc, std::string_view xml,
                                              std::size_t max_bytes);

// "cap:alert" -> "alert".
std::string_view local_name(const pugi::xml_node& n);

// The namespace URI of an element, resolved through the xmlns and xmlns:p
// declarations of it and its ancestors; empty when none applies.
std::string_view namespace_uri(const pugi::xml_node& n);

// Element children of parent with this local name in namespace ns.
std::vector<pugi::xml_node> children_in(const pugi::xml_node& parent, std::string_view ns,
                                        std::string_view local);

// The character data directly inside an element (text and CDATA joined),
// with leading and trailing white space removed.
std::string trimmed_text(const pugi::xml_node& n);

std::string_view trim(std::string_view s);

// Text as XML 1.0 may carry it (section 2.2): tab, newline and carriage
// return are the only control characters kept; anything else below 0x20 is
// dropped. For the documents and feeds banditore writes.
std::string xml_text(const std::string& s);

}  // namespace banditore::cap

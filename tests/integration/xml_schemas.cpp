#include "xml_schemas.hpp"

#include <pugixml.hpp>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

namespace harness {

namespace {

std::string schema(const char* variable, const char* file) {
  if (const char* v = std::getenv(variable); v && *v) return v;
  return std::string(BANDITORE_FIXTURES) + "/schemas/" + file;
}

}  // namespace

std::pair<int, std::string> validate_xml(const std::filesystem::path& file) {
  const bool cap = file.extension() == ".xml";
  const auto option = cap ? "--schema '" + schema("BANDITORE_TEST_CAP_XSD", "cap-1.2.xsd") + "'"
                          : "--relaxng '" + schema("BANDITORE_TEST_ATOM_RNG", "atom.rng") + "'";
  const auto command = "xmllint --noout " + option + " '" + file.string() + "' 2>&1";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  return {::pclose(pipe), out};
}

std::string atom_rule_broken(const std::string& feed_text) {
  pugi::xml_document doc;
  if (!doc.load_string(feed_text.c_str())) return "not XML";
  const auto feed = doc.child("feed");
  if (!feed) return "no feed";
  auto alternates_unique = [](pugi::xml_node n) {
    std::set<std::string> seen;
    for (auto l : n.children("link")) {
      const std::string_view rel = l.attribute("rel") ? l.attribute("rel").value() : "alternate";
      if (rel != "alternate") continue;
      if (!seen.insert(std::string(l.attribute("type").value()) + "|" + l.attribute("hreflang").value()).second)
        return false;
    }
    return true;
  };
  auto has_alternate = [](pugi::xml_node n) {
    for (auto l : n.children("link"))
      if (!l.attribute("rel") || std::string_view(l.attribute("rel").value()) == "alternate") return true;
    return false;
  };
  if (!alternates_unique(feed)) return "feed: two alternate links of one type and language";
  const bool feed_author = static_cast<bool>(feed.child("author"));
  for (auto e : feed.children("entry")) {
    const std::string id = e.child_value("id");
    if (!feed_author && !e.child("author") && !e.child("source").child("author"))
      return "entry " + id + ": no author, and the feed has none";
    if (!e.child("content") && !has_alternate(e)) return "entry " + id + ": neither content nor an alternate link";
    if (!alternates_unique(e)) return "entry " + id + ": two alternate links of one type and language";
  }
  return "";
}

}  // namespace harness

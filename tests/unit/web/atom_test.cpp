#include <banditore/web/atom.hpp>

#include <doctest/doctest.h>
#include <pugixml.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

using namespace banditore::web;
namespace fs = std::filesystem;

namespace {

atom_feed lugo_feed() {
  atom_feed f;
  f.id = "https://avvisi.comune.lugo.ra.it/avvisi.atom";
  f.title = "Avvisi del Comune di Lugo";
  f.self = f.id;
  f.alternate = "https://avvisi.comune.lugo.ra.it/avvisi";
  f.author = "Comune di Lugo";
  f.updated_ms = 1'796'220'000'000;
  f.entries = {{"https://avvisi.comune.lugo.ra.it/avvisi/42", "Guasto acquedotto in via Roma",
                "Via Roma senz'acqua fino alle 18 & oltre <forse>.\x01", "https://avvisi.comune.lugo.ra.it/avvisi/42",
                1'796'210'000'000, 1'796'220'000'000, {"lugo", "acqua"}},
               {"https://avvisi.comune.lugo.ra.it/avvisi/41", "Allerta meteo arancione", "Temporali forti.",
                "https://avvisi.comune.lugo.ra.it/avvisi/41", 1'796'100'000'000, 1'796'100'000'000, {"meteo"}}};
  return f;
}

}  // namespace

TEST_CASE("Atom dates are RFC 3339 in UTC") {
  CHECK(atom_date(0) == "1970-01-01T00:00:00Z");
  CHECK(atom_date(1'796'220'000'999) == "2026-12-02T14:00:00Z");
}

TEST_CASE("the feed has what RFC 4287 requires, escaped, without characters XML cannot carry") {
  const auto xml = atom_xml(lugo_feed());
  pugi::xml_document doc;
  REQUIRE(doc.load_string(xml.c_str()));
  const auto feed = doc.child("feed");
  CHECK(std::string(feed.attribute("xmlns").value()) == "http://www.w3.org/2005/Atom");
  CHECK(std::string(feed.child_value("id")) == "https://avvisi.comune.lugo.ra.it/avvisi.atom");
  CHECK(std::string(feed.child_value("updated")) == "2026-12-02T14:00:00Z");
  CHECK(std::string(feed.child("author").child_value("name")) == "Comune di Lugo");
  CHECK(std::string(feed.find_child_by_attribute("link", "rel", "self").attribute("href").value()) ==
        "https://avvisi.comune.lugo.ra.it/avvisi.atom");
  const auto first = feed.child("entry");
  CHECK(std::string(first.child_value("summary")) == "Via Roma senz'acqua fino alle 18 & oltre <forse>.");
  CHECK(xml.find('\x01') == std::string::npos);
  CHECK(std::string(first.child("category").attribute("term").value()) == "lugo");
}

// feedparser (Debian's python3-feedparser) reads the feed as aggregators
// do, and says when it is not well-formed (bozo).
TEST_CASE("an entry's further links follow its alternate one, an enclosure with its type and length") {
  auto f = lugo_feed();
  f.entries[0].links.push_back({"enclosure", "https://avvisi.comune.lugo.ra.it/avvisi/42/allegato", "application/pdf",
                                1'234'567});
  f.entries[1].links.push_back({"related", "https://example.it/a?b=1&c=2", "", -1});
  pugi::xml_document doc;
  REQUIRE(doc.load_string(atom_xml(f).c_str()));
  auto first = doc.child("feed").child("entry");
  auto enclosure = first.find_child_by_attribute("link", "rel", "enclosure");
  REQUIRE(enclosure);
  CHECK(std::string(enclosure.attribute("href").value()) == "https://avvisi.comune.lugo.ra.it/avvisi/42/allegato");
  CHECK(std::string(enclosure.attribute("type").value()) == "application/pdf");
  CHECK(std::string(enclosure.attribute("length").value()) == "1234567");
  auto related = first.next_sibling("entry").find_child_by_attribute("link", "rel", "related");
  REQUIRE(related);
  CHECK(std::string(related.attribute("href").value()) == "https://example.it/a?b=1&c=2");
  CHECK_FALSE(related.attribute("type"));
  CHECK_FALSE(related.attribute("length"));
}

TEST_CASE("feedparser reads the feed, its entries and their dates") {
  const auto file = fs::temp_directory_path() / ("banditore-atom-" + std::to_string(getpid()) + ".xml");
  std::ofstream(file) << atom_xml(lugo_feed());
  const std::string script =
      "import feedparser, sys\n"
      "d = feedparser.parse(sys.argv[1])\n"
      "print(int(d.bozo), d.version, len(d.entries), d.feed.title, d.entries[0].id, d.entries[0].updated,\n"
      "      d.entries[1].title, d.entries[0].tags[1].term, d.entries[0].link, sep='|')\n";
  const auto script_file = fs::path(file.string() + ".py");
  std::ofstream(script_file) << script;
  // Debian's interpreter, where python3-feedparser is installed.
  FILE* pipe = ::popen(("/usr/bin/python3 " + script_file.string() + " " + file.string() + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  ::pclose(pipe);
  fs::remove(file);
  fs::remove(script_file);
  CHECK(out ==
        "0|atom10|2|Avvisi del Comune di Lugo|https://avvisi.comune.lugo.ra.it/avvisi/42|2026-12-02T14:00:00Z|"
        "Allerta meteo arancione|acqua|https://avvisi.comune.lugo.ra.it/avvisi/42\n");
}

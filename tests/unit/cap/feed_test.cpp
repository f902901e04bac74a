#include <banditore/cap/feed.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

using namespace banditore::cap;
using namespace banditore::cap::testing;

TEST_CASE("a MeteoAlarm Atom feed yields each CAP document once, typed links first") {
  auto r = cap_links_from_feed(fixture("feed_meteoalarm_italy.atom"));
  REQUIRE(r.ok());
  CHECK(r.links == std::vector<std::string>{
                       "https://feeds.meteoalarm.example.org/api/v1/warnings/feeds-italy/"
                       "5b1f0c1e-6f0e-4d51-9d6b-1f3a2f7c9e01",
                       "https://feeds.meteoalarm.example.org/api/v1/warnings/feeds-italy/"
                       "0d7e2b44-1c5a-4b8e-a1f2-7e3c55d0a9b2?index_info=0&lang=it",
                       "https://allerta.regione.example.it/cap/2024-10-16-0042.xml",
                       "https://allerta.regione.example.it/cap/2024-10-16-0043.xml",
                   });
}

TEST_CASE("an RSS feed yields the CAP enclosure before the item link, then any enclosure") {
  auto r = cap_links_from_feed(fixture("feed_civil_protection.rss"));
  REQUIRE(r.ok());
  CHECK(r.links == std::vector<std::string>{
                       "https://allerta.regione.example.it/cap/2024-07-14-0017.xml",
                       "https://allerta.regione.example.it/cap/2024-07-15-0003.xml",
                       "https://allerta.regione.example.it/cap/2024-07-15-0004.xml",
                   });
}

TEST_CASE("an Atom feed with a prefixed namespace is read") {
  auto r = cap_links_from_feed(R"(<a:feed xmlns:a="http://www.w3.org/2005/Atom">
    <a:entry><a:link href=" https://x.example.it/cap/1.xml "/></a:entry></a:feed>)");
  REQUIRE(r.ok());
  CHECK(r.links == std::vector<std::string>{"https://x.example.it/cap/1.xml"});
}

TEST_CASE("links that are not absolute http(s) URLs are left out") {
  auto r = cap_links_from_feed(R"(<rss version="2.0"><channel>
    <item><link>/cap/1.xml</link></item>
    <item><link>javascript:alert(1)</link></item>
    <item><link>ftp://x.example.it/cap/2.xml</link></item>
    <item><link>HTTPS://x.example.it/cap/3.xml</link></item>
  </channel></rss>)");
  REQUIRE(r.ok());
  CHECK(r.links == std::vector<std::string>{"HTTPS://x.example.it/cap/3.xml"});
}

TEST_CASE("an empty feed yields no links and no error") {
  auto r = cap_links_from_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>vuoto</title></feed>)");
  CHECK(r.ok());
  CHECK(r.links.empty());
}

TEST_CASE("a feed with a DOCTYPE is refused") {
  auto r = cap_links_from_feed(edited(fixture("feed_civil_protection.rss"), "<rss ",
                                      "<!DOCTYPE rss [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><rss "));
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "document");
  CHECK(r.reason.find("DOCTYPE") != std::string::npos);
}

TEST_CASE("a feed over the size limit is refused") {
  auto big = edited(fixture("feed_civil_protection.rss"), "<description>",
                    "<description>" + std::string(2'000'000, 'x'));
  auto r = cap_links_from_feed(big);
  REQUIRE_FALSE(r.ok());
  CHECK(r.reason == "larger than 1 MiB");
}

TEST_CASE("a malformed feed is refused as not well-formed") {
  auto r = cap_links_from_feed("<rss version=\"2.0\"><channel><item></channel></rss>");
  REQUIRE_FALSE(r.ok());
  CHECK(r.reason.find("not well-formed") != std::string::npos);
}

TEST_CASE("a document that is neither Atom nor RSS is refused naming feed") {
  auto r = cap_links_from_feed(fixture("oasis_thunderstorm.xml"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "feed");
  auto wrong_ns = cap_links_from_feed(R"(<feed xmlns="http://example.org/not-atom"/>)");
  CHECK_FALSE(wrong_ns.ok());
}

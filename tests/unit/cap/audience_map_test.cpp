#include <banditore/cap/audience_map.hpp>

#include <banditore/cap/parse.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace banditore;
using namespace banditore::cap;
using cap::testing::edited;
using cap::testing::fixture;
using ids = std::vector<std::string>;

namespace {

// Milano (ISTAT 015146, written with its leading zero in the fixture) and
// Monza (108033) in the catalogue, with the default topics.
domain::audience_catalogue lombardy() {
  domain::audience_catalogue c;
  domain::town milano, monza;
  milano.id = "milano";
  milano.istat_code = "015146";
  monza.id = "monza";
  monza.istat_code = "108033";
  c.towns = {milano, monza};
  c.topics = domain::default_topics();
  return c;
}

cap_alert parsed(const std::string& xml) {
  auto p = parse_cap(xml);
  REQUIRE(p.ok());
  return *p.alert;
}

}  // namespace

TEST_CASE("a civil protection alert's ISTAT geocode names the town; with no mapping its topic is emergenze") {
  const auto alert = parsed(fixture("civil_protection_milano_flood.xml"));
  const auto a = cap_audience(alert.infos.at(0), lombardy(), {});
  CHECK(a.towns == ids{"milano"});
  CHECK(a.topics == ids{"emergenze"});
  CHECK_FALSE(a.areas);
}

TEST_CASE("an ISTAT code without its leading zero, or in another letter case of valueName, still names the town") {
  auto xml = edited(fixture("civil_protection_milano_flood.xml"), "<value>015146</value>", "<value>15146</value>");
  xml = edited(xml, "<valueName>ISTAT</valueName>", "<valueName>istat</valueName>");
  CHECK(cap_audience(parsed(xml).infos.at(0), lombardy(), {}).towns == ids{"milano"});
}

TEST_CASE("an area no town of ours carries, as Meteoalarm's EMMA_ID regions, goes to every town") {
  const auto alert = parsed(fixture("meteoalarm_it_orange_thunderstorm_lombardia.xml"));
  const auto a = cap_audience(alert.infos.at(0), lombardy(), parse_cap_topic_map("Met=meteo"));
  CHECK_FALSE(a.towns);
  CHECK(a.topics == ids{"meteo"});
  auto other = edited(fixture("civil_protection_milano_flood.xml"), "<value>015146</value>", "<value>001272</value>");
  CHECK_FALSE(cap_audience(parsed(other).infos.at(0), lombardy(), {}).towns);
}

TEST_CASE("an event rule wins over the categories, which are tried in the document's order") {
  const auto info = parsed(fixture("civil_protection_milano_flood.xml")).infos.at(0);  // Met, Safety
  CHECK(cap_audience(info, lombardy(), parse_cap_topic_map("Safety=strade,Met=meteo")).topics == ids{"meteo"});
  CHECK(cap_audience(info, lombardy(), parse_cap_topic_map("Safety=strade")).topics == ids{"strade"});
  CHECK(cap_audience(info, lombardy(),
                     parse_cap_topic_map("Met=meteo,event:esondazione del torrente seveso=acqua"))
            .topics == ids{"acqua"});
  // A topic the catalogue lacks leaves topics to all, never to nobody.
  CHECK_FALSE(cap_audience(info, lombardy(), parse_cap_topic_map("Met=frane")).topics);
}

TEST_CASE("the topic mapping refuses what it cannot read") {
  CHECK(parse_cap_topic_map("").rules.empty());
  CHECK(parse_cap_topic_map("met=meteo").rules.at(0).category == "Met");
  for (const char* bad : {"Met", "Weather=meteo", "Met=Meteo", "event:=meteo", "Met="}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_cap_topic_map(bad), std::invalid_argument);
  }
}

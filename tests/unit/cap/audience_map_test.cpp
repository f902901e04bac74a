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

namespace {

std::string box(double lon0, double lat0, double lon1, double lat1) {
  auto p = [](double lon, double lat) { return "[" + std::to_string(lon) + "," + std::to_string(lat) + "]"; };
  return R"({"type":"Polygon","coordinates":[[)" + p(lon0, lat0) + "," + p(lon1, lat0) + "," + p(lon1, lat1) + "," +
         p(lon0, lat1) + "," + p(lon0, lat0) + "]]}";
}

// Three towns of the Bassa Romagna drawn as boxes that share borders: Lugo
// west of the meridian 11.9, Cotignola south-east and Fusignano north-east
// of it, split by the parallel 44.4; Bagnacavallo without a boundary.
domain::audience_catalogue bassa_romagna() {
  domain::audience_catalogue c;
  c.towns = {{"lugo", "Comune di Lugo", {}, "039012", box(11.80, 44.30, 11.90, 44.50)},
             {"cotignola", "Comune di Cotignola", {}, "039008", box(11.90, 44.30, 12.00, 44.40)},
             {"fusignano", "Comune di Fusignano", {}, "039011", box(11.90, 44.40, 12.00, 44.50)},
             {"bagnacavallo", "Comune di Bagnacavallo", {}, "039003"}};
  c.areas = {{"santa-maria-in-fabriago", "lugo", "Santa Maria in Fabriago", {}, box(11.84, 44.44, 11.88, 44.48)},
             {"voltana", "lugo", "Voltana", {}, box(11.86, 44.30, 11.90, 44.34)},
             {"centro", "lugo", "Centro", {}},
             {"barbiano", "cotignola", "Barbiano", {}, box(11.91, 44.33, 11.95, 44.36)},
             {"zagonara", "cotignola", "Zagonara", {}, box(11.96, 44.31, 11.99, 44.34)}};
  c.topics = domain::default_topics();
  return c;
}

const std::string senio = "civil_protection_bassa_romagna_senio_polygon.xml";
const std::string senio_polygon = "44.330,11.905 44.330,11.930 44.460,11.930 44.460,11.905 44.330,11.905";
const std::string gas = "civil_protection_lugo_gas_circle.xml";

}  // namespace

TEST_CASE("a polygon without geocode reaches the towns it overlaps, narrowed to the areas it overlaps") {
  std::string note;
  const auto a = cap_audience(parsed(fixture(senio)).infos.at(0), bassa_romagna(), {}, &note);
  CHECK(a.towns == ids{"cotignola", "fusignano"});
  // Cotignola is narrowed to Barbiano (Zagonara lies outside the river's
  // strip); Fusignano has no areas and is reached whole.
  CHECK(a.areas == ids{"barbiano"});
  CHECK(a.topics == ids{"emergenze"});
  CHECK(note.empty());
}

TEST_CASE("a polygon drawn along a town's own borders does not reach the neighbours that share them") {
  const auto xml = edited(fixture(senio), senio_polygon,
                          "44.30,11.80 44.30,11.90 44.50,11.90 44.50,11.80 44.30,11.80");  // Lugo exactly
  const auto a = cap_audience(parsed(xml).infos.at(0), bassa_romagna(), {});
  CHECK(a.towns == ids{"lugo"});
  // It covers every area of Lugo: the town is reached whole.
  CHECK_FALSE(a.areas);
}

TEST_CASE("a polygon inside one area, or one that holds a whole town, reaches it") {
  auto inside = edited(fixture(senio), senio_polygon,
                       "44.45,11.85 44.45,11.86 44.46,11.86 44.46,11.85 44.45,11.85");  // in Santa Maria
  auto a = cap_audience(parsed(inside).infos.at(0), bassa_romagna(), {});
  CHECK(a.towns == ids{"lugo"});
  // Centro has no boundary: nobody can say it is spared, so it is kept.
  CHECK(a.areas == ids{"santa-maria-in-fabriago", "centro"});

  auto around = edited(fixture(senio), senio_polygon,
                       "44.0,11.0 44.0,13.0 45.0,13.0 45.0,11.0 44.0,11.0");  // the whole province and more
  a = cap_audience(parsed(around).infos.at(0), bassa_romagna(), {});
  CHECK(a.towns == ids{"lugo", "cotignola", "fusignano"});
  CHECK_FALSE(a.areas);
}

TEST_CASE("a circle reaches the town and area it falls in, and a neighbour only when its radius crosses the border") {
  std::string note;
  auto a = cap_audience(parsed(fixture(gas)).infos.at(0), bassa_romagna(), {}, &note);
  CHECK(a.towns == ids{"lugo"});
  CHECK(a.areas == ids{"santa-maria-in-fabriago", "centro"});
  CHECK(note.empty());

  // 0.005 degrees of longitude west of the border at 44.46 N are about
  // 0.40 km: a radius of 0.8 km crosses into Fusignano, one of 0.3 km does not.
  auto near_border = edited(fixture(gas), "<circle>44.4600,11.8700 0.8</circle>", "<circle>44.4600,11.8950 0.8</circle>");
  a = cap_audience(parsed(near_border).infos.at(0), bassa_romagna(), {});
  CHECK(a.towns == ids{"lugo", "fusignano"});
  auto small = edited(fixture(gas), "<circle>44.4600,11.8700 0.8</circle>", "<circle>44.4600,11.8950 0.3</circle>");
  CHECK(cap_audience(parsed(small).infos.at(0), bassa_romagna(), {}).towns == ids{"lugo"});
}

TEST_CASE("an ISTAT geocode reaches its town whole even when a polygon beside it narrows another") {
  auto xml = edited(fixture(senio), "</polygon>",
                    "</polygon>\n      <geocode><valueName>ISTAT</valueName><value>039008</value></geocode>");
  const auto a = cap_audience(parsed(xml).infos.at(0), bassa_romagna(), {});
  CHECK(a.towns == ids{"cotignola", "fusignano"});
  CHECK_FALSE(a.areas);  // Cotignola by its code: every area of it
  // Bagnacavallo has no boundary, but its code still names it.
  xml = edited(fixture(senio), "</polygon>",
               "</polygon>\n      <geocode><valueName>ISTAT</valueName><value>039003</value></geocode>");
  CHECK(cap_audience(parsed(xml).infos.at(0), bassa_romagna(), {}).towns ==
        ids{"bagnacavallo", "cotignola", "fusignano"});
}

TEST_CASE("an area that overlaps nothing known goes to every town and says so") {
  const auto xml = edited(fixture(senio), senio_polygon,
                          "44.10,12.20 44.10,12.30 44.20,12.30 44.20,12.20 44.10,12.20");  // near Cesena
  std::string note;
  const auto a = cap_audience(parsed(xml).infos.at(0), bassa_romagna(), {}, &note);
  CHECK_FALSE(a.towns);
  CHECK_FALSE(a.areas);
  CHECK(note.find("overlaps no town") != std::string::npos);
  // With no boundary in the catalogue nothing can be overlapped either.
  note.clear();
  CHECK_FALSE(cap_audience(parsed(fixture(gas)).infos.at(0), lombardy(), {}, &note).towns);
  CHECK_FALSE(note.empty());
}

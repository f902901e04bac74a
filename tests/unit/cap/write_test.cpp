#include <banditore/cap/write.hpp>

#include <banditore/cap/parse.hpp>

#include <doctest/doctest.h>

using namespace banditore::cap;

TEST_CASE("a written CAP document reads back through parse_cap with the same values") {
  cap_alert a;
  a.identifier = "banditore-avviso-7";
  a.sender = "avvisi.comune.example.it";
  a.sent = cap_date(1'796'000'000'000);
  a.status = "Actual";
  a.msg_type = "Cancel";
  a.scope = "Public";
  a.note = "Avviso annullato";
  a.references.push_back({"avvisi.comune.example.it", "banditore-avviso-6", cap_date(1'795'999'000'000)});
  cap_info i;
  i.language = "it-IT";
  i.categories = {"Infra"};
  i.event = "Servizio idrico";
  i.urgency = "Unknown";
  i.severity = "Severe";
  i.certainty = "Unknown";
  i.headline = "Guasto <acqua> & \"fogne\"";
  i.description = "Riga uno.\n\nRiga due \x01 senza controllo.";
  i.web = "https://avvisi.comune.example.it/avvisi/7";
  i.expires = cap_date(1'796'003'600'000);
  cap_area area;
  area.desc = "Comune di Lugo";
  area.geocodes = {{"ISTAT", "039012"}};
  area.polygons = {{{44.4, 11.9}, {44.5, 11.9}, {44.5, 12.0}, {44.4, 11.9}}};
  i.areas = {area};
  a.infos = {i};

  const auto xml = cap_xml(a);
  CHECK(xml.find("<sent>2026-11-30T") != std::string::npos);
  CHECK(xml.find("-00:00</sent>") != std::string::npos);  // CAP 1.2 3.3.2: UTC is "-00:00", never "Z"
  const auto back = parse_cap(xml);
  INFO(back.element, ": ", back.reason);
  REQUIRE(back.ok());
  const auto& b = *back.alert;
  CHECK(b.identifier == a.identifier);
  CHECK(b.sender == a.sender);
  CHECK(b.sent.utc == a.sent.utc);
  CHECK(b.msg_type == "Cancel");
  REQUIRE(b.references.size() == 1);
  CHECK(b.references[0].identifier == "banditore-avviso-6");
  CHECK(b.references[0].sent.utc == a.references[0].sent.utc);
  REQUIRE(b.infos.size() == 1);
  CHECK(b.infos[0].headline == i.headline);
  CHECK(b.infos[0].description == "Riga uno.\n\nRiga due  senza controllo.");
  CHECK(b.infos[0].expires->utc == i.expires->utc);
  REQUIRE(b.infos[0].areas.size() == 1);
  CHECK(b.infos[0].areas[0].geocodes == area.geocodes);
  CHECK(b.infos[0].areas[0].polygons == area.polygons);
}

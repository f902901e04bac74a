#include <banditore/cap/parse.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace banditore::cap;
using namespace banditore::cap::testing;
using namespace std::chrono;

namespace {

constexpr std::string_view flood = "civil_protection_milano_flood.xml";

cap_parse_result parse_edited(std::string_view name, std::string_view from, std::string_view to) {
  return parse_cap(edited(fixture(name), from, to));
}

}  // namespace

// --- documents that parse ------------------------------------------------

TEST_CASE("the OASIS thunderstorm example parses with its polygon, geocodes and times") {
  auto r = parse_cap(fixture("oasis_thunderstorm.xml"));
  REQUIRE(r.ok());
  const auto& a = *r.alert;
  CHECK(a.identifier == "KSTO1055887203");
  CHECK(a.sender == "KSTO@NWS.NOAA.GOV");
  CHECK(a.sent.text == "2003-06-17T14:57:00-07:00");
  CHECK(a.sent.utc == sys_days{2003y / June / 17} + 21h + 57min);
  CHECK(a.status == "Actual");
  CHECK(a.msg_type == "Alert");
  CHECK(a.scope == "Public");
  REQUIRE(a.infos.size() == 1);
  const auto& info = a.infos[0];
  CHECK(info.language.empty());
  CHECK(info.categories == std::vector<std::string>{"Met"});
  CHECK(info.event == "SEVERE THUNDERSTORM");
  CHECK(info.sender_name == "NATIONAL WEATHER SERVICE SACRAMENTO CA");
  CHECK(info.contact == "BARUFFALDI/JUSKIE");
  REQUIRE(info.expires);
  CHECK(info.expires->utc == sys_days{2003y / June / 17} + 23h);
  CHECK_FALSE(info.onset);
  CHECK(info.description.starts_with("AT 254 PM PDT"));
  REQUIRE(info.areas.size() == 1);
  REQUIRE(info.areas[0].polygons.size() == 1);
  CHECK(info.areas[0].polygons[0].size() == 5);
  CHECK(info.areas[0].polygons[0][1] == geo_point{38.34, -119.95});
  CHECK(info.areas[0].geocodes.size() == 3);
  CHECK(info.areas[0].geocodes[0] == std::pair<std::string, std::string>{"SAME", "006109"});
}

TEST_CASE("the OASIS homeland security example keeps its parameter and web link") {
  auto r = parse_cap(fixture("oasis_homeland_security.xml"));
  REQUIRE(r.ok());
  const auto& info = r.alert->infos.at(0);
  CHECK(info.parameters == cap_values{{"HSAS", "ORANGE"}});
  CHECK(info.web == "http://www.dhs.gov/dhspublic/display?theme=29");
  CHECK(info.instruction.starts_with("A High Condition"));
  CHECK(info.areas.at(0).desc == "U.S. nationwide and interests worldwide");
}

TEST_CASE("the OASIS earthquake update reads its reference triple and its circle") {
  auto r = parse_cap(fixture("oasis_earthquake.xml"));
  REQUIRE(r.ok());
  const auto& a = *r.alert;
  CHECK(a.msg_type == "Update");
  REQUIRE(a.references.size() == 1);
  CHECK(a.references[0].sender == "trinet@caltech.edu");
  CHECK(a.references[0].identifier == "TRI13970876.1");
  CHECK(a.references[0].sent.text == "2003-06-11T20:30:00-07:00");
  CHECK(a.references[0].sent.utc == sys_days{2003y / June / 12} + 3h + 30min);
  const auto& area = a.infos.at(0).areas.at(0);
  REQUIRE(area.circles.size() == 1);
  CHECK(area.circles[0].centre == geo_point{32.9525, -115.5527});
  CHECK(area.circles[0].radius_km == 0);
  CHECK(a.infos[0].parameters.size() == 5);
}

TEST_CASE("a MeteoAlarm warning keeps both language infos and its awareness parameters") {
  auto r = parse_cap(fixture("meteoalarm_it_orange_thunderstorm_lombardia.xml"));
  REQUIRE(r.ok());
  const auto& a = *r.alert;
  REQUIRE(a.infos.size() == 2);
  CHECK(a.infos[0].language == "it-IT");
  CHECK(a.infos[1].language == "en-GB");
  CHECK(a.infos[0].urgency == "Future");
  CHECK(a.infos[0].parameters.at(0) ==
        std::pair<std::string, std::string>{"awareness_level", "3; orange; Severe"});
  CHECK(a.infos[0].areas.at(0).geocodes.at(0) ==
        std::pair<std::string, std::string>{"EMMA_ID", "IT003"});
  REQUIRE(a.infos[0].onset);
  CHECK(a.infos[0].onset->utc == sys_days{2024y / July / 14} + 22h);
}

TEST_CASE("a municipal alert keeps its categories, ISTAT geocode and polygon") {
  auto r = parse_cap(fixture(flood));
  REQUIRE(r.ok());
  const auto& info = r.alert->infos.at(0);
  CHECK(info.categories == std::vector<std::string>{"Met", "Safety"});
  CHECK(info.areas.at(0).geocodes.at(0) == std::pair<std::string, std::string>{"ISTAT", "015146"});
  CHECK(info.areas.at(0).polygons.at(0).size() == 6);
  CHECK(r.notes.empty());
}

TEST_CASE("a Cancel lists every alert it references, and its note") {
  auto r = parse_cap(fixture("civil_protection_milano_flood_cancel.xml"));
  REQUIRE(r.ok());
  const auto& a = *r.alert;
  REQUIRE(a.references.size() == 2);
  CHECK(a.references[0].identifier == "2.49.0.0.380.0.MI.20240515.0001");
  CHECK(a.references[1].identifier == "2.49.0.0.380.0.MI.20240515.0002");
  CHECK(a.note.starts_with("Cessato allarme"));
}

TEST_CASE("a prefixed cap:alert root in the CAP namespace is accepted") {
  auto r = parse_cap(R"(<?xml version="1.0" encoding="UTF-8"?>
<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
  <cap:identifier>P-1</cap:identifier>
  <cap:sender>a@example.it</cap:sender>
  <cap:sent>2024-05-15T06:40:00+02:00</cap:sent>
  <cap:status>Actual</cap:status>
  <cap:msgType>Alert</cap:msgType>
  <cap:scope>Public</cap:scope>
  <cap:info>
    <cap:category>Met</cap:category><cap:event>Neve</cap:event>
    <cap:urgency>Expected</cap:urgency><cap:severity>Moderate</cap:severity>
    <cap:certainty>Likely</cap:certainty>
    <cap:area><cap:areaDesc>Sondrio</cap:areaDesc></cap:area>
  </cap:info>
</cap:alert>)");
  REQUIRE(r.ok());
  CHECK(r.alert->identifier == "P-1");
  CHECK(r.alert->infos.at(0).areas.at(0).desc == "Sondrio");
}

TEST_CASE("an element in another namespace does not count as the CAP element") {
  auto r = parse_edited(flood, "<identifier>2.49.0.0.380.0.MI.20240515.0001</identifier>",
                        R"(<x:identifier xmlns:x="urn:example:other">X-1</x:identifier>)");
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "identifier");
}

TEST_CASE("CDATA text is read like plain text") {
  auto r = parse_edited(flood, "<headline>Esondazione del Seveso a Niguarda</headline>",
                        "<headline><![CDATA[Seveso <esondato>]]></headline>");
  REQUIRE(r.ok());
  CHECK(r.alert->infos.at(0).headline == "Seveso <esondato>");
}

TEST_CASE("certainty Very Likely from CAP 1.0 is read as Likely, with a note") {
  auto r = parse_edited(flood, "<certainty>Observed</certainty>", "<certainty>Very Likely</certainty>");
  REQUIRE(r.ok());
  CHECK(r.alert->infos.at(0).certainty == "Likely");
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].find("Very Likely") != std::string::npos);
}

TEST_CASE("an alert without info blocks is valid CAP") {
  auto text = fixture("invalid_date_without_offset.xml");
  auto r = parse_cap(edited(text, "<sent>2024-05-15T06:40:00</sent>", "<sent>2024-05-15T06:40:00+02:00</sent>"));
  REQUIRE(r.ok());
  CHECK(r.alert->infos.empty());
}

// --- documents that are refused ------------------------------------------

TEST_CASE("a document in the CAP 1.1 namespace is refused at the root") {
  auto r = parse_cap(fixture("invalid_wrong_namespace.xml"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "alert");
  CHECK(r.reason.find("cap:1.1") != std::string::npos);
}

TEST_CASE("an alert element without any namespace is refused") {
  auto r = parse_edited(flood, R"(<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">)", "<alert>");
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "alert");
}

TEST_CASE("a root other than alert is refused") {
  auto r = parse_cap(R"(<feed xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>)");
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "alert");
}

TEST_CASE("a document without identifier is refused naming identifier") {
  auto r = parse_cap(fixture("invalid_missing_identifier.xml"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "identifier");
  CHECK(r.reason.find("missing") != std::string::npos);
}

TEST_CASE("an empty required element counts as missing") {
  auto r = parse_edited(flood, "<sender>protezionecivile@comune.milano.example.it</sender>", "<sender>  </sender>");
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "sender");
}

TEST_CASE("each required alert element is named when missing") {
  for (std::string name : {"sent", "status", "msgType", "scope"}) {
    CAPTURE(name);
    auto text = fixture(flood);
    auto open = text.find("<" + name + ">");
    auto close = text.find("</" + name + ">");
    REQUIRE(open != std::string::npos);
    text.erase(open, close + name.size() + 3 - open);
    auto r = parse_cap(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.element == name);
  }
}

TEST_CASE("an info without event is refused naming event and the info") {
  auto r = parse_cap(fixture("invalid_missing_event.xml"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "event");
  CHECK(r.reason.find("info 1") != std::string::npos);
}

TEST_CASE("each required info element is named when missing") {
  for (std::string element : {"<category>Met</category>", "<urgency>Immediate</urgency>",
                              "<severity>Severe</severity>", "<certainty>Observed</certainty>"}) {
    CAPTURE(element);
    auto text = fixture(flood);
    if (element.starts_with("<category>"))
      text = edited(text, "<category>Safety</category>", "");
    auto r = parse_cap(edited(text, element, ""));
    REQUIRE_FALSE(r.ok());
    CHECK(r.element == element.substr(1, element.find('>') - 1));
  }
}

TEST_CASE("an area without areaDesc is refused naming areaDesc") {
  auto r = parse_edited(flood, "<areaDesc>Milano - Niguarda, Bicocca, Isola</areaDesc>", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "areaDesc");
  CHECK(r.reason.find("area 1") != std::string::npos);
}

TEST_CASE("values outside the CAP enumerations are refused naming the element") {
  struct bad {
    std::string from, to, element;
  };
  for (const auto& b : {bad{"<status>Actual</status>", "<status>Real</status>", "status"},
                        bad{"<msgType>Alert</msgType>", "<msgType>Alarm</msgType>", "msgType"},
                        bad{"<scope>Public</scope>", "<scope>Everyone</scope>", "scope"},
                        bad{"<category>Safety</category>", "<category>Weather</category>", "category"},
                        bad{"<urgency>Immediate</urgency>", "<urgency>Now</urgency>", "urgency"},
                        bad{"<severity>Severe</severity>", "<severity>High</severity>", "severity"},
                        bad{"<certainty>Observed</certainty>", "<certainty>Sure</certainty>", "certainty"},
                        bad{"<status>Actual</status>", "<status>actual</status>", "status"}}) {
    CAPTURE(b.to);
    auto r = parse_edited(flood, b.from, b.to);
    REQUIRE_FALSE(r.ok());
    CHECK(r.element == b.element);
  }
}

TEST_CASE("an Update without references is refused") {
  auto r = parse_edited("civil_protection_milano_flood_update.xml",
                        "<references>protezionecivile@comune.milano.example.it,2.49.0.0.380.0.MI.20240515.0001,"
                        "2024-05-15T06:40:00+02:00</references>",
                        "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "references");
  CHECK(r.reason.find("Update") != std::string::npos);
}

TEST_CASE("a Cancel without references is refused") {
  auto r = parse_edited(flood, "<msgType>Alert</msgType>", "<msgType>Cancel</msgType>");
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "references");
}

TEST_CASE("a reference that is not a sender,identifier,sent triple is refused") {
  for (std::string refs : {"a@example.it,ID-1", "a@example.it,ID-1,2024-05-15T06:40:00+02:00,x",
                           "a@example.it,,2024-05-15T06:40:00+02:00",
                           "a@example.it,ID-1,2024-05-15T06:40:00"}) {
    CAPTURE(refs);
    auto r = parse_edited(flood, "<scope>Public</scope>", "<scope>Public</scope><references>" + refs + "</references>");
    REQUIRE_FALSE(r.ok());
    CHECK(r.element == "references");
  }
}

TEST_CASE("a sent time without offset is refused naming sent") {
  auto r = parse_cap(fixture("invalid_date_without_offset.xml"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "sent");
  CHECK(r.reason.find("2024-05-15T06:40:00") != std::string::npos);
}

TEST_CASE("an unreadable optional date is refused naming its element") {
  auto r = parse_edited(flood, "<onset>2024-05-15T06:30:00+02:00</onset>", "<onset>15/05/2024 06:30</onset>");
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "onset");
}

TEST_CASE("polygons that are short, open or out of range are refused naming polygon") {
  const std::string good = "<polygon>45.536,9.040 45.536,9.278 45.468,9.278 45.386,9.200 45.386,9.040 45.536,9.040</polygon>";
  for (std::string bad : {"<polygon>45.5,9.0 45.5,9.2 45.5,9.0</polygon>",
                          "<polygon>45.5,9.0 45.5,9.2 45.4,9.2 45.4,9.0</polygon>",
                          "<polygon>45.5,9.0 95.5,9.2 45.4,9.2 45.5,9.0</polygon>",
                          "<polygon>45.5,9.0 45.5;9.2 45.4,9.2 45.5,9.0</polygon>",
                          "<polygon></polygon>"}) {
    CAPTURE(bad);
    auto r = parse_edited(flood, good, bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.element == "polygon");
  }
}

TEST_CASE("a circle that is not lat,lon radius is refused naming circle") {
  for (std::string bad : {"<circle>45.46,9.19</circle>", "<circle>9.19 5</circle>",
                          "<circle>45.46,9.19 -1</circle>", "<circle>45.46,9.19 5 km</circle>",
                          // not decimals (CAP 1.2 3.2.4): a NaN would pass every range check
                          "<circle>nan,9.19 5</circle>", "<circle>45.46,nan 5</circle>",
                          "<circle>45.46,9.19 nan</circle>", "<circle>45.46,9.19 inf</circle>",
                          "<circle>45.46,9.19 1e3</circle>", "<circle>45.46,9.19 .5</circle>",
                          "<circle>45.46,9.19 5.</circle>", "<circle>45.46,9.19 1.2.3</circle>",
                          "<circle>-,9.19 5</circle>", "<circle>45.46,9.19 0x10</circle>"}) {
    CAPTURE(bad);
    auto r = parse_edited(flood, "<geocode>", bad + "<geocode>");
    REQUIRE_FALSE(r.ok());
    CHECK(r.element == "circle");
  }
}

TEST_CASE("decimal coordinates with a sign are read, and a polygon of NaNs is refused") {
  auto r = parse_edited(flood, "<geocode>", "<circle>+45.46,-9.19 0.5</circle><geocode>");
  REQUIRE(r.ok());
  CHECK(r.alert->infos.at(0).areas.at(0).circles.at(0).centre == geo_point{45.46, -9.19});
  auto bad = parse_edited(flood, "<geocode>", "<polygon>nan,nan nan,1 1,nan nan,nan</polygon><geocode>");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.element == "polygon");
}

TEST_CASE("malformed XML is refused as not well-formed") {
  auto r = parse_cap(edited(fixture(flood), "</info>", "</inf>"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "document");
  CHECK(r.reason.find("not well-formed") != std::string::npos);
}

TEST_CASE("a document with bytes that are not UTF-8 is refused, and the reason does not repeat them") {
  for (std::string_view bad : {"\xC3\x28", "\xFF", "\xED\xA0\x80", "\xC0\xAF", "\xE2\x82"}) {
    CAPTURE(bad.size());
    auto r = parse_edited(flood, "Esondazione del Seveso", std::string("Esondazione ") + std::string(bad) + " del Seveso");
    REQUIRE_FALSE(r.ok());
    CHECK(r.element == "document");
    CHECK(r.reason.starts_with("not UTF-8: an invalid byte sequence at byte "));
    for (unsigned char c : r.reason) CHECK(c < 0x80);
  }
}

TEST_CASE("a character reference that is not a Unicode character is refused") {
  for (std::string_view ref : {"&#xD800;", "&#xDFFF;", "&#x110000;"}) {
    CAPTURE(ref);
    auto r = parse_edited(flood, "Esondazione del Seveso", std::string("Esondazione ") + std::string(ref));
    REQUIRE_FALSE(r.ok());
    CHECK(r.element == "document");
  }
  auto fine = parse_edited(flood, "Esondazione del Seveso", "Esondazione &#xE8; &#x1F30A;");
  CHECK(fine.ok());
}

TEST_CASE("a billion-laughs DOCTYPE is refused before the document is parsed") {
  auto r = parse_cap(fixture("invalid_billion_laughs.xml"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "document");
  CHECK(r.reason.find("DOCTYPE") != std::string::npos);
}

TEST_CASE("an external entity is refused") {
  auto r = parse_cap(fixture("invalid_external_entity.xml"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "document");
}

TEST_CASE("an ENTITY declaration is refused even without a DOCTYPE") {
  auto r = parse_cap(edited(fixture(flood), "<alert ", "<!ENTITY x \"y\"><alert "));
  REQUIRE_FALSE(r.ok());
  CHECK(r.reason.find("ENTITY") != std::string::npos);
}

TEST_CASE("a lower-case doctype is refused too") {
  auto r = parse_cap(edited(fixture(flood), "<alert ", "<!doctype alert><alert "));
  REQUIRE_FALSE(r.ok());
  CHECK(r.reason.find("DOCTYPE") != std::string::npos);
}

TEST_CASE("a 2 MB document is refused as larger than 1 MiB") {
  auto huge = edited(fixture(flood), "<description>", "<description>" + std::string(2'000'000, 'x'));
  auto r = parse_cap(huge);
  REQUIRE_FALSE(r.ok());
  CHECK(r.element == "document");
  CHECK(r.reason == "larger than 1 MiB");
}

TEST_CASE("the size limit is the caller's to choose") {
  auto text = fixture(flood);
  CHECK(parse_cap(text, text.size()).ok());
  auto r = parse_cap(text, text.size() - 1);
  REQUIRE_FALSE(r.ok());
  CHECK(r.reason.starts_with("larger than"));
}

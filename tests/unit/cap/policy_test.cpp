#include <banditore/cap/policy.hpp>

#include <banditore/cap/parse.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace banditore::cap;
using namespace banditore::cap::testing;
using namespace std::chrono;

namespace {

constexpr geo_point palazzo_marino{45.4668, 9.1905};  // Milano town hall
constexpr geo_point bergamo{45.6983, 9.6773};

cap_alert load(std::string_view name) {
  auto r = parse_cap(fixture(name));
  REQUIRE_MESSAGE(r.ok(), r.element, ": ", r.reason);
  return *r.alert;
}

cap_policy lombardia() {
  cap_policy p;
  p.where.region_codes = {"IT003"};
  return p;
}

cap_policy milano() {
  cap_policy p;
  p.where.istat_codes = {"015146"};
  return p;
}

// The day before the orange thunderstorm warning comes into force.
const sys_seconds july_14_afternoon = sys_days{2024y / July / 14} + 14h;
const sys_seconds flood_morning = sys_days{2024y / May / 15} + 5h;  // 07:00 in Milano

// An Actual, Public info with one area, for the cases built in code.
cap_info info_for(cap_area area, std::string language = "it-IT") {
  cap_info i;
  i.language = std::move(language);
  i.categories = {"Safety"};
  i.event = "Fuga di gas";
  i.urgency = "Immediate";
  i.severity = "Severe";
  i.certainty = "Observed";
  i.areas = {std::move(area)};
  return i;
}

cap_alert alert_of(std::vector<cap_info> infos) {
  cap_alert a;
  a.identifier = "T-1";
  a.sender = "a@example.it";
  a.status = "Actual";
  a.msg_type = "Alert";
  a.scope = "Public";
  a.infos = std::move(infos);
  return a;
}

cap_area istat_area(std::string name, std::string code) {
  cap_area a;
  a.desc = "Comune";
  a.geocodes = {{std::move(name), std::move(code)}};
  return a;
}

}  // namespace

// --- status, message type, scope -----------------------------------------

TEST_CASE("an orange MeteoAlarm warning for Lombardia is broadcast from its Italian info") {
  auto d = decide(load("meteoalarm_it_orange_thunderstorm_lombardia.xml"), lombardia(), july_14_afternoon);
  CHECK(d.verdict == cap_verdict::broadcast);
  CHECK(d.info_index == 0);
}

TEST_CASE("an Exercise is recorded, not sent") {
  auto d = decide(load("italert_exercise_lombardia.xml"), milano(), sys_days{2024y / September / 19} + 10h);
  CHECK(d.verdict == cap_verdict::record_only);
  CHECK(d.reason == "status Exercise is recorded, not sent");
}

TEST_CASE("a Test is recorded, not sent") {
  auto d = decide(load("system_test_lombardia.xml"), milano(), sys_days{2024y / June / 1} + 8h);
  CHECK(d.verdict == cap_verdict::record_only);
}

TEST_CASE("a status the deployment chooses to broadcast is broadcast") {
  auto p = milano();
  p.broadcast_statuses.insert("Exercise");
  auto d = decide(load("italert_exercise_lombardia.xml"), p, sys_days{2024y / September / 19} + 10h);
  CHECK(d.verdict == cap_verdict::broadcast);
}

TEST_CASE("an Ack or an Error is not an alert") {
  auto a = load("civil_protection_milano_flood.xml");
  a.msg_type = "Ack";
  CHECK(decide(a, milano(), flood_morning).verdict == cap_verdict::not_alert);
  a.msg_type = "Error";
  CHECK(decide(a, milano(), flood_morning).verdict == cap_verdict::not_alert);
}

TEST_CASE("a Restricted alert is not public") {
  auto a = load("civil_protection_milano_flood.xml");
  a.scope = "Restricted";
  CHECK(decide(a, milano(), flood_morning).verdict == cap_verdict::not_public);
  auto p = milano();
  p.require_public_scope = false;
  CHECK(decide(a, p, flood_morning).verdict == cap_verdict::broadcast);
}

// --- awareness level and thresholds --------------------------------------

TEST_CASE("a yellow warning is below the default awareness level") {
  auto d = decide(load("meteoalarm_it_yellow_wind_lombardia.xml"), lombardia(),
                  sys_days{2024y / March / 2} + 10h);
  CHECK(d.verdict == cap_verdict::below_threshold);
  CHECK(d.reason == "awareness level 2 is below 3");
}

TEST_CASE("a yellow warning is broadcast when the policy lowers the awareness level to 2") {
  auto p = lombardia();
  p.min_awareness_level = 2;
  auto d = decide(load("meteoalarm_it_yellow_wind_lombardia.xml"), p, sys_days{2024y / March / 2} + 10h);
  CHECK(d.verdict == cap_verdict::broadcast);
}

TEST_CASE("the awareness level decides alone, whatever urgency the policy lists") {
  auto p = lombardia();
  p.urgencies = {"Immediate"};
  auto d = decide(load("meteoalarm_it_orange_thunderstorm_lombardia.xml"), p, july_14_afternoon);
  CHECK(d.verdict == cap_verdict::broadcast);
}

TEST_CASE("with the awareness rule off the triple decides MeteoAlarm infos too") {
  auto p = lombardia();
  p.min_awareness_level.reset();
  p.urgencies = {"Immediate"};
  auto d = decide(load("meteoalarm_it_orange_thunderstorm_lombardia.xml"), p, july_14_afternoon);
  CHECK(d.verdict == cap_verdict::below_threshold);
  CHECK(d.reason == "urgency Future is not broadcast");
}

TEST_CASE("an unreadable awareness level falls back to the triple") {
  auto a = load("meteoalarm_it_yellow_wind_lombardia.xml");
  a.infos[0].parameters[0].second = "yellow";
  CHECK_FALSE(awareness_level(a.infos[0]));
  // Moderate, Future, Likely passes the default triple.
  CHECK(decide(a, lombardia(), sys_days{2024y / March / 2} + 10h).verdict == cap_verdict::broadcast);
}

TEST_CASE("awareness_level reads the number before the first semicolon") {
  cap_info i;
  i.parameters = {{"awareness_type", "3; thunderstorm"}, {"awareness_level", "4; red; Extreme"}};
  CHECK(awareness_level(i) == 4);
  i.parameters = {{"awareness_level", " 3 "}};
  CHECK(awareness_level(i) == 3);
  i.parameters = {{"awareness_level", "3a; orange"}};
  CHECK_FALSE(awareness_level(i));
}

TEST_CASE("without an awareness level severity, urgency and certainty each decide") {
  auto base = load("civil_protection_milano_flood.xml");
  CHECK(decide(base, milano(), flood_morning).verdict == cap_verdict::broadcast);

  auto minor = base;
  minor.infos[0].severity = "Minor";
  CHECK(decide(minor, milano(), flood_morning).reason == "severity Minor is below Moderate");

  auto past = base;
  past.infos[0].urgency = "Past";
  CHECK(decide(past, milano(), flood_morning).reason == "urgency Past is not broadcast");

  auto possible = base;
  possible.infos[0].certainty = "Possible";
  CHECK(decide(possible, milano(), flood_morning).reason == "certainty Possible is below Likely");
}

TEST_CASE("severity Unknown does not pass a Moderate threshold") {
  auto a = load("civil_protection_milano_flood.xml");
  a.infos[0].severity = "Unknown";
  CHECK(decide(a, milano(), flood_morning).verdict == cap_verdict::below_threshold);
}

TEST_CASE("a policy naming an unknown severity or certainty is a configuration error") {
  auto p = milano();
  p.min_severity = "High";
  CHECK_THROWS_AS(decide(load("civil_protection_milano_flood.xml"), p, flood_morning),
                  std::invalid_argument);
  p = milano();
  p.min_certainty = "Sure";
  CHECK_THROWS_AS(decide(load("civil_protection_milano_flood.xml"), p, flood_morning),
                  std::invalid_argument);
}

// --- expiry ----------------------------------------------------------------

TEST_CASE("an info past its expiry time is reported as expired") {
  auto d = decide(load("civil_protection_milano_flood.xml"), milano(), sys_days{2024y / May / 15} + 18h);
  CHECK(d.verdict == cap_verdict::expired);
  CHECK(d.reason == "expired at 2024-05-15T20:00:00+02:00");
}

TEST_CASE("an info without expiry time never expires") {
  auto a = load("civil_protection_milano_flood.xml");
  a.infos[0].expires.reset();
  CHECK(decide(a, milano(), sys_days{2030y / January / 1}).verdict == cap_verdict::broadcast);
}

// --- Update and Cancel -----------------------------------------------------

TEST_CASE("an Update goes through the same checks and is broadcast") {
  auto d = decide(load("civil_protection_milano_flood_update.xml"), milano(), sys_days{2024y / May / 15} + 8h);
  CHECK(d.verdict == cap_verdict::broadcast);
}

TEST_CASE("a Cancel for the territory is broadcast although its urgency is Past and severity Minor") {
  auto d = decide(load("civil_protection_milano_flood_cancel.xml"), milano(), sys_days{2024y / May / 15} + 16h + 10min);
  CHECK(d.verdict == cap_verdict::broadcast);
}

TEST_CASE("a Cancel for another territory is not broadcast") {
  cap_policy p;
  p.where.istat_codes = {"016024"};  // Bergamo
  auto d = decide(load("civil_protection_milano_flood_cancel.xml"), p, sys_days{2024y / May / 15} + 16h + 10min);
  CHECK(d.verdict == cap_verdict::outside_territory);
}

// --- territory -------------------------------------------------------------

TEST_CASE("an alert for another region is outside the territory") {
  cap_policy p;
  p.where.region_codes = {"IT005"};
  auto d = decide(load("meteoalarm_it_orange_thunderstorm_lombardia.xml"), p, july_14_afternoon);
  CHECK(d.verdict == cap_verdict::outside_territory);
  CHECK(d.reason == "no area is in the configured territory");
}

TEST_CASE("a warning over two regions matches through its second area") {
  auto d = decide(load("meteoalarm_it_red_rain_piemonte_lombardia.xml"), lombardia(),
                  sys_days{2024y / October / 16} + 16h);
  CHECK(d.verdict == cap_verdict::broadcast);
}

TEST_CASE("an empty territory matches nothing") {
  auto d = decide(load("civil_protection_milano_flood.xml"), cap_policy{}, flood_morning);
  CHECK(d.verdict == cap_verdict::outside_territory);
  CHECK(d.reason == "no territory is configured, so no area can match");
}

TEST_CASE("the ISTAT geocode matches the municipality code") {
  territory t;
  t.istat_codes = {"015146"};
  CHECK(in_territory(info_for(istat_area("ISTAT", "015146")), t));
  CHECK_FALSE(in_territory(info_for(istat_area("ISTAT", "015147")), t));
}

TEST_CASE("the geocode names of Italian feeds and codes without leading zeros match") {
  territory t;
  t.istat_codes = {"015146"};
  for (std::string name : {"istat_code", "ISTAT_COMUNE", "istat", "codice_istat"}) {
    CAPTURE(name);
    CHECK(in_territory(info_for(istat_area(name, "015146")), t));
  }
  CHECK(in_territory(info_for(istat_area("ISTAT", "15146")), t));
}

TEST_CASE("an ISTAT code under another geocode name does not match") {
  territory t;
  t.istat_codes = {"015146"};
  CHECK_FALSE(in_territory(info_for(istat_area("SAME", "015146")), t));
  CHECK_FALSE(in_territory(info_for(istat_area("EMMA_ID", "015146")), t));
}

TEST_CASE("the town point inside an alert polygon matches") {
  cap_policy p;
  p.where.point = palazzo_marino;
  auto a = load("civil_protection_milano_flood.xml");
  a.infos[0].areas[0].geocodes.clear();
  CHECK(decide(a, p, flood_morning).verdict == cap_verdict::broadcast);
  p.where.point = bergamo;
  CHECK(decide(a, p, flood_morning).verdict == cap_verdict::outside_territory);
}

TEST_CASE("the town point within an alert circle matches") {
  cap_area area;
  area.desc = "Raggio di 5 km dal deposito";
  area.circles = {{{45.4900, 9.2000}, 5.0}};  // ~2.7 km from the town hall
  territory t;
  t.point = palazzo_marino;
  CHECK(in_territory(info_for(area), t));
  area.circles = {{{45.4900, 9.2000}, 2.0}};
  CHECK_FALSE(in_territory(info_for(area), t));
}

// --- languages and choice of info --------------------------------------------

TEST_CASE("the English info is chosen when the policy prefers English") {
  auto p = lombardia();
  p.languages = {"en", "it"};
  auto d = decide(load("meteoalarm_it_orange_thunderstorm_lombardia.xml"), p, july_14_afternoon);
  CHECK(d.verdict == cap_verdict::broadcast);
  CHECK(d.info_index == 1);
}

TEST_CASE("an info without language counts as en-US") {
  auto a = alert_of({info_for(istat_area("ISTAT", "015146"), "es-ES"),
                     info_for(istat_area("ISTAT", "015146"), "")});
  auto p = milano();
  p.languages = {"en"};
  CHECK(decide(a, p, flood_morning).info_index == 1);
}

TEST_CASE("a full language tag in the policy matches only that tag") {
  auto a = alert_of({info_for(istat_area("ISTAT", "015146"), "it-CH"),
                     info_for(istat_area("ISTAT", "015146"), "it-IT")});
  auto p = milano();
  p.languages = {"it-IT"};
  CHECK(decide(a, p, flood_morning).info_index == 1);
}

TEST_CASE("infos in no listed language are all considered, in order") {
  auto a = alert_of({info_for(istat_area("ISTAT", "016024"), "de-DE"),
                     info_for(istat_area("ISTAT", "015146"), "de-DE")});
  auto d = decide(a, milano(), flood_morning);
  CHECK(d.verdict == cap_verdict::broadcast);
  CHECK(d.info_index == 1);
}

TEST_CASE("among infos in the best language the first that passes is chosen") {
  auto a = alert_of({info_for(istat_area("ISTAT", "015146"), "en-GB"),
                     info_for(istat_area("ISTAT", "016024"), "it-IT"),
                     info_for(istat_area("ISTAT", "015146"), "it-IT")});
  auto d = decide(a, milano(), flood_morning);
  CHECK(d.verdict == cap_verdict::broadcast);
  CHECK(d.info_index == 2);
}

TEST_CASE("the best language decides even when another language would pass") {
  auto a = alert_of({info_for(istat_area("ISTAT", "015146"), "en-GB"),
                     info_for(istat_area("ISTAT", "016024"), "it-IT")});
  CHECK(decide(a, milano(), flood_morning).verdict == cap_verdict::outside_territory);
}

TEST_CASE("when no info passes the one that got furthest gives the verdict") {
  auto weak = info_for(istat_area("ISTAT", "015146"));
  weak.severity = "Minor";
  auto a = alert_of({info_for(istat_area("ISTAT", "016024")), weak});
  auto d = decide(a, milano(), flood_morning);
  CHECK(d.verdict == cap_verdict::below_threshold);
  CHECK(d.info_index == 1);
}

TEST_CASE("an alert without info is outside the territory") {
  CHECK(decide(alert_of({}), milano(), flood_morning).verdict == cap_verdict::outside_territory);
}

TEST_CASE("every verdict has a name for logs") {
  CHECK(std::string(to_string(cap_verdict::broadcast)) == "broadcast");
  CHECK(std::string(to_string(cap_verdict::record_only)) == "record_only");
  CHECK(std::string(to_string(cap_verdict::not_alert)) == "not_alert");
}

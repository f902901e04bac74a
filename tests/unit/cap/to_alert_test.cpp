#include <banditore/cap/to_alert.hpp>

#include <banditore/cap/parse.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

using namespace banditore;
using namespace banditore::cap;
using namespace banditore::cap::testing;

namespace {

cap_alert load(std::string_view name) {
  auto r = parse_cap(fixture(name));
  REQUIRE_MESSAGE(r.ok(), r.element, ": ", r.reason);
  return *r.alert;
}

}  // namespace

TEST_CASE("a weather warning is a weather alert") {
  CHECK(alert_category({"Met"}) == "weather");
}

TEST_CASE("geophysical, safety, security, rescue, fire, CBRNE and environmental alerts are civil protection") {
  for (const char* c : {"Geo", "Safety", "Security", "Rescue", "Fire", "CBRNE", "Env"}) {
    INFO(c);
    CHECK(alert_category({c}) == "civil_protection");
  }
}

TEST_CASE("health alerts are health and transport alerts are roads") {
  CHECK(alert_category({"Health"}) == "health");
  CHECK(alert_category({"Transport"}) == "roads");
}

TEST_CASE("infrastructure and other alerts are not guessed to be water") {
  CHECK(alert_category({"Infra"}) == "other");
  CHECK(alert_category({"Other"}) == "other");
  CHECK(alert_category({}) == "other");
}

TEST_CASE("the first category more precise than other wins") {
  CHECK(alert_category({"Met", "Safety"}) == "weather");
  CHECK(alert_category({"Other", "Fire"}) == "civil_protection");
}

TEST_CASE("CAP severities map to the same level and Unknown to moderate") {
  CHECK(alert_severity("Extreme") == domain::severity::extreme);
  CHECK(alert_severity("Severe") == domain::severity::severe);
  CHECK(alert_severity("Moderate") == domain::severity::moderate);
  CHECK(alert_severity("Minor") == domain::severity::minor);
  CHECK(alert_severity("Unknown") == domain::severity::moderate);
}

TEST_CASE("a MeteoAlarm warning becomes a severe weather alert titled by its headline") {
  auto d = alert_draft_from_cap(load("meteoalarm_it_orange_thunderstorm_lombardia.xml"), 0);
  CHECK(d.category == "weather");
  CHECK(d.level == domain::severity::severe);
  CHECK(d.title == "Allerta arancione per temporali - Lombardia");
  REQUIRE(d.expires_at_ms.has_value());
  CHECK(*d.expires_at_ms == *domain::parse_rfc3339("2024-07-15T21:59:00+00:00"));
}

TEST_CASE("the alert text is the rendered message without its title line") {
  auto alert = load("meteoalarm_it_orange_thunderstorm_lombardia.xml");
  auto d = alert_draft_from_cap(alert, 0);
  auto rendered = render_whatsapp_text(alert, 0);
  CHECK(d.text.rfind("Zona: Lombardia\n", 0) == 0);
  CHECK(rendered == "*" + d.title + "*\n" + d.text);
}

TEST_CASE("an update's title carries the renderer's prefix") {
  auto d = alert_draft_from_cap(load("civil_protection_milano_flood_update.xml"), 0);
  CHECK(d.title.rfind("AGGIORNAMENTO: ", 0) == 0);
  CHECK(d.title.find('*') == std::string::npos);
}

TEST_CASE("a cancellation is titled REVOCA and gives the reason") {
  auto d = alert_draft_from_cap(load("civil_protection_milano_flood_cancel.xml"), 0);
  CHECK(d.title == "REVOCA: Esondazione del Seveso a Niguarda");
  CHECK(d.text.find("Cessato allarme") != std::string::npos);
}

TEST_CASE("a long description is cut so the text fits the alert text limit") {
  auto alert = load("meteoalarm_it_orange_thunderstorm_lombardia.xml");
  std::string longer;
  for (int i = 0; i < 200; ++i) longer += "pioggia intensa ";
  alert.infos[0].description = longer;
  auto d = alert_draft_from_cap(alert, 0);
  CHECK(code_points(d.text) <= 1024);
  CHECK(code_points(d.text) > 900);  // only the description was shortened, not the whole
  CHECK(d.text.find("Evita i sottopassi") != std::string::npos);
}

TEST_CASE("a headline longer than the title limit is cut with an ellipsis") {
  auto alert = load("meteoalarm_it_orange_thunderstorm_lombardia.xml");
  alert.infos[0].headline = std::string(300, 'x');
  auto d = alert_draft_from_cap(alert, 0);
  CHECK(code_points(d.title) == domain::max_title);
  CHECK(d.title.substr(d.title.size() - 3) == "…");
}

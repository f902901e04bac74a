#include <banditore/cap/message.hpp>

#include <banditore/cap/parse.hpp>
#include <banditore/domain/local_time.hpp>

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace banditore::cap;
using namespace banditore::cap::testing;

namespace {

cap_alert load(std::string_view name) {
  auto r = parse_cap(fixture(name));
  REQUIRE_MESSAGE(r.ok(), r.element, ": ", r.reason);
  return *r.alert;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

}  // namespace

TEST_CASE("an orange warning renders headline, area, Rome times, instruction, description and link") {
  auto text = render_whatsapp_text(load("meteoalarm_it_orange_thunderstorm_lombardia.xml"), 0);
  CHECK(text ==
        "*Allerta arancione per temporali - Lombardia*\n"
        "Zona: Lombardia\n"
        "Valido dal 15/07/2024 ore 00:00 al 15/07/2024 ore 23:59\n"
        "\n"
        "Evita i sottopassi e le zone allagabili, fissa gli oggetti esposti al vento, non sostare "
        "sotto gli alberi. Segui le indicazioni del tuo Comune.\n"
        "\n"
        "Temporali anche di forte intensità, accompagnati da rovesci di pioggia, grandinate, fulmini e "
        "forti raffiche di vento, in particolare su fascia prealpina e alta pianura.\n"
        "\n"
        "https://www.meteoalarm.org/it/live/region/IT");
}

TEST_CASE("winter times are shown in CET, one hour ahead of UTC") {
  auto text = render_whatsapp_text(load("meteoalarm_it_yellow_wind_lombardia.xml"), 0);
  CHECK(text.find("Valido dal 03/03/2024 ore 00:00 al 03/03/2024 ore 23:59") != std::string::npos);
}

TEST_CASE("times sent with a +02:00 offset are shown as the sender meant them") {
  auto text = render_whatsapp_text(load("civil_protection_milano_flood.xml"), 0);
  CHECK(text.find("Valido dal 15/05/2024 ore 06:30 al 15/05/2024 ore 20:00") != std::string::npos);
}

TEST_CASE("the UTC zone shows times unchanged") {
  render_options o;
  o.time_zone = "UTC";
  auto text = render_whatsapp_text(load("meteoalarm_it_orange_thunderstorm_lombardia.xml"), 0, o);
  CHECK(text.find("Valido dal 14/07/2024 ore 22:00 al 15/07/2024 ore 21:59") != std::string::npos);
}

TEST_CASE("CAP times read the service's clock, domain/local_time, in any zone it knows") {
  // CAP keeps no clock of its own: the offset its text shows is domain's.
  using namespace std::chrono;
  CHECK(banditore::domain::utc_offset("America/New_York", sys_days{2024y / July / 14}) == -4h);
  render_options o;
  o.time_zone = "America/New_York";
  auto text = render_whatsapp_text(load("meteoalarm_it_orange_thunderstorm_lombardia.xml"), 0, o);
  CHECK(text.find("Valido dal 14/07/2024 ore 18:00 al 15/07/2024 ore 17:59") != std::string::npos);
}

TEST_CASE("the start of validity falls back from onset to effective, and may be absent") {
  auto a = load("civil_protection_milano_flood.xml");
  a.infos[0].onset.reset();
  CHECK(render_whatsapp_text(a, 0).find("Valido fino al 15/05/2024 ore 20:00") != std::string::npos);
  a.infos[0].effective = a.infos[0].expires;
  a.infos[0].expires.reset();
  CHECK(render_whatsapp_text(a, 0).find("Valido dal 15/05/2024 ore 20:00\n") != std::string::npos);
}

TEST_CASE("every area is listed once") {
  auto a = load("meteoalarm_it_red_rain_piemonte_lombardia.xml");
  a.infos[0].areas.push_back(a.infos[0].areas[1]);
  CHECK(render_whatsapp_text(a, 0).find("Zona: Piemonte, Lombardia\n") != std::string::npos);
}

TEST_CASE("an Update starts with AGGIORNAMENTO") {
  auto text = render_whatsapp_text(load("civil_protection_milano_flood_update.xml"), 0);
  CHECK(text.starts_with("AGGIORNAMENTO: *Seveso: acqua in calo, strade ancora chiuse*\n"));
}

TEST_CASE("a Cancel starts with REVOCA and gives the note as the reason, without validity") {
  auto text = render_whatsapp_text(load("civil_protection_milano_flood_cancel.xml"), 0);
  CHECK(text ==
        "REVOCA: *Esondazione del Seveso a Niguarda*\n"
        "Zona: Milano - Niguarda\n"
        "\n"
        "Cessato allarme: il Seveso è rientrato sotto la soglia di guardia e le strade sono riaperte.\n"
        "\n"
        "https://www.comune.milano.example.it/protezione-civile");
}

TEST_CASE("a Cancel without note gives its description as the reason") {
  auto a = load("civil_protection_milano_flood_cancel.xml");
  a.note.clear();
  a.infos[0].description = "Allerta rientrata.";
  CHECK(render_whatsapp_text(a, 0).find("\n\nAllerta rientrata.\n\n") != std::string::npos);
}

TEST_CASE("without headline the event is the bold title") {
  auto a = load("civil_protection_milano_flood.xml");
  a.infos[0].headline.clear();
  CHECK(render_whatsapp_text(a, 0).starts_with("*Esondazione del torrente Seveso*\n"));
}

TEST_CASE("asterisks and line breaks in the headline cannot break the bold") {
  auto a = load("civil_protection_milano_flood.xml");
  a.infos[0].headline = "*URGENTE*\n  Seveso   esondato";
  CHECK(render_whatsapp_text(a, 0).starts_with("*URGENTE Seveso esondato*\n"));
}

TEST_CASE("a long description is cut on a word boundary with an ellipsis within max_chars") {
  auto a = load("civil_protection_milano_flood.xml");
  std::string words;
  for (int i = 0; i < 200; ++i) words += "allagamento ";
  a.infos[0].description = words;
  render_options o;
  o.max_chars = 500;
  auto text = render_whatsapp_text(a, 0, o);
  CHECK(code_points(text) <= 500);
  auto cut = text.find("…");
  REQUIRE(cut != std::string::npos);
  CHECK(text.substr(cut - 11, 11) == "allagamento");
  // Instruction and link are kept whole: the description gives way first.
  CHECK(text.find(a.infos[0].instruction) != std::string::npos);
  CHECK(text.ends_with("\n\nhttps://www.comune.milano.example.it/protezione-civile"));
}

TEST_CASE("the limit counts code points, not bytes, and cuts whole characters") {
  auto a = load("civil_protection_milano_flood.xml");
  std::string words;
  for (int i = 0; i < 300; ++i) words += "è già ";
  a.infos[0].description = words;
  render_options o;
  o.max_chars = 400;
  auto text = render_whatsapp_text(a, 0, o);
  CHECK(code_points(text) <= 400);
  CHECK(code_points(text) > 380);
  CHECK(text.size() > 400);
  CHECK(valid_utf8(text));
}

TEST_CASE("the instruction gives way after the description") {
  auto a = load("civil_protection_milano_flood.xml");
  std::string words;
  for (int i = 0; i < 100; ++i) words += "evacuare ";
  a.infos[0].instruction = words;
  render_options o;
  o.max_chars = 300;
  auto text = render_whatsapp_text(a, 0, o);
  CHECK(code_points(text) <= 300);
  CHECK(text.find(a.infos[0].description.substr(0, 20)) == std::string::npos);
  CHECK(text.find("evacuare…") != std::string::npos);
}

TEST_CASE("a headline longer than the limit is cut on a UTF-8 boundary") {
  auto a = load("civil_protection_milano_flood.xml");
  a.infos[0].headline = "Città è già allagata più volte";
  render_options o;
  o.max_chars = 12;
  auto text = render_whatsapp_text(a, 0, o);
  CHECK(code_points(text) == 12);
  CHECK(valid_utf8(text));
  CHECK(text.ends_with("…"));
}

TEST_CASE("an unknown time zone is a configuration error") {
  render_options o;
  o.time_zone = "Europe/Atlantis";
  CHECK_THROWS_AS(render_whatsapp_text(load("civil_protection_milano_flood.xml"), 0, o),
                  std::invalid_argument);
}

TEST_CASE("an info index out of range is refused") {
  CHECK_THROWS_AS(render_whatsapp_text(load("civil_protection_milano_flood.xml"), 1), std::out_of_range);
}

TEST_CASE("prefix_code_points never splits a multi-byte character") {
  CHECK(prefix_code_points("città", 4) == "citt");
  CHECK(prefix_code_points("città", 5) == "città");
  CHECK(prefix_code_points("è…a", 2) == "è…");
  CHECK(code_points("è…a") == 3);
}

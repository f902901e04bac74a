#include <banditore/app/public_pages.hpp>

#include <banditore/app/public_cap.hpp>
#include <banditore/cap/parse.hpp>
#include <banditore/cap/write.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/http/caching.hpp>

#include "../fake_store.hpp"
#include "route_call.hpp"

#include <doctest/doctest.h>
#include <pugixml.hpp>

#include <memory>
#include <string>

using namespace banditore;
using testing::call;
using testing::fake_store;
using testing::header_of;
using testing::make_request;
using testing::run_blocking;

namespace {

constexpr std::int64_t t0 = 1'796'000'000'000;  // 2026-11-30

struct site {
  fake_store store;
  std::int64_t clock = t0;
  std::unique_ptr<app::public_pages> pages;
  http::router routes;

  site() {
    store.catalogue_data.towns = {{"lugo", "Comune di Lugo", {}, "039012"}, {"bagnara", "Comune di Bagnara", {}, ""}};
    store.catalogue_data.topics = domain::default_topics();
    store.catalogue_data.areas = {{"voltana", "lugo", "Voltana", {}}};
    app::public_site s;
    s.name = "Avvisi della Bassa Romagna";
    s.number = "+39 0545 123456";
    s.base_url = "https://avvisi.example.it";
    s.now = [this] { return clock; };
    pages = std::make_unique<app::public_pages>(std::move(s), &store, &store);
    pages->add_routes(routes);
  }

  std::int64_t create(std::string title, bool publish = true, std::optional<std::int64_t> expires = {},
                      domain::alert_audience audience = {}) {
    store::new_alert a;
    a.audience = std::move(audience);
    a.draft.category = "water";
    a.draft.level = domain::severity::severe;
    a.draft.title = std::move(title);
    a.draft.text = "Primo paragrafo.\n\nSecondo.";
    a.draft.expires_at_ms = expires;
    a.publish = publish;
    auto out = run_blocking(store.create(std::move(a), {"test", {}}, 0, clock));
    pages->alerts_changed();
    return out.result.id;
  }

  // An alert carrying an attachment the fake store keeps by media id.
  std::int64_t create_with(std::string title, std::string mime_type, std::string filename, std::string bytes,
                           bool publish = true) {
    const std::int64_t media_id = static_cast<std::int64_t>(store.media_files.size()) + 1;
    store::public_attachment_file f;
    f.info.id = media_id;
    f.info.mime_type = std::move(mime_type);
    f.info.filename = std::move(filename);
    f.info.size = static_cast<std::int64_t>(bytes.size());
    f.info.sha256 = crypto::to_hex(std::string_view(reinterpret_cast<const char*>(crypto::sha256(bytes).data()), 32));
    f.bytes = std::move(bytes);
    store.media_files[media_id] = std::move(f);
    const auto id = create(std::move(title), publish);
    store.alert_rows.at(id).media_id = media_id;
    return id;
  }

  http::response get(std::string target, std::vector<http::header_field> headers = {}) {
    auto req = make_request("GET", std::move(target));
    req.headers = std::move(headers);
    return call(routes, req);
  }
};

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the home page shows each town's number, click-to-chat link and QR code, the words and the topics") {
  site s;
  auto r = s.get("/");
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/html; charset=utf-8");
  CHECK(has(r.body, "Comune di Lugo"));
  CHECK(has(r.body, "+39 0545 123456"));
  // Two towns: the first message names the town.
  CHECK(has(r.body, "https://wa.me/390545123456?text=ATTIVA%20Lugo"));
  CHECK(has(r.body, "https://wa.me/390545123456?text=ATTIVA%20Bagnara"));
  CHECK(has(r.body, "<svg"));
  for (auto word : {"Attiva", "Disattiva", "Stato", "Solo emergenze", "Tutto"}) CHECK(has(r.body, word));
  CHECK(has(r.body, "Strade e viabilità"));
  CHECK(has(r.body, "Voltana"));
  CHECK(header_of(r, "Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);
  CHECK(header_of(r, "Content-Security-Policy").find("unsafe-inline") == std::string::npos);
  CHECK_FALSE(has(r.body, "<script"));
}

TEST_CASE("an alert's page escapes its title, and an unknown or hidden alert is a 404 page") {
  site s;
  const auto id = s.create("Guasto <script>alert(1)</script>");
  const auto hidden = s.create("Da non pubblicare", false);
  auto r = s.get("/avvisi/" + std::to_string(id));
  CHECK(r.status == 200);
  CHECK_FALSE(has(r.body, "<script>"));
  CHECK(has(r.body, "Guasto &lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(has(r.body, "<p>Primo paragrafo.</p><p>Secondo.</p>"));
  CHECK(has(r.body, "ALLERTA ARANCIONE"));
  auto missing = s.get("/avvisi/" + std::to_string(hidden));
  CHECK(missing.status == 404);
  CHECK(missing.content_type == "text/html; charset=utf-8");
  CHECK(s.get("/avvisi/abc").status == 404);
  CHECK(s.get("/avvisi/999").status == 404);
  CHECK_FALSE(has(s.get("/avvisi").body, "Da non pubblicare"));
  CHECK_FALSE(has(s.get("/avvisi.atom").body, "Da non pubblicare"));
  CHECK(s.get("/cap/" + std::to_string(hidden) + ".xml").status == 404);
}

TEST_CASE("a cancelled alert is marked on its page, in the archive and in the feeds, and has a Cancel document") {
  site s;
  const auto id = s.create("Strada chiusa");
  s.clock += 60'000;
  run_blocking(s.store.cancel(id, {"test", {}}, s.clock));
  s.pages->alerts_changed();
  const auto n = std::to_string(id);
  CHECK(has(s.get("/avvisi/" + n).body, "Avviso annullato"));
  CHECK(has(s.get("/avvisi").body, "Annullato"));
  CHECK(has(s.get("/avvisi.atom").body, "ANNULLATO: Strada chiusa"));
  auto index = s.get("/cap/index.atom").body;
  CHECK(has(index, "https://avvisi.example.it/cap/" + n + "-cancel.xml"));
  auto cancel = s.get("/cap/" + n + "-cancel.xml");
  REQUIRE(cancel.status == 200);
  auto parsed = cap::parse_cap(cancel.body);
  INFO(parsed.element, ": ", parsed.reason);
  REQUIRE(parsed.ok());
  CHECK(parsed.alert->msg_type == "Cancel");
  REQUIRE(parsed.alert->references.size() == 1);
  CHECK(parsed.alert->references[0].identifier == app::cap_identifier(id));
  // The original stays as it was: the same bytes at the same URL.
  auto original = cap::parse_cap(s.get("/cap/" + n + ".xml").body);
  REQUIRE(original.ok());
  CHECK(original.alert->msg_type == "Alert");
  CHECK(original.alert->identifier == app::cap_identifier(id));
  CHECK(parsed.alert->references[0].sent.utc == original.alert->sent.utc);
  CHECK(s.get("/cap/" + n + "-cancel.txt").status == 404);
}

TEST_CASE("every CAP document the site publishes round-trips through banditore's parser, with the ISTAT geocode") {
  store::public_alert a;
  a.id = 12;
  a.category = "weather";
  a.severity = "extreme";
  a.title = "Allerta rossa";
  a.text = "Piena del Senio.";
  a.created_at = t0;
  a.expires_at = t0 + 3'600'000;
  a.cancelled_at = t0 + 60'000;
  app::cap_publisher p{"avvisi.example.it", "Avvisi di Lugo", "https://avvisi.example.it"};
  domain::audience_catalogue towns;
  towns.towns = {{"lugo", "Comune di Lugo", {}, "039012"}, {"x", "Comune X", {}, ""}};
  for (const auto& doc : {app::cap_alert_of(a, p, towns), app::cap_cancel_of(a, p, towns)}) {
    auto back = cap::parse_cap(cap::cap_xml(doc));
    INFO(back.element, ": ", back.reason);
    REQUIRE(back.ok());
    CHECK(back.alert->identifier == doc.identifier);
    CHECK(back.alert->sender == "avvisi.example.it");
    REQUIRE(back.alert->infos.size() == 1);
    const auto& info = back.alert->infos[0];
    CHECK(info.severity == "Extreme");
    CHECK(info.categories == std::vector<std::string>{"Met"});
    REQUIRE(info.areas.size() == 1);
    CHECK(info.areas[0].desc == "Comune di Lugo, Comune X");
    CHECK(info.areas[0].geocodes == cap::cap_values{{"ISTAT", "039012"}});
    CHECK(info.web == "https://avvisi.example.it/avvisi/12");
  }
  a.cancelled_at.reset();
  CHECK_THROWS_AS(app::cap_cancel_of(a, p, towns), std::invalid_argument);
}

TEST_CASE("an alert for some towns or areas names only those, on its page and in its CAP document") {
  domain::audience_catalogue c;
  c.towns = {{"lugo", "Comune di Lugo", {}, "039012"},
             {"fusignano", "Comune di Fusignano", {}, "039011"},
             {"bagnacavallo", "Comune di Bagnacavallo", {}, ""}};
  c.topics = {{"acqua", "Acqua", {}, true}, {"strade", "Strade e viabilità", {}, true}};
  c.areas = {{"voltana", "lugo", "Voltana", {},
              R"({"type":"Polygon","coordinates":[[[11.9,44.5],[12.0,44.5],[12.0,44.6],[11.9,44.5]]]})"},
             {"maiano", "fusignano", "Maiano", {}, ""}};
  auto ids = [](const app::alert_places& p) {
    std::string out;
    for (const auto& t : p.towns) out += t.id + " ";
    for (const auto& ar : p.areas) out += "/" + ar.id + " ";
    return out;
  };
  domain::alert_audience everyone;
  CHECK(ids(app::places_of(everyone, c)) == "lugo fusignano bagnacavallo ");
  domain::alert_audience topic_only;
  topic_only.topics = std::vector<std::string>{"acqua"};
  CHECK(ids(app::places_of(topic_only, c)) == "lugo fusignano bagnacavallo ");
  domain::alert_audience two;
  two.towns = std::vector<std::string>{"bagnacavallo", "fusignano"};
  CHECK(ids(app::places_of(two, c)) == "fusignano bagnacavallo ");
  domain::alert_audience area;
  area.areas = std::vector<std::string>{"voltana"};
  CHECK(ids(app::places_of(area, c)) == "lugo /voltana ");
  // An area outside the towns named reaches nobody there: the rule of
  // domain/alert_audience.hpp.
  domain::alert_audience both;
  both.towns = std::vector<std::string>{"fusignano", "bagnacavallo"};
  both.areas = std::vector<std::string>{"voltana", "maiano"};
  CHECK(ids(app::places_of(both, c)) == "fusignano /maiano ");

  store::public_alert a;
  a.id = 3;
  a.category = "water";
  a.severity = "moderate";
  a.title = "Acqua torbida";
  a.text = "A Voltana.";
  a.created_at = t0;
  a.audience = area;
  const auto doc = app::cap_alert_of(a, {"avvisi.example.it", "Avvisi", "https://avvisi.example.it"}, c);
  auto back = cap::parse_cap(cap::cap_xml(doc));
  INFO(back.element, ": ", back.reason);
  REQUIRE(back.ok());
  const auto& areas = back.alert->infos.at(0).areas;
  REQUIRE(areas.size() == 2);
  CHECK(areas[0].desc == "Comune di Lugo");
  CHECK(areas[0].geocodes == cap::cap_values{{"ISTAT", "039012"}});
  CHECK(areas[1].desc == "Voltana (Comune di Lugo)");
  REQUIRE(areas[1].polygons.size() == 1);
  const auto& ring = areas[1].polygons[0];
  REQUIRE(ring.size() == 4);
  CHECK(ring.front().lat == doctest::Approx(44.5));
  CHECK(ring.front().lon == doctest::Approx(11.9));
  CHECK(ring.back().lat == ring.front().lat);
  CHECK(ring.back().lon == ring.front().lon);
}

TEST_CASE("a CAP document gives each town's boundary beside its ISTAT code, when the catalogue has one") {
  domain::audience_catalogue c;
  c.towns = {{"lugo", "Comune di Lugo", {}, "039012",
              R"({"type":"Polygon","coordinates":[[[11.85,44.35],[12.0,44.35],[12.0,44.5],[11.85,44.5],[11.85,44.35]]]})"},
             {"bagnacavallo", "Comune di Bagnacavallo", {}, "039003"}};
  store::public_alert a;
  a.id = 5;
  a.category = "roads";
  a.severity = "moderate";
  a.title = "Strade chiuse";
  a.text = "Per la fiera.";
  a.created_at = t0;
  const auto doc = app::cap_alert_of(a, {"avvisi.example.it", "Avvisi", "https://avvisi.example.it"}, c);
  auto back = cap::parse_cap(cap::cap_xml(doc));
  INFO(back.element, ": ", back.reason);
  REQUIRE(back.ok());
  const auto& areas = back.alert->infos.at(0).areas;
  REQUIRE(areas.size() == 1);
  CHECK(areas[0].geocodes == cap::cap_values{{"ISTAT", "039012"}, {"ISTAT", "039003"}});
  // Lugo's ring, closed as CAP asks; Bagnacavallo has none in the catalogue.
  REQUIRE(areas[0].polygons.size() == 1);
  const auto& ring = areas[0].polygons[0];
  REQUIRE(ring.size() == 5);
  CHECK(ring[0].lat == doctest::Approx(44.35));
  CHECK(ring[0].lon == doctest::Approx(11.85));
  CHECK(ring[2].lat == doctest::Approx(44.5));
  CHECK(ring[4].lat == ring[0].lat);
  CHECK(ring[4].lon == ring[0].lon);
}

TEST_CASE("an alert's page says where and for which topics it was sent, as it was addressed") {
  site s;
  const auto everyone = s.create("Per tutti");
  domain::alert_audience lugo_water;
  lugo_water.towns = std::vector<std::string>{"lugo"};
  lugo_water.topics = std::vector<std::string>{"acqua"};
  const auto water = s.create("Acqua a Lugo", true, {}, lugo_water);
  domain::alert_audience voltana;
  voltana.areas = std::vector<std::string>{"voltana"};
  const auto area = s.create("A Voltana", true, {}, voltana);
  auto page = [&](std::int64_t id) { return s.get("/avvisi/" + std::to_string(id)).body; };
  CHECK(has(page(everyone), "<dd>Comune di Lugo, Comune di Bagnara</dd>"));
  CHECK_FALSE(has(page(everyone), "Per chi segue"));
  CHECK(has(page(water), "<dd>Comune di Lugo</dd>"));
  CHECK(has(page(water), "<dt>Per chi segue</dt><dd>Acqua</dd>"));
  CHECK_FALSE(has(page(water), "Bagnara"));
  CHECK(has(page(area), "<dd>Voltana (Comune di Lugo)</dd>"));
  const auto cap = cap::parse_cap(s.get("/cap/" + std::to_string(water) + ".xml").body);
  REQUIRE(cap.ok());
  CHECK(cap.alert->infos.at(0).areas.at(0).desc == "Comune di Lugo");
}

TEST_CASE("an update and the alert it updates link each other, and the update's CAP document is an Update referencing it") {
  site s;
  const auto first = s.create("Chiusura del ponte");
  store::new_alert later;
  later.draft.category = "roads";
  later.draft.level = domain::severity::moderate;
  later.draft.title = "Chiusura del ponte prorogata";
  later.draft.text = "Fino a venerdì.";
  later.updates = first;
  s.clock += 60'000;
  const auto second = run_blocking(s.store.create(std::move(later), {"test", {}}, 0, s.clock)).result.id;
  s.pages->alerts_changed();
  const auto first_n = std::to_string(first), second_n = std::to_string(second);

  const auto old_page = s.get("/avvisi/" + first_n).body;
  CHECK(has(old_page, "Avviso aggiornato"));
  CHECK(has(old_page, "href=\"/avvisi/" + second_n + "\""));
  CHECK_FALSE(has(old_page, "Avviso annullato"));
  const auto new_page = s.get("/avvisi/" + second_n).body;
  CHECK(has(new_page, "aggiorna <a href=\"/avvisi/" + first_n + "\""));
  CHECK(has(s.get("/avvisi").body, "Aggiornato"));
  CHECK(has(s.get("/avvisi.atom").body, "AGGIORNAMENTO: Chiusura del ponte prorogata"));

  const auto update = cap::parse_cap(s.get("/cap/" + second_n + ".xml").body);
  REQUIRE(update.ok());
  CHECK(update.alert->msg_type == "Update");
  const auto original = cap::parse_cap(s.get("/cap/" + first_n + ".xml").body);
  REQUIRE(original.ok());
  CHECK(original.alert->msg_type == "Alert");
  REQUIRE(update.alert->references.size() == 1);
  CHECK(update.alert->references[0].identifier == original.alert->identifier);
  CHECK(update.alert->references[0].sender == original.alert->sender);
  CHECK(update.alert->references[0].sent.utc == original.alert->sent.utc);
}

TEST_CASE("an expired alert is marked as expired and stays in the archive") {
  site s;
  const auto id = s.create("Acqua non potabile", true, t0 + 3'600'000);
  CHECK_FALSE(has(s.get("/avvisi/" + std::to_string(id)).body, "Avviso scaduto"));
  s.clock += 2 * 3'600'000;
  auto r = s.get("/avvisi/" + std::to_string(id));
  CHECK(has(r.body, "Avviso scaduto"));
  CHECK(has(s.get("/avvisi").body, "Scaduto"));
}

TEST_CASE("pages carry ETag and Last-Modified and answer 304 to either validator") {
  site s;
  s.create("Primo");
  auto first = s.get("/avvisi");
  const auto etag = header_of(first, "ETag");
  const auto modified = header_of(first, "Last-Modified");
  REQUIRE_FALSE(etag.empty());
  REQUIRE(http::parse_http_date(modified));
  CHECK(header_of(first, "Cache-Control") == "public, max-age=30");
  auto again = s.get("/avvisi", {{"If-None-Match", etag}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(header_of(again, "ETag") == etag);
  CHECK(s.get("/avvisi", {{"If-Modified-Since", modified}}).status == 304);
  CHECK(s.get("/avvisi", {{"If-None-Match", "\"other\""}, {"If-Modified-Since", modified}}).status == 200);
  // A new alert changes the page: a new tag, and the old one no longer matches.
  s.clock += 5'000;
  s.create("Secondo");
  auto changed = s.get("/avvisi", {{"If-None-Match", etag}});
  CHECK(changed.status == 200);
  CHECK(has(changed.body, "Secondo"));
  CHECK(header_of(changed, "ETag") != etag);
}

TEST_CASE("the archive pages by keyset and refuses a malformed page or an unknown filter with an HTML 400") {
  site s;
  for (int i = 1; i <= 25; ++i) s.create("Avviso numero " + std::to_string(i));
  auto first = s.get("/avvisi");
  CHECK(has(first.body, "Avviso numero 25"));
  CHECK_FALSE(has(first.body, "Avviso numero 5<"));
  CHECK(has(first.body, "/avvisi?prima=6"));
  auto second = s.get("/avvisi?prima=6");
  CHECK(has(second.body, "Avviso numero 5<"));
  CHECK(has(second.body, "Avviso numero 1<"));
  CHECK_FALSE(has(second.body, "Avviso numero 6<"));
  auto bad = s.get("/avvisi?prima=x");
  CHECK(bad.status == 400);
  CHECK(bad.content_type == "text/html; charset=utf-8");
  CHECK(s.get("/avvisi?comune=atlantide").status == 400);
  CHECK(s.get("/avvisi?comune=lugo&argomento=strade").status == 200);
  CHECK(s.get("/avvisi.atom?comune=nessuno").status == 400);
}

TEST_CASE("the Atom feed is well-formed with absolute links, and the widget may be framed") {
  site s;
  s.create("Lavori in via Roma");
  auto feed = s.get("/avvisi.atom");
  CHECK(feed.content_type == "application/atom+xml; charset=utf-8");
  pugi::xml_document doc;
  REQUIRE(doc.load_string(feed.body.c_str()));
  CHECK(std::string(doc.child("feed").child("entry").child("id").child_value()) == "https://avvisi.example.it/avvisi/1");
  auto widget = s.get("/widget");
  CHECK(has(header_of(widget, "Content-Security-Policy"), "frame-ancestors *"));
  CHECK(has(widget.body, "href=\"https://avvisi.example.it/avvisi/1\" target=\"_blank\""));
}

TEST_CASE("the poster is one town's A4 page, and an unknown town is a 404 page") {
  site s;
  auto r = s.get("/manifesto/lugo");
  CHECK(r.status == 200);
  CHECK(has(r.body, "Comune di Lugo"));
  CHECK(has(r.body, "+39 0545 123456"));
  CHECK(has(r.body, "<svg"));
  CHECK(has(r.body, "poster-page"));
  CHECK(s.get("/manifesto/atlantide").status == 404);
}

TEST_CASE("the style sheet is served with a day's caching and its own ETag") {
  site s;
  auto css = s.get("/static/public.css");
  CHECK(css.status == 200);
  CHECK(css.content_type == "text/css; charset=utf-8");
  CHECK(s.get("/static/public.css", {{"If-None-Match", header_of(css, "ETag")}}).status == 304);
  CHECK(s.get("/static/layout.mustache").status == 404);
}

TEST_CASE("an alert's page links its attachment with its kind and size, and shows an image with the title as alt") {
  site s;
  const auto pdf = s.create_with("Ordinanza acqua", "application/pdf", "ordinanza.pdf", std::string(1'234'567, 'x'));
  auto page = s.get("/avvisi/" + std::to_string(pdf));
  CHECK(has(page.body, "Allegato: <a href=\"/avvisi/" + std::to_string(pdf) + "/allegato\">ordinanza.pdf</a> (PDF, 1,2 MB)"));
  CHECK_FALSE(has(page.body, "<img"));
  const auto png = s.create_with("Mappa <chiusure>", "image/png", "", std::string(34'000, 'p'));
  page = s.get("/avvisi/" + std::to_string(png));
  const auto url = "/avvisi/" + std::to_string(png) + "/allegato";
  CHECK(has(page.body, "<a href=\"" + url + "\">avviso-" + std::to_string(png) + ".png</a> (PNG, 34 kB)"));
  CHECK(has(page.body, "<img src=\"" + url + "\" alt=\"Mappa &lt;chiusure&gt;\">"));
  const auto plain = s.create("Senza allegato");
  CHECK_FALSE(has(s.get("/avvisi/" + std::to_string(plain)).body, "Allegato"));

  // The feed's entry names it as an enclosure, with type and length.
  pugi::xml_document feed;
  REQUIRE(feed.load_string(s.get("/avvisi.atom").body.c_str()));
  int enclosures = 0;
  for (auto entry : feed.child("feed").children("entry")) {
    const std::string entry_id = entry.child("id").child_value();
    for (auto link : entry.children("link")) {
      if (std::string(link.attribute("rel").value()) != "enclosure") continue;
      ++enclosures;
      CHECK(std::string(link.attribute("href").value()) == entry_id + "/allegato");
      if (entry_id == "https://avvisi.example.it/avvisi/" + std::to_string(pdf)) {
        CHECK(std::string(link.attribute("type").value()) == "application/pdf");
        CHECK(std::string(link.attribute("length").value()) == "1234567");
      }
    }
  }
  CHECK(enclosures == 2);  // the PDF and the PNG, not the alert without one
}

TEST_CASE("the archive and the widget mark an alert that carries an attachment with a link to it, and no other") {
  site s;
  const auto pdf = s.create_with("Ordinanza acqua", "application/pdf", "ordinanza.pdf", std::string(1'234'567, 'x'));
  const auto plain = s.create("Senza allegato");
  const auto archive = s.get("/avvisi").body;
  CHECK(has(archive, "<a class=\"attachment-link\" href=\"/avvisi/" + std::to_string(pdf) +
                         "/allegato\"><span aria-hidden=\"true\">📎</span> Allegato PDF, 1,2 MB</a>"));
  CHECK_FALSE(has(archive, "/avvisi/" + std::to_string(plain) + "/allegato"));
  // The widget's links are absolute and open a new tab, outside the frame.
  const auto widget = s.get("/widget").body;
  CHECK(has(widget, "<a class=\"attachment-link\" href=\"https://avvisi.example.it/avvisi/" + std::to_string(pdf) +
                        "/allegato\" target=\"_blank\">"));
  CHECK_FALSE(has(widget, "/avvisi/" + std::to_string(plain) + "/allegato"));
  // The home page's newest alerts share the archive's item.
  CHECK(has(s.get("/").body, "/avvisi/" + std::to_string(pdf) + "/allegato"));
}

TEST_CASE("an attachment is served whole with its type, name, ETag and nosniff, answers 304, and is a 404 when hidden or absent") {
  site s;
  std::string bytes = "%PDF-1.4\n";
  bytes += '\0';
  bytes += "\xff\x01 fine";
  const auto id = s.create_with("Ordinanza", "application/pdf", "Ordinanza \"n. 3\" città.pdf", bytes);
  const auto url = "/avvisi/" + std::to_string(id) + "/allegato";
  auto r = s.get(url);
  REQUIRE(r.status == 200);
  CHECK(r.body == bytes);
  CHECK(r.content_type == "application/pdf");
  CHECK(header_of(r, "Content-Disposition") ==
        "inline; filename=\"Ordinanza _n. 3_ citt__.pdf\"; filename*=UTF-8''Ordinanza%20%22n.%203%22%20citt%C3%A0.pdf");
  CHECK(header_of(r, "X-Content-Type-Options") == "nosniff");
  CHECK(header_of(r, "Cache-Control") == "public, max-age=30");
  const auto etag = header_of(r, "ETag");
  CHECK(etag == "\"" + s.store.media_files.begin()->second.info.sha256 + "\"");
  auto again = s.get(url, {{"If-None-Match", etag}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(header_of(again, "ETag") == etag);

  const auto hidden = s.create_with("Nascosto", "image/jpeg", "", "\xff\xd8\xff jpeg", false);
  const auto plain = s.create("Senza allegato");
  for (const auto& target : {"/avvisi/" + std::to_string(hidden) + "/allegato",
                             "/avvisi/" + std::to_string(plain) + "/allegato", std::string("/avvisi/999/allegato"),
                             std::string("/avvisi/abc/allegato")}) {
    INFO(target);
    auto missing = s.get(target);
    CHECK(missing.status == 404);
    CHECK(missing.content_type == "text/html; charset=utf-8");
    CHECK_FALSE(has(missing.body, "jpeg"));
  }
}

TEST_CASE("a CAP document names the attachment as a resource with its SHA-1 digest, and reads back") {
  site s;
  const std::string bytes = "\x89PNG\r\n\x1a\n immagine";
  const auto id = s.create_with("Mappa", "image/png", "mappa.png", bytes);
  auto doc = s.get("/cap/" + std::to_string(id) + ".xml");
  REQUIRE(doc.status == 200);
  auto back = cap::parse_cap(doc.body);
  INFO(back.element, ": ", back.reason);
  REQUIRE(back.ok());
  REQUIRE(back.alert->infos.size() == 1);
  REQUIRE(back.alert->infos[0].resources.size() == 1);
  const auto& r = back.alert->infos[0].resources[0];
  CHECK(r.desc == "Immagine: mappa.png");
  CHECK(r.mime_type == "image/png");
  CHECK(r.size == static_cast<std::int64_t>(bytes.size()));
  CHECK(r.uri == "https://avvisi.example.it/avvisi/" + std::to_string(id) + "/allegato");
  CHECK(r.digest == crypto::sha1_hex(bytes));
  CHECK(r.digest.size() == 40);
  // In the order of the CAP 1.2 schema: after the parameters, before the areas.
  pugi::xml_document xml;
  REQUIRE(xml.load_string(doc.body.c_str()));
  auto info = xml.child("alert").child("info");
  CHECK(std::string(info.child("resource").next_sibling().name()) == "area");
  // The Cancel carries it too, and an alert without one has none.
  s.clock += 1000;
  run_blocking(s.store.cancel(id, {"test", {}}, s.clock));
  s.pages->alerts_changed();
  auto cancel = cap::parse_cap(s.get("/cap/" + std::to_string(id) + "-cancel.xml").body);
  REQUIRE(cancel.ok());
  CHECK(cancel.alert->infos[0].resources.size() == 1);
  const auto plain = s.create("Senza allegato");
  auto none = cap::parse_cap(s.get("/cap/" + std::to_string(plain) + ".xml").body);
  REQUIRE(none.ok());
  CHECK(none.alert->infos[0].resources.empty());
}

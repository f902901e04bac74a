// The public pages as anyone reaches them: the real binary, alerts sent
// and cancelled over the REST API and a CAP exercise pushed to /v1/cap,
// then every page and feed read over HTTP. Feeds are checked by tools
// nobody here wrote: xmllint (well-formed XML), Python's feedparser (Atom)
// and zbarimg (the QR code of the page's SVG, drawn to an image here).
#include "harness.hpp"
#include "raw_socket.hpp"
#include "xml_schemas.hpp"

#include <banditore/cap/parse.hpp>
#include <banditore/domain/local_time.hpp>

#include <doctest/doctest.h>
#include <pugixml.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>

using namespace harness;
using json = nlohmann::json;

namespace {

// Quiet from an hour ago to two hours ahead (Europe/Rome): a minor alert
// waits in the queue, so cancelling it stops it for real.
std::string quiet_now() {
  using namespace std::chrono;
  const auto now = time_point_cast<seconds>(system_clock::now());
  const auto local = banditore::domain::to_local("Europe/Rome", now);
  const int minute = static_cast<int>(duration_cast<minutes>(local - floor<days>(local)).count());
  auto clock = [](int m) {
    m = (m % 1440 + 1440) % 1440;
    char buf[6];
    std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
    return std::string(buf);
  };
  return clock(minute - 60) + "-" + clock(minute + 120);
}

json alert(const std::string& severity, const std::string& title, bool publish = true) {
  json a = {{"category", "roads"}, {"severity", severity}, {"title", title},
            {"text", "Testo dell'avviso: " + title + "."}};
  if (!publish) a["public"] = false;
  return a;
}

// Runs a shell command on a file; its exit status and what it printed.
std::pair<int, std::string> run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  return {::pclose(pipe), out};
}

fs::path save(const fs::path& dir, const std::string& name, const std::string& text) {
  const auto file = dir / name;
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

// The QR code of a page's SVG drawn to a PGM image, module by module, as
// the browser would: each "M x y h n" of the path is n dark modules.
void svg_to_pgm(const std::string& svg, const fs::path& file) {
  pugi::xml_document doc;
  REQUIRE(doc.load_string(svg.c_str()));
  int side = 0;
  std::sscanf(doc.child("svg").attribute("viewBox").value(), "0 0 %d", &side);
  REQUIRE(side > 21);
  std::vector<bool> dark(static_cast<std::size_t>(side * side), false);
  std::string d = doc.child("svg").child("path").attribute("d").value();
  for (std::size_t pos = d.find('M'); pos != std::string::npos; pos = d.find('M', pos + 1)) {
    int x = 0, y = 0, n = 0;
    REQUIRE(std::sscanf(d.c_str() + pos, "M%d %dh%d", &x, &y, &n) == 3);
    for (int i = 0; i < n; ++i) dark[static_cast<std::size_t>(y * side + x + i)] = true;
  }
  constexpr int scale = 4;
  std::ofstream out(file, std::ios::binary);
  out << "P5\n" << side * scale << " " << side * scale << "\n255\n";
  for (int py = 0; py < side * scale; ++py)
    for (int px = 0; px < side * scale; ++px)
      out.put(static_cast<char>(dark[static_cast<std::size_t>((py / scale) * side + px / scale)] ? 0 : 255));
}

}  // namespace

TEST_CASE("an alert sent and cancelled shows, marked, on every page and feed, and a hidden alert or an exercise never does") {
  alert_world w({{"BANDITORE_QUIET_HOURS", quiet_now()},
                 {"BANDITORE_PUBLIC_NUMBER", "+39 0545 123456"},
                 {"BANDITORE_CAP_STATUSES", "Actual,Exercise"},
                 {"BANDITORE_CAP_REGIONS", "IT003"},
                 {"BANDITORE_CAP_ISTAT", "015146"}});
  const auto phones = w.sim.subscribe_many(3);
  const auto& base = w.app.base;
  auto get = [&](const std::string& path, std::vector<banditore::http::header_field> headers = {}) {
    auto r = call(base, "GET", path, {}, std::move(headers));
    INFO("GET " << path << ": " << r.status << " " << r.transport_error);
    REQUIRE(r.answered());
    return r;
  };

  const auto held = w.post_alert(alert("minor", "Spazzamento di via Emilia"))["id"].get<std::int64_t>();
  const auto sent = w.post_alert(alert("severe", "Chiusura del ponte sul Senio"))["id"].get<std::int64_t>();
  const auto hidden = w.post_alert(alert("severe", "Prova riservata al Comune", false))["id"].get<std::int64_t>();
  w.await_state(sent, "done");
  w.await_state(hidden, "done");
  REQUIRE(w.app.api("POST", "/v1/alerts/" + std::to_string(held) + "/cancel", w.token).status == 200);
  CHECK(w.report(held)["state"] == "cancelled");

  // An exercise the operator lets through to test the broadcast: sent, but
  // never public.
  const auto cp = w.app.create_key("protezione civile", "cap:ingest");
  // A real document of 2024, its expiry moved to 2099 so it is current.
  auto exercise = read_file(fs::path(BANDITORE_FIXTURES) / "cap" / "italert_exercise_lombardia.xml");
  for (auto at = exercise.find("<expires>2024-"); at != std::string::npos; at = exercise.find("<expires>2024-", at))
    exercise.replace(at, 14, "<expires>2099-");
  auto pushed = call(base, "POST", "/v1/cap", exercise,
                     {{"Content-Type", "application/cap+xml"}, {"Authorization", "Bearer " + cp}});
  INFO("POST /v1/cap: " << pushed.body);
  CHECK(pushed.status == 202);
  const auto verdict = json::parse(pushed.body, nullptr, false);
  const bool exercise_sent = !verdict.is_discarded() && verdict.value("verdict", "") == "broadcast";
  std::string exercise_title;
  if (exercise_sent) {
    const auto id = verdict["alert_id"].get<std::int64_t>();
    exercise_title = w.report(id)["title"].get<std::string>();
  }

  const auto towns = json::parse(w.app.api("GET", "/v1/towns", w.token).body)["towns"];
  REQUIRE(towns.is_array());
  REQUIRE_FALSE(towns.empty());
  const auto first_town = towns[0]["id"].get<std::string>();
  const auto held_n = std::to_string(held), sent_n = std::to_string(sent), hidden_n = std::to_string(hidden);
  const auto archive = get("/avvisi");
  CHECK(archive.status == 200);
  CHECK(archive.body.find("Chiusura del ponte sul Senio") != std::string::npos);
  CHECK(archive.body.find("Spazzamento di via Emilia") != std::string::npos);
  CHECK(archive.body.find("Annullato") != std::string::npos);
  const auto page = get("/avvisi/" + held_n);
  CHECK(page.body.find("Avviso annullato") != std::string::npos);
  CHECK(get("/avvisi/" + sent_n).body.find("Avviso annullato") == std::string::npos);
  CHECK(get("/avvisi/" + hidden_n).status == 404);
  const auto feed = get("/avvisi.atom");
  CHECK(feed.body.find("ANNULLATO: Spazzamento di via Emilia") != std::string::npos);
  const auto cap_index = get("/cap/index.atom");
  CHECK(cap_index.body.find("/cap/" + held_n + "-cancel.xml") != std::string::npos);
  CHECK(cap_index.body.find("/cap/" + sent_n + ".xml") != std::string::npos);
  const auto cap_cancel = get("/cap/" + held_n + "-cancel.xml");
  REQUIRE(cap_cancel.status == 200);
  CHECK(cap_cancel.header("Content-Type") == "application/cap+xml; charset=utf-8");
  auto parsed = banditore::cap::parse_cap(cap_cancel.body);
  REQUIRE(parsed.ok());
  CHECK(parsed.alert->msg_type == "Cancel");
  auto original = banditore::cap::parse_cap(get("/cap/" + held_n + ".xml").body);
  REQUIRE(original.ok());
  REQUIRE(parsed.alert->references.size() == 1);
  CHECK(parsed.alert->references[0].identifier == original.alert->identifier);
  CHECK(get("/cap/" + hidden_n + ".xml").status == 404);

  // Cancelled after its broadcast finished: the delivery record stays as it
  // was, the public face withdraws it.
  REQUIRE(w.app.api("POST", "/v1/alerts/" + sent_n + "/cancel", w.token).status == 200);
  const auto late = w.report(sent);
  CHECK(late["state"] == "done");
  CHECK(late["cancelled_at"].is_string());
  CHECK(late["counts"]["cancelled"] == 0);
  CHECK(get("/avvisi/" + sent_n).body.find("Avviso annullato") != std::string::npos);
  CHECK(get("/cap/index.atom").body.find("/cap/" + sent_n + "-cancel.xml") != std::string::npos);
  CHECK(get("/cap/" + sent_n + "-cancel.xml").status == 200);

  // Nothing hidden, nothing of an exercise, no subscriber's number, on
  // any page or feed.
  std::vector<std::string> pages;
  const std::vector<std::string> every_page = {"/", "/avvisi", "/avvisi/" + held_n, "/avvisi/" + sent_n,
                                               "/avvisi.atom", "/widget", "/cap", "/cap/index.atom",
                                               "/cap/" + held_n + ".xml", "/cap/" + held_n + "-cancel.xml",
                                               "/cap/" + sent_n + ".xml", "/cap/" + sent_n + "-cancel.xml",
                                               "/manifesto/" + first_town};
  for (const auto& path : every_page) {
    auto r = get(path);
    CHECK(r.status == 200);
    pages.push_back(r.body);
  }
  for (const auto& body : pages) {
    CHECK(body.find("Prova riservata al Comune") == std::string::npos);
    if (exercise_sent) CHECK(body.find(exercise_title) == std::string::npos);
    for (const auto& phone : phones) {
      INFO("a subscriber's number in clear");
      CHECK(body.find(phone) == std::string::npos);
      CHECK(body.find(phone.substr(2)) == std::string::npos);  // without the country code
    }
  }

  // Conditional GET and HEAD.
  // The archive as it is now: the late cancellation above changed it.
  const auto etag = std::string(get("/avvisi").header("ETag"));
  REQUIRE(etag != std::string(archive.header("ETag")));
  REQUIRE_FALSE(etag.empty());
  auto again = get("/avvisi", {{"If-None-Match", etag}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  const auto modified = std::string(get("/avvisi/" + sent_n).header("Last-Modified"));
  auto since = get("/avvisi/" + sent_n, {{"If-Modified-Since", modified}});
  CHECK(since.status == 304);
  {
    // HEAD over a raw socket: the head of the GET answer and no body.
    using namespace std::chrono_literals;
    raw_socket s(port_of(base));
    REQUIRE(s.send_all("HEAD /avvisi/" + sent_n + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const auto answer = s.read_all(10s);
    INFO(answer);
    CHECK(answer.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    const auto etag_line = "ETag: " + std::string(get("/avvisi/" + sent_n).header("ETag")) + "\r\n";
    CHECK(answer.find(etag_line) != std::string::npos);
    CHECK(answer.substr(answer.find("\r\n\r\n") + 4).empty());
    CHECK(answer.find("Content-Length: 0\r\n") == std::string::npos);
  }

  // A new alert changes the archive at once: the old tag no longer matches.
  const auto fresh = w.post_alert(alert("severe", "Riapertura del ponte"))["id"].get<std::int64_t>();
  auto changed = get("/avvisi", {{"If-None-Match", etag}});
  CHECK(changed.status == 200);
  CHECK(changed.body.find("Riapertura del ponte") != std::string::npos);
  w.await_state(fresh, "done");

  // Tools nobody here wrote: xmllint for the XML against the schemas of
  // CAP 1.2 and Atom, feedparser for Atom.
  temp_dir files;
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"feed.atom", get("/avvisi.atom").body},
           {"town.atom", get("/avvisi.atom?comune=" + first_town).body},
           {"index.atom", cap_index.body},
           {"cancel.xml", cap_cancel.body},
           {"held.xml", get("/cap/" + held_n + ".xml").body},
           {"sent.xml", get("/cap/" + sent_n + ".xml").body}}) {
    const auto file = save(files.path, name, text);
    auto [status, out] = validate_xml(file);
    INFO(name << ": " << out);
    CHECK(status == 0);
    if (file.extension() == ".atom") CHECK(atom_rule_broken(text) == "");
  }
  {
    const auto file = save(files.path, "feed2.atom", feed.body);
    auto [status, out] = run("/usr/bin/python3 -c \"import feedparser,sys; f=feedparser.parse(sys.argv[1]); "
                             "print(f.version, f.bozo, len(f.entries)); "
                             "sys.exit(0 if f.version=='atom10' and not f.bozo and len(f.entries)>=2 else 1)\" '" +
                             file.string() + "'");
    INFO(out);
    CHECK(status == 0);
  }

  // The QR code on the page opens WhatsApp on the number with ATTIVA typed.
  const auto home = get("/").body;
  const auto start = home.find("<svg");
  REQUIRE(start != std::string::npos);
  const auto svg = home.substr(start, home.find("</svg>", start) + 6 - start);
  const auto image = files.path / "qr.pgm";
  svg_to_pgm(svg, image);
  auto [status, decoded] = run("zbarimg --quiet --raw '" + image.string() + "'");
  INFO(decoded);
  CHECK(status == 0);
  CHECK(decoded.find("https://wa.me/390545123456?text=ATTIVA") != std::string::npos);
  CHECK(home.find("href=\"https://wa.me/390545123456?text=ATTIVA\"") != std::string::npos);
}

TEST_CASE("an update stops what is left of the alert it replaces, and the pages and CAP feed link the two") {
  alert_world w({{"BANDITORE_QUIET_HOURS", quiet_now()}});
  w.sim.subscribe_many(3);
  const auto& base = w.app.base;
  auto get = [&](const std::string& path) {
    auto r = call(base, "GET", path, {}, {});
    INFO("GET " << path << ": " << r.status << " " << r.transport_error);
    REQUIRE(r.answered());
    return r;
  };
  // Minor: held by the quiet hours, so the update finds it still queued.
  const auto first = w.post_alert(alert("minor", "Lavori in via Mazzini"))["id"].get<std::int64_t>();
  auto update = alert("severe", "Lavori in via Mazzini: strada chiusa");
  update["updates"] = first;
  const auto second = w.post_alert(update)["id"].get<std::int64_t>();
  w.await_state(second, "done");
  const auto old = w.report(first);
  CHECK(old["state"] == "cancelled");
  CHECK(old["counts"]["cancelled"] == 3);
  CHECK(old["counts"]["sent"] == 0);
  CHECK(w.report(second)["updates"] == first);

  auto unknown = alert("minor", "Aggiornamento di nulla");
  unknown["updates"] = 99999;
  const auto refused = w.app.api("POST", "/v1/alerts", w.token, unknown.dump());
  CHECK(refused.status == 422);
  CHECK(refused.body.find("there is no alert 99999") != std::string::npos);

  const auto first_n = std::to_string(first), second_n = std::to_string(second);
  const auto old_page = get("/avvisi/" + first_n).body;
  CHECK(old_page.find("Avviso aggiornato") != std::string::npos);
  CHECK(old_page.find("Avviso annullato") == std::string::npos);
  CHECK(old_page.find("/avvisi/" + second_n) != std::string::npos);
  CHECK(get("/avvisi/" + second_n).body.find("/avvisi/" + first_n) != std::string::npos);
  const auto doc = banditore::cap::parse_cap(get("/cap/" + second_n + ".xml").body);
  REQUIRE(doc.ok());
  CHECK(doc.alert->msg_type == "Update");
  REQUIRE(doc.alert->references.size() == 1);
  CHECK(doc.alert->references[0].identifier == "banditore-avviso-" + first_n);
  CHECK(get("/cap/" + first_n + "-cancel.xml").status == 404);

  // The archive, the widget and the feeds say the same.
  for (const std::string path : {"/avvisi", "/widget", "/"}) {
    const auto body = get(path).body;
    INFO(path);
    CHECK(body.find("<strong class=\"state\">Aggiornato</strong>") != std::string::npos);
    CHECK(body.find("Annullato") == std::string::npos);
  }
  const auto feed = get("/avvisi.atom").body;
  CHECK(feed.find("AGGIORNAMENTO: Lavori in via Mazzini: strada chiusa") != std::string::npos);
  CHECK(get("/cap/index.atom").body.find("/cap/" + second_n + ".xml") != std::string::npos);

  // Then the update is withdrawn: marked on every page and feed, with its
  // CAP Cancel referencing the Update.
  REQUIRE(w.app.api("POST", "/v1/alerts/" + second_n + "/cancel", w.token).status == 200);
  CHECK(get("/avvisi/" + second_n).body.find("Avviso annullato") != std::string::npos);
  CHECK(get("/avvisi").body.find("<strong class=\"state\">Annullato</strong>") != std::string::npos);
  CHECK(get("/avvisi.atom").body.find("ANNULLATO: Lavori in via Mazzini: strada chiusa") != std::string::npos);
  CHECK(get("/cap/index.atom").body.find("/cap/" + second_n + "-cancel.xml") != std::string::npos);
  const auto cancel_xml = get("/cap/" + second_n + "-cancel.xml").body;
  const auto cancel = banditore::cap::parse_cap(cancel_xml);
  REQUIRE(cancel.ok());
  // The Update and the Cancel, with their references, against CAP 1.2's
  // schema; the index listing both against Atom's.
  temp_dir files;
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"update.xml", get("/cap/" + second_n + ".xml").body},
           {"cancel.xml", cancel_xml},
           {"index.atom", get("/cap/index.atom").body}}) {
    auto [status, out] = validate_xml(save(files.path, name, text));
    INFO(name << ": " << out);
    CHECK(status == 0);
  }
  CHECK(cancel.alert->msg_type == "Cancel");
  REQUIRE(cancel.alert->references.size() == 1);
  CHECK(cancel.alert->references[0].identifier == "banditore-avviso-" + second_n);
}

TEST_CASE("the tests' schemas of CAP 1.2 and Atom accept documents written elsewhere and refuse broken ones") {
  // Written by others: the OASIS examples, MeteoAlarm's and civil
  // protection's documents, a MeteoAlarm feed and a Joomla site's news
  // feed. A schema that refused them would be wrong, not they.
  const fs::path fixtures = BANDITORE_FIXTURES;
  int valid = 0;
  for (const auto& entry : fs::directory_iterator(fixtures / "cap")) {
    const auto name = entry.path().filename().string();
    if (entry.path().extension() != ".xml") continue;
    auto [status, out] = validate_xml(entry.path());
    INFO(name << ": " << out);
    if (name.rfind("invalid_", 0) == 0) {
      CHECK(status != 0);
    } else {
      CHECK(status == 0);
      ++valid;
    }
  }
  CHECK(valid >= 12);
  for (const auto& feed : {fixtures / "cap" / "feed_meteoalarm_italy.atom", fixtures / "news" / "joomla.atom"}) {
    auto [status, out] = validate_xml(feed);
    INFO(feed.string() << ": " << out);
    CHECK(status == 0);
  }

  // Broken on purpose, one rule at a time.
  temp_dir files;
  const std::string cap =
      R"(<?xml version="1.0" encoding="UTF-8"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">)"
      "<identifier>x-1</identifier><sender>comune@example.it</sender><sent>2026-12-03T10:00:00-00:00</sent>"
      "<status>Actual</status><msgType>Alert</msgType><scope>Public</scope>"
      "<info><category>Met</category><event>Neve</event><urgency>Expected</urgency><severity>Moderate</severity>"
      "<certainty>Likely</certainty><area><areaDesc>Lugo</areaDesc></area></info></alert>";
  auto cap_with = [&](const std::string& from, const std::string& to) {
    auto text = cap;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  CHECK(validate_xml(save(files.path, "good.xml", cap)).first == 0);
  for (const auto& [why, text] : std::vector<std::pair<std::string, std::string>>{
           {"a time in Z (3.3.2)", cap_with("-00:00</sent>", "Z</sent>")},
           {"a space in the identifier (3.2.1)", cap_with("x-1", "x 1")},
           {"an unknown status", cap_with("Actual", "Real")},
           {"scope before msgType", cap_with("<msgType>Alert</msgType><scope>Public</scope>",
                                            "<scope>Public</scope><msgType>Alert</msgType>")},
           {"no category", cap_with("<category>Met</category>", "")},
           {"a polygon of three points", cap_with("</areaDesc>", "</areaDesc><polygon>44.4,11.9 44.5,11.9 44.4,11.9</polygon>")},
           {"references without sent", cap_with("<info>", "<references>comune@example.it,x-0</references><info>")}}) {
    auto [status, out] = validate_xml(save(files.path, "bad.xml", text));
    INFO(why << ": " << out);
    CHECK(status != 0);
  }

  const std::string atom =
      R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>Avvisi</title><id>urn:x</id>)"
      "<updated>2026-12-03T10:00:00Z</updated><author><name>Comune</name></author>"
      R"(<entry><title>Neve</title><id>urn:e</id><updated>2026-12-03T10:00:00+01:00</updated>)"
      R"(<link href="https://example.it/avvisi/1"/><summary>Testo</summary></entry></feed>)";
  auto atom_with = [&](const std::string& from, const std::string& to) {
    auto text = atom;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  CHECK(validate_xml(save(files.path, "good.atom", atom)).first == 0);
  CHECK(atom_rule_broken(atom) == "");
  for (const auto& [why, text] : std::vector<std::pair<std::string, std::string>>{
           {"a feed without id", atom_with("<id>urn:x</id>", "")},
           {"an entry without updated", atom_with("<updated>2026-12-03T10:00:00+01:00</updated>", "")},
           {"a lower-case t in a date (3.3)", atom_with("T10:00:00Z", "t10:00:00Z")},
           {"two titles", atom_with("<title>Neve</title>", "<title>Neve</title><title>Gelo</title>")},
           {"a text construct of an unknown type", atom_with("<summary>", R"(<summary type="markdown">)")},
           {"a person without name", atom_with("<author><name>Comune</name></author>", "<author/>")}}) {
    auto [status, out] = validate_xml(save(files.path, "bad.atom", text));
    INFO(why << ": " << out);
    CHECK(status != 0);
  }
  CHECK(atom_rule_broken(atom_with("<author><name>Comune</name></author>", "")) != "");
  CHECK(atom_rule_broken(atom_with(R"(<link href="https://example.it/avvisi/1"/>)", "")) != "");
}

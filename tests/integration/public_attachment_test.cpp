// An alert's attachment on the public face, end to end: the real binary on
// its SQLite store, the file uploaded with POST /v1/media, the alert sent
// with it, then the alert's page, the archive, the widget, the download
// (its bytes, ETag and 304), the Atom enclosure and the CAP resource read
// over HTTP. Digests are computed by sha1sum and sha256sum, not by the
// code under test.
#include "harness.hpp"
#include "xml_schemas.hpp"

#include <banditore/cap/parse.hpp>

#include <doctest/doctest.h>
#include <pugixml.hpp>

#include <cstdio>
#include <fstream>

using namespace harness;
using json = nlohmann::json;

namespace {

// A PDF as a PDF writer starts and ends one; what matters here is that its
// bytes come back unchanged.
std::string small_pdf() {
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
  for (int i = 0; i < 200; ++i) pdf += "% ordinanza riga " + std::to_string(i) + "\n";
  pdf += "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
  return pdf;
}

// A PNG's signature and header chunk, then bytes that include a NUL and
// every byte value, so a text conversion anywhere on the way would show.
std::string small_png() {
  std::string png("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR", 16);
  for (int i = 0; i < 512; ++i) png.push_back(static_cast<char>(i & 0xFF));
  return png;
}

std::string digest_by(const std::string& tool, const std::string& bytes, const fs::path& dir) {
  const auto file = dir / "download.bin";
  std::ofstream(file, std::ios::binary) << bytes;
  std::string out;
  FILE* pipe = ::popen((tool + " '" + file.string() + "'").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  REQUIRE(::pclose(pipe) == 0);
  return out.substr(0, out.find(' '));
}

}  // namespace

TEST_CASE("an alert's attachment is on its page, in the archive, the widget, the Atom feed and its CAP document, and downloads with its own bytes") {
  alert_world w;
  w.sim.subscribe_many(2);
  const auto& base = w.app.base;
  auto get = [&](const std::string& path, std::vector<banditore::http::header_field> headers = {}) {
    auto r = call(base, "GET", path, {}, std::move(headers));
    INFO("GET " << path << ": " << r.status << " " << r.transport_error);
    REQUIRE(r.answered());
    return r;
  };
  auto upload = [&](const std::string& bytes, const std::string& type, const std::string& query) {
    auto r = call(base, "POST", "/v1/media" + query, bytes,
                  {{"Authorization", "Bearer " + w.token}, {"Content-Type", type}});
    INFO(r.body);
    REQUIRE(r.status == 201);
    return json::parse(r.body)["id"].get<std::int64_t>();
  };

  const auto pdf = small_pdf();
  const auto png = small_png();
  // A name with an accent: the ASCII filename and the UTF-8 filename* differ.
  const auto pdf_media = upload(pdf, "application/pdf", "?filename=ordinanza-viabilit%C3%A0.pdf");
  const auto png_media = upload(png, "image/png", "");
  json doc_alert = {{"category", "roads"}, {"severity", "moderate"}, {"title", "Ordinanza di chiusura di via Roma"},
                    {"text", "Il testo dell'ordinanza è allegato."}, {"media", pdf_media}};
  json img_alert = {{"category", "roads"}, {"severity", "severe"}, {"title", "Mappa della deviazione"},
                    {"text", "La deviazione passa per via Mazzini."}, {"media", png_media}};
  json plain_alert = {{"category", "roads"}, {"severity", "minor"}, {"title", "Avviso senza allegato"},
                      {"text", "Nessun file."}};
  const auto doc_id = w.post_alert(doc_alert)["id"].get<std::int64_t>();
  const auto img_id = w.post_alert(img_alert)["id"].get<std::int64_t>();
  const auto plain_id = w.post_alert(plain_alert)["id"].get<std::int64_t>();
  for (auto id : {doc_id, img_id, plain_id}) w.await_state(id, "done");
  const auto doc_n = std::to_string(doc_id), img_n = std::to_string(img_id), plain_n = std::to_string(plain_id);
  temp_dir files;

  // The alert's page names the document and links it; the image is shown.
  const auto doc_page = get("/avvisi/" + doc_n);
  REQUIRE(doc_page.status == 200);
  CHECK(doc_page.body.find("href=\"/avvisi/" + doc_n + "/allegato\">ordinanza-viabilità.pdf</a> (PDF, ") !=
        std::string::npos);
  const auto img_page = get("/avvisi/" + img_n);
  CHECK(img_page.body.find("<img src=\"/avvisi/" + img_n + "/allegato\" alt=\"Mappa della deviazione\">") !=
        std::string::npos);
  CHECK(get("/avvisi/" + plain_n).body.find("Allegato") == std::string::npos);

  // The archive and the widget mark the alerts that carry a file, and only those.
  const auto archive = get("/avvisi").body;
  CHECK(archive.find("<a class=\"attachment-link\" href=\"/avvisi/" + doc_n + "/allegato\">") != std::string::npos);
  CHECK(archive.find("<a class=\"attachment-link\" href=\"/avvisi/" + img_n + "/allegato\">") != std::string::npos);
  CHECK(archive.find("/avvisi/" + plain_n + "/allegato") == std::string::npos);
  const auto widget = get("/widget").body;
  CHECK(widget.find("/avvisi/" + doc_n + "/allegato\" target=\"_blank\"") != std::string::npos);
  CHECK(widget.find("/avvisi/" + img_n + "/allegato\" target=\"_blank\"") != std::string::npos);
  CHECK(widget.find("/avvisi/" + plain_n + "/allegato") == std::string::npos);

  // The download: the bytes as uploaded, with their type, name and tag.
  const auto file = get("/avvisi/" + doc_n + "/allegato");
  REQUIRE(file.status == 200);
  CHECK(file.body == pdf);
  CHECK(file.header("Content-Type") == "application/pdf");
  CHECK(file.header("Content-Disposition") ==
        "inline; filename=\"ordinanza-viabilit__.pdf\"; filename*=UTF-8''ordinanza-viabilit%C3%A0.pdf");
  CHECK(file.header("X-Content-Type-Options") == "nosniff");
  const auto sha256 = digest_by("sha256sum", pdf, files.path);
  CHECK(file.header("ETag") == "\"" + sha256 + "\"");
  auto unchanged = get("/avvisi/" + doc_n + "/allegato", {{"If-None-Match", std::string(file.header("ETag"))}});
  CHECK(unchanged.status == 304);
  CHECK(unchanged.body.empty());
  CHECK(get("/avvisi/" + doc_n + "/allegato", {{"If-None-Match", "\"" + std::string(64, '0') + "\""}}).status == 200);
  const auto image = get("/avvisi/" + img_n + "/allegato");
  CHECK(image.body == png);
  CHECK(image.header("Content-Type") == "image/png");
  CHECK(image.header("Content-Disposition").find("filename=\"avviso-" + img_n + ".png\"") != std::string::npos);
  CHECK(get("/avvisi/" + plain_n + "/allegato").status == 404);

  // The Atom entry's enclosure: the download's address, type and length.
  pugi::xml_document feed;
  const auto feed_text = get("/avvisi.atom").body;
  REQUIRE(feed.load_string(feed_text.c_str()));
  int enclosures = 0;
  for (auto entry : feed.child("feed").children("entry")) {
    for (auto link : entry.children("link")) {
      if (std::string_view(link.attribute("rel").value()) != "enclosure") continue;
      ++enclosures;
      const std::string href = link.attribute("href").value();
      const bool is_doc = href.ends_with("/avvisi/" + doc_n + "/allegato");
      CHECK((is_doc || href.ends_with("/avvisi/" + img_n + "/allegato")));
      CHECK(std::string(link.attribute("type").value()) == (is_doc ? "application/pdf" : "image/png"));
      CHECK(link.attribute("length").as_llong() == static_cast<long long>(is_doc ? pdf.size() : png.size()));
    }
  }
  CHECK(enclosures == 2);

  // The CAP document's resource, with the SHA-1 that CAP 1.2 asks for.
  const auto cap_xml = get("/cap/" + doc_n + ".xml").body;
  {
    std::ofstream(files.path / "resource.xml", std::ios::binary) << cap_xml;
    std::ofstream(files.path / "enclosures.atom", std::ios::binary) << get("/avvisi.atom").body;
    for (const char* name : {"resource.xml", "enclosures.atom"}) {
      auto [status, out] = validate_xml(files.path / name);
      INFO(name << ": " << out);
      CHECK(status == 0);
    }
  }
  const auto cap = banditore::cap::parse_cap(cap_xml);
  REQUIRE(cap.ok());
  REQUIRE(cap.alert->infos.size() == 1);
  REQUIRE(cap.alert->infos[0].resources.size() == 1);
  const auto& resource = cap.alert->infos[0].resources[0];
  CHECK(resource.desc == "Documento: ordinanza-viabilità.pdf");
  CHECK(resource.mime_type == "application/pdf");
  CHECK(resource.size == static_cast<std::int64_t>(pdf.size()));
  CHECK(resource.uri.ends_with("/avvisi/" + doc_n + "/allegato"));
  CHECK(resource.digest == digest_by("sha1sum", pdf, files.path));
  const auto plain_cap = banditore::cap::parse_cap(get("/cap/" + plain_n + ".xml").body);
  REQUIRE(plain_cap.ok());
  CHECK(plain_cap.alert->infos[0].resources.empty());
}

TEST_CASE("the attachment of an alert that is not public is never served, nor named in a feed") {
  alert_world w;
  const auto& base = w.app.base;
  const std::string png("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR\x00\x00\x00\x01", 20);
  auto stored = call(base, "POST", "/v1/media", png, {{"Authorization", "Bearer " + w.token}, {"Content-Type", "image/png"}});
  REQUIRE(stored.status == 201);
  json hidden = {{"category", "roads"}, {"severity", "minor"}, {"title", "Piantina riservata"},
                 {"text", "Solo per gli iscritti."}, {"media", json::parse(stored.body)["id"]}, {"public", false}};
  const auto id = w.post_alert(hidden)["id"].get<std::int64_t>();
  w.await_state(id, "done");
  const auto n = std::to_string(id);
  CHECK(call(base, "GET", "/avvisi/" + n + "/allegato").status == 404);
  CHECK(call(base, "GET", "/avvisi/" + n).status == 404);
  for (const std::string path : {"/avvisi", "/widget", "/avvisi.atom", "/cap/index.atom"}) {
    const auto r = call(base, "GET", path);
    CHECK(r.status == 200);
    CHECK(r.body.find("/avvisi/" + n + "/allegato") == std::string::npos);
    CHECK(r.body.find("Piantina riservata") == std::string::npos);
  }
}

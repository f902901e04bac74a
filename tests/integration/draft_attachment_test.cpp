// A draft's attachment over the wire: written with POST /v1/drafts or the
// compose form's «Salva bozza», kept, dropped or replaced by an edit,
// shown on the draft's page, and sent with the alert its approval
// creates, as an image captioned with its text on the phones.
#include "harness.hpp"

#include <doctest/doctest.h>

using namespace harness;

namespace {

const std::string png = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0D" "IHDR", 16) + std::string(200, '\0');
const std::string pdf = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";

std::int64_t upload(alert_world& w, const std::string& bytes, const std::string& type) {
  const auto stored = call(w.app.base, "POST", "/v1/media", bytes,
                           {{"Authorization", "Bearer " + w.token}, {"Content-Type", type}});
  REQUIRE(stored.status == 201);
  return json::parse(stored.body)["id"].get<std::int64_t>();
}

json draft_body(const std::string& title) {
  return {{"category", "roads"}, {"severity", "moderate"}, {"title", title},
          {"text", "Fino alle 18, deviazione per via Mazzini (mappa)."}};
}

// A session cookie ("name=value") of a new editor, logged in through the form.
std::string log_in(alert_world& w) {
  const auto created = run_cli(w.dir.path, {"users", "create", "--email", "m.rossi@comune.example.it", "--name",
                                            "Maria Rossi", "--role", "editor"},
                               w.app.env);
  REQUIRE(created.exit_code == 0);
  auto password = created.out;
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  password = password.substr(password.rfind('\n') + 1);
  const auto r = call(w.app.base, "POST", "/console/login", "email=m.rossi%40comune.example.it&password=" + password,
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(r.status == 303);
  const std::string cookie(r.header("Set-Cookie"));
  return cookie.substr(0, cookie.find(';'));
}

std::string csrf_of(const std::string& page) {
  const std::string marker = "name=\"csrf\" value=\"";
  const auto at = page.find(marker);
  REQUIRE(at != std::string::npos);
  const auto from = at + marker.size();
  return page.substr(from, page.find('"', from) - from);
}

struct multipart {
  std::string boundary = "----BanditoreDraftAttachment";
  std::string body;
  void field(const std::string& name, const std::string& value) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }
  void file(const std::string& filename, const std::string& type, const std::string& bytes) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"allegato\"; filename=\"" + filename +
            "\"\r\nContent-Type: " + type + "\r\n\r\n" + bytes + "\r\n";
  }
  std::string done() const { return body + "--" + boundary + "--\r\n"; }
};

}  // namespace

TEST_CASE("POST and PUT /v1/drafts take an attachment with POST /v1/alerts's checks, and the approved alert carries it to the phones") {
  alert_world w;
  const auto phones = w.sim.subscribe_many(2);
  const auto writer = w.app.create_key("redazione", "drafts:write,alerts:read");
  const auto media = upload(w, png, "image/png");

  auto unknown = draft_body("Via Roma chiusa");
  unknown["media"] = media + 100;
  const auto refused = w.app.api("POST", "/v1/drafts", writer, unknown.dump());
  CHECK(refused.status == 422);
  CHECK(json::parse(refused.body)["errors"][0]["field"] == "media");
  auto long_caption = draft_body("Via Roma chiusa");
  long_caption["media"] = media;
  long_caption["text"] = std::string(1100, 'a');
  const auto too_long = w.app.api("POST", "/v1/drafts", writer, long_caption.dump());
  CHECK(too_long.status == 422);
  CHECK(json::parse(too_long.body)["errors"][0]["field"] == "text");
  // The same text without an attachment is a text message's, which holds it.
  long_caption.erase("media");
  CHECK(w.app.api("POST", "/v1/drafts", writer, long_caption.dump()).status == 201);
  const auto drafts_before = count(w.app.db_file, "SELECT COUNT(*) FROM drafts");

  auto body = draft_body("Via Roma chiusa");
  body["media"] = media;
  const auto created = w.app.api("POST", "/v1/drafts", writer, body.dump());
  REQUIRE(created.status == 201);
  const auto d = json::parse(created.body);
  CHECK(d["media"] == media);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM drafts") == drafts_before + 1);
  const auto path = "/v1/drafts/" + std::to_string(d["id"].get<std::int64_t>());

  // PUT is the whole draft: without "media" the attachment goes, with it it comes back.
  const auto without = w.app.api("PUT", path, writer, draft_body("Via Roma chiusa").dump());
  REQUIRE(without.status == 200);
  CHECK(json::parse(without.body)["media"].is_null());
  const auto bad_edit = w.app.api("PUT", path, writer, unknown.dump());
  CHECK(bad_edit.status == 422);
  CHECK(json::parse(bad_edit.body)["errors"][0]["field"] == "media");
  const auto with = w.app.api("PUT", path, writer, body.dump());
  REQUIRE(with.status == 200);
  CHECK(json::parse(with.body)["media"] == media);
  const auto revision = json::parse(with.body)["revision"].get<std::int64_t>();
  REQUIRE(w.app.api("POST", path + "/submit", writer, "{}").status == 200);

  const json approval = {{"revision", revision}};
  const auto approved = w.app.api("POST", path + "/approve", w.token, approval.dump());
  REQUIRE(approved.status == 202);
  const auto alert = json::parse(approved.body);
  CHECK(alert["media"] == media);
  w.await_state(alert["id"].get<std::int64_t>(), "done");
  for (const auto& p : phones) {
    const auto messages = w.sim.inbox(p)["messages"];
    REQUIRE_FALSE(messages.empty());
    const auto& last = messages.back();
    REQUIRE(last["type"] == "image");
    CHECK(last["image"]["caption"].get<std::string>().find("Via Roma chiusa") != std::string::npos);
  }
}

TEST_CASE("the compose form saves a draft with its attachment, and the edit page keeps, drops or replaces it") {
  alert_world w(std::map<std::string, std::string>{{"BANDITORE_CONSOLE_TOTP", "optional"}});
  const auto cookie = log_in(w);
  const auto csrf = csrf_of(call(w.app.base, "GET", "/console/compose", {}, {{"Cookie", cookie}}).body);

  multipart form;
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"csrf", csrf}, {"categoria", "roads"}, {"gravita", "moderate"}, {"titolo", "Mappa dei lavori"},
           {"testo", "La mappa delle strade chiuse."}, {"azione", "bozza"}})
    form.field(name, value);
  form.file("mappa.png", "image/png", png);
  const auto saved = call(w.app.base, "POST", "/console/compose", form.done(),
                          {{"Cookie", cookie}, {"Content-Type", "multipart/form-data; boundary=" + form.boundary}});
  INFO("body: " << saved.body);
  REQUIRE(saved.status == 303);
  const std::string page_path(saved.header("Location"));
  REQUIRE(page_path.rfind("/console/drafts/", 0) == 0);
  const auto id = page_path.substr(std::string("/console/drafts/").size());
  const auto media = count(w.app.db_file, "SELECT media_id FROM drafts WHERE id = " + id);
  CHECK(media > 0);

  // Its page shows the phone with the image above the caption.
  const auto page = call(w.app.base, "GET", page_path, {}, {{"Cookie", cookie}});
  REQUIRE(page.status == 200);
  CHECK(page.body.find("<img class=\"attachment\" src=\"/console/media/" + std::to_string(media) + "\"") !=
        std::string::npos);
  CHECK(page.body.find("Immagine con didascalia") != std::string::npos);
  // The edit page opens with it chosen.
  const auto edit = call(w.app.base, "GET", page_path + "/edit", {}, {{"Cookie", cookie}});
  REQUIRE(edit.status == 200);
  CHECK(edit.body.find("name=\"allegato_id\" value=\"" + std::to_string(media) + "\"") != std::string::npos);

  const std::vector<banditore::http::header_field> urlencoded = {
      {"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}};
  const std::string fields = "csrf=" + csrf + "&categoria=roads&gravita=moderate&titolo=Mappa&testo=Strade+chiuse.";
  // Kept: the form carries it back.
  auto r = call(w.app.base, "POST", page_path + "/edit",
                fields + "&revisione=1&azione=salva&allegato_id=" + std::to_string(media), urlencoded);
  CHECK(r.status == 303);
  CHECK(count(w.app.db_file, "SELECT media_id FROM drafts WHERE id = " + id) == media);
  // Dropped: «togli l'allegato».
  r = call(w.app.base, "POST", page_path + "/edit",
           fields + "&revisione=2&azione=salva&togli_allegato=1&allegato_id=" + std::to_string(media), urlencoded);
  CHECK(r.status == 303);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM drafts WHERE media_id IS NULL AND id = " + id) == 1);
  CHECK(call(w.app.base, "GET", page_path, {}, {{"Cookie", cookie}}).body.find("class=\"attachment\"") ==
        std::string::npos);
  // Replaced: another file chosen, a PDF, shown as a document's card.
  multipart replace;
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"csrf", csrf}, {"categoria", "roads"}, {"gravita", "moderate"}, {"titolo", "Mappa"},
           {"testo", "Strade chiuse."}, {"revisione", "3"}, {"azione", "salva"}})
    replace.field(name, value);
  replace.file("ordinanza.pdf", "application/pdf", pdf);
  r = call(w.app.base, "POST", page_path + "/edit", replace.done(),
           {{"Cookie", cookie}, {"Content-Type", "multipart/form-data; boundary=" + replace.boundary}});
  CHECK(r.status == 303);
  const auto document = count(w.app.db_file, "SELECT media_id FROM drafts WHERE id = " + id);
  CHECK(document > 0);
  CHECK(document != media);
  const auto after = call(w.app.base, "GET", page_path, {}, {{"Cookie", cookie}});
  CHECK(after.body.find("ordinanza.pdf") != std::string::npos);
  CHECK(after.body.find("Documento con didascalia") != std::string::npos);
}

// An alert's attachment for people outside their 24-hour window, who get
// a template: only a template approved with a media header of the
// attachment's kind carries it (in a header component), and wa-sim,
// told each template's header format, refuses a send that does not match
// it as Meta does (132012, 132000). The compose page says which template
// they get and whether the attachment goes with it.
#include "harness.hpp"

#include <doctest/doctest.h>

using namespace harness;

namespace {

const std::string png = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0D" "IHDR", 16) + std::string(200, '\0');
const std::string pdf = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
const std::string body_text = "Avviso: {{1}}. {{2}}";

// Every broadcast as a template ("always"): every subscriber is reached as
// one outside the window would be. An IMAGE twin is configured, no DOCUMENT one.
std::map<std::string, std::string> template_env() {
  return {{"BANDITORE_WA_TEMPLATE_NAME", "avviso"},
          {"BANDITORE_WA_TEMPLATE_IMAGE_NAME", "avviso_immagine"},
          {"BANDITORE_WA_TEMPLATE_MODE", "always"},
          {"BANDITORE_WA_TEMPLATE_PARAMS", "title,text"},
          {"BANDITORE_WA_TEMPLATE_BODY", body_text},
          {"BANDITORE_CONSOLE_TOTP", "optional"}};
}

// As approved in WhatsApp Manager, told to wa-sim.
void register_templates(wa_sim& sim) {
  for (const auto& [name, header] : std::vector<std::pair<std::string, std::string>>{
           {"avviso", ""}, {"avviso_immagine", "IMAGE"}, {"avviso_documento", "DOCUMENT"}}) {
    json definition = {{"language", "it"}, {"body", body_text}};
    if (!header.empty()) definition["header"] = header;
    REQUIRE(call(sim.base, "PUT", "/sim/templates/" + name, definition.dump()).status == 200);
  }
}

std::int64_t upload(alert_world& w, const std::string& bytes, const std::string& type) {
  const auto stored = call(w.app.base, "POST", "/v1/media", bytes,
                           {{"Authorization", "Bearer " + w.token}, {"Content-Type", type}});
  REQUIRE(stored.status == 201);
  return json::parse(stored.body)["id"].get<std::int64_t>();
}

json alert_with(std::int64_t media, const std::string& title) {
  return {{"category", "roads"}, {"severity", "moderate"}, {"title", title},
          {"text", "Deviazione per via Mazzini."}, {"media", media}};
}

std::string csrf_of(const std::string& page) {
  const std::string marker = "name=\"csrf\" value=\"";
  const auto at = page.find(marker);
  REQUIRE(at != std::string::npos);
  const auto from = at + marker.size();
  return page.substr(from, page.find('"', from) - from);
}

}  // namespace

TEST_CASE("outside the window an image goes in the header of the template approved with one; a PDF without such a template goes as the plain template alone") {
  alert_world w(template_env());
  register_templates(w.sim);
  const auto phones = w.sim.subscribe_many(2);

  const auto image = w.post_alert(alert_with(upload(w, png, "image/png"), "Mappa dei lavori"));
  auto report = w.await_state(image["id"].get<std::int64_t>(), "done");
  INFO(report.dump());
  CHECK(report["counts"]["failed"] == 0);
  for (const auto& p : phones) {
    const auto last = w.sim.inbox(p)["messages"].back();
    REQUIRE(last.contains("template"));
    CHECK(last["template"]["name"] == "avviso_immagine");
    REQUIRE(last["template"].contains("header"));
    CHECK(last["template"]["header"]["type"] == "image");
    CHECK(last["template"]["header"]["mime_type"] == "image/png");
    CHECK(last["template"]["parameters"][0] == "Mappa dei lavori");
  }

  const auto document = w.post_alert(alert_with(upload(w, pdf, "application/pdf"), "Ordinanza"));
  report = w.await_state(document["id"].get<std::int64_t>(), "done");
  INFO(report.dump());
  CHECK(report["counts"]["failed"] == 0);
  for (const auto& p : phones) {
    const auto last = w.sim.inbox(p)["messages"].back();
    REQUIRE(last.contains("template"));
    CHECK(last["template"]["name"] == "avviso");
    CHECK_FALSE(last["template"].contains("header"));
    CHECK(last["template"]["parameters"][0] == "Ordinanza");
  }
  // Nothing was refused on the way: every send matched its template's header.
  CHECK(w.sim.stats().value("rejected_invalid", 0) == 0);
  // The image was uploaded once, for its template; the PDF, which no
  // template carries, never.
  CHECK(w.sim.stats()["media_uploaded"] == 1);
}

TEST_CASE("the compose preview says whether those who get the template get the attachment too") {
  alert_world w(template_env());
  const auto created = run_cli(w.dir.path, {"users", "create", "--email", "m.rossi@comune.example.it", "--name",
                                            "Maria Rossi", "--role", "editor"},
                               w.app.env);
  REQUIRE(created.exit_code == 0);
  auto password = created.out;
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  password = password.substr(password.rfind('\n') + 1);
  const auto login = call(w.app.base, "POST", "/console/login", "email=m.rossi%40comune.example.it&password=" + password,
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(login.status == 303);
  const std::string set_cookie(login.header("Set-Cookie"));
  const auto cookie = set_cookie.substr(0, set_cookie.find(';'));
  const auto csrf = csrf_of(call(w.app.base, "GET", "/console/compose", {}, {{"Cookie", cookie}}).body);

  auto preview = [&](const std::string& filename, const std::string& type, const std::string& bytes) {
    const std::string boundary = "----BanditoreTemplateMedia";
    std::string body;
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"csrf", csrf}, {"categoria", "roads"}, {"gravita", "moderate"}, {"titolo", "Mappa"},
             {"testo", "Strade chiuse."}, {"azione", "anteprima"}})
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"allegato\"; filename=\"" + filename +
            "\"\r\nContent-Type: " + type + "\r\n\r\n" + bytes + "\r\n--" + boundary + "--\r\n";
    return call(w.app.base, "POST", "/console/compose", body,
                {{"Cookie", cookie}, {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  };
  const auto with_image = preview("mappa.png", "image/png", png);
  REQUIRE(with_image.status == 200);
  CHECK(with_image.body.find("Modello approvato «avviso_immagine»") != std::string::npos);
  CHECK(with_image.body.find("Il modello porta l'allegato") != std::string::npos);
  const auto with_pdf = preview("ordinanza.pdf", "application/pdf", pdf);
  REQUIRE(with_pdf.status == 200);
  CHECK(with_pdf.body.find("Modello approvato «avviso»") != std::string::npos);
  CHECK(with_pdf.body.find("Chi riceve il modello non riceve l'allegato") != std::string::npos);
}

TEST_CASE("POST /v1/alerts/preview with an attachment counts a caption and says whether the template carries it") {
  alert_world w(template_env());
  auto preview = [&](const json& body) {
    return call(w.app.base, "POST", "/v1/alerts/preview", body.dump(),
                {{"Authorization", "Bearer " + w.token}, {"Content-Type", "application/json"}});
  };
  auto res = preview(alert_with(upload(w, png, "image/png"), "Mappa"));
  REQUIRE(res.status == 200);
  auto phone = json::parse(res.body)["phone"];
  INFO(phone.dump());
  CHECK(phone["caption"] == true);
  CHECK(phone["free_text"]["limit"] == 1024);
  CHECK(phone["template"]["name"] == "avviso_immagine");
  CHECK(phone["template"]["with_attachment"] == true);

  res = preview(alert_with(upload(w, pdf, "application/pdf"), "Ordinanza"));
  REQUIRE(res.status == 200);
  phone = json::parse(res.body)["phone"];
  CHECK(phone["template"]["name"] == "avviso");
  CHECK(phone["template"]["with_attachment"] == false);

  // Without an attachment nothing is said of one.
  json plain = alert_with(1, "Senza allegato");
  plain.erase("media");
  phone = json::parse(preview(plain).body)["phone"];
  CHECK(phone["caption"] == false);
  CHECK(phone["free_text"]["limit"] == 4096);
  CHECK_FALSE(phone["template"].contains("with_attachment"));

  // An attachment that does not exist is refused, naming it.
  res = preview(alert_with(999, "Allegato sconosciuto"));
  CHECK(res.status == 422);
  CHECK(res.body.find("media") != std::string::npos);
}

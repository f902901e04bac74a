// The compose page's attachment: a file in the form (multipart/form-data),
// checked and stored as POST /v1/media takes it, shown on the phone's
// preview, counted as a caption, and sent with the alert by Invia.
#include <banditore/app/console_compose.hpp>

#include "console_engine_fixture.hpp"

#include <banditore/domain/media_rules.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/media.hpp>

using namespace banditore;
using banditore::app::csrf_token;
using banditore::testing::call;
using banditore::testing::header_of;
using banditore::testing::make_request;
using banditore::testing::run_blocking;

namespace {

using fixture = banditore::testing::console_engine_fixture;

constexpr char jpeg_bytes[] = "\xFF\xD8\xFF\xE0\x00\x10" "JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";
const std::string jpeg(jpeg_bytes, sizeof jpeg_bytes - 1);
const std::string pdf = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
const std::string boundary = "----WebKitFormBoundaryq1w2e3r4t5y6u7i8";

struct file_field {
  std::string filename, content_type, bytes;
};

// The compose form as Chromium posts it with enctype="multipart/form-data".
std::string multipart(const std::vector<std::pair<std::string, std::string>>& fields,
                      const std::optional<file_field>& file) {
  std::string out;
  for (const auto& [name, value] : fields)
    out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  if (file)
    out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"allegato\"; filename=\"" + file->filename +
           "\"\r\nContent-Type: " + file->content_type + "\r\n\r\n" + file->bytes + "\r\n";
  return out + "--" + boundary + "--\r\n";
}

http::response post_multipart(fixture& f, const std::string& token, std::string body) {
  auto req = make_request("POST", "/console/compose", std::move(body));
  req.headers.push_back({"Cookie", "banditore_session=" + token});
  req.headers.push_back({"Content-Type", "multipart/form-data; boundary=" + boundary});
  return call(f.routes, req);
}

std::vector<std::pair<std::string, std::string>> alert_fields(const fixture& f, const std::string& token,
                                                               std::string action, std::string text = "Via Roma chiusa") {
  return {{"csrf", csrf_token(f.ctx.csrf, token)}, {"categoria", "roads"}, {"gravita", "moderate"},
          {"titolo", "Strada chiusa"}, {"testo", std::move(text)}, {"azione", std::move(action)}};
}

std::optional<store::media_record> media(fixture& f, std::int64_t id) { return run_blocking(f.engine->media_info(id)); }

}  // namespace

TEST_CASE("Anteprima with an image stores it as POST /v1/media does and shows it on the phone, counted as a caption") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  const auto res = post_multipart(f, editor, multipart(alert_fields(f, editor, "anteprima"),
                                                      file_field{"foto.jpg", "image/jpeg", jpeg}));
  REQUIRE(res.status == 200);
  const auto stored = media(f, 1);
  REQUIRE(stored.has_value());
  CHECK(stored->mime_type == "image/jpeg");
  CHECK(stored->size == static_cast<std::int64_t>(jpeg.size()));
  CHECK(stored->created_by == "staff:editor@comune.it");
  CHECK(res.body.find("<img class=\"attachment\" src=\"/console/media/1\"") != std::string::npos);
  CHECK(res.body.find("di 1024 caratteri") != std::string::npos);
  CHECK(res.body.find("name=\"allegato_id\" value=\"1\"") != std::string::npos);
  // The thumbnail's route gives the bytes as they were, with the console's headers.
  const auto image = f.get("/console/media/1", editor);
  REQUIRE(image.status == 200);
  CHECK(image.content_type == "image/jpeg");
  CHECK(image.body == jpeg);
  CHECK(header_of(image, "X-Content-Type-Options") == "nosniff");
  CHECK(f.get("/console/media/2", editor).status == 404);
}

TEST_CASE("a PDF shows as a document card with its name and size, and Invia sends the alert with it") {
  fixture f;
  const auto publisher = f.member("publisher@comune.it", "publisher");
  const auto preview = post_multipart(f, publisher, multipart(alert_fields(f, publisher, "anteprima"),
                                                              file_field{"ordinanza 12.pdf", "application/pdf", pdf}));
  REQUIRE(preview.status == 200);
  CHECK(preview.body.find("<span class=\"document-name\">ordinanza 12.pdf</span>") != std::string::npos);
  CHECK(preview.body.find("PDF · " + std::to_string(pdf.size()) + " byte") != std::string::npos);
  CHECK(media(f, 1)->filename == "ordinanza 12.pdf");
  // Invia with the attachment the preview stored (no file chosen again).
  auto fields = alert_fields(f, publisher, "invia");
  fields.emplace_back("allegato_id", "1");
  const auto sent = post_multipart(f, publisher, multipart(fields, file_field{"", "application/octet-stream", ""}));
  REQUIRE(sent.status == 303);
  const auto list = run_blocking(f.engine->list(0, 10));
  REQUIRE(list.size() == 1);
  CHECK(list[0].media_id == std::optional<std::int64_t>(1));
  CHECK(list[0].source == "console");
  CHECK(header_of(sent, "Location") == "/console/alerts/" + std::to_string(list[0].id));
}

TEST_CASE("a file POST /v1/media would refuse is a 422 page with its reason, and nothing is stored") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  const auto lying = post_multipart(f, editor, multipart(alert_fields(f, editor, "anteprima"),
                                                         file_field{"foto.png", "image/png", jpeg}));
  CHECK(lying.status == 422);
  CHECK(lying.content_type.find("text/html") == 0);
  CHECK(lying.body.find("<strong>Allegato</strong>") != std::string::npos);
  CHECK(lying.body.find(domain::check_media(jpeg, "image/png").reason) != std::string::npos);
  // A type the browser did not know says nothing; the bytes still decide.
  const auto unknown = post_multipart(f, editor, multipart(alert_fields(f, editor, "anteprima"),
                                                           file_field{"note", "application/octet-stream", "solo testo"}));
  CHECK(unknown.status == 422);
  const auto text = post_multipart(f, editor, multipart(alert_fields(f, editor, "anteprima"),
                                                        file_field{"note.txt", "text/plain", "solo testo"}));
  CHECK(text.status == 422);
  const auto bad_name = post_multipart(f, editor, multipart(alert_fields(f, editor, "anteprima"),
                                                            file_field{"ordinanza.exe", "application/pdf", pdf}));
  CHECK(bad_name.status == 422);
  CHECK_FALSE(media(f, 1).has_value());
  auto gone = alert_fields(f, editor, "anteprima");
  gone.emplace_back("allegato_id", "42");
  CHECK(post_multipart(f, editor, multipart(gone, std::nullopt)).status == 422);
}

TEST_CASE("an image whose type the browser did not know is taken by its bytes") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  const auto res = post_multipart(f, editor, multipart(alert_fields(f, editor, "anteprima"),
                                                      file_field{"foto", "application/octet-stream", jpeg}));
  CHECK(res.status == 200);
  REQUIRE(media(f, 1).has_value());
  CHECK(media(f, 1)->mime_type == "image/jpeg");
}

TEST_CASE("with an attachment the text is a caption: over 1024 characters it is refused, as POST /v1/alerts refuses it") {
  fixture f;
  const auto publisher = f.member("publisher@comune.it", "publisher");
  const std::string long_text(1100, 'a');
  const auto without = post_multipart(f, publisher, multipart(alert_fields(f, publisher, "anteprima", long_text), std::nullopt));
  CHECK(without.status == 200);
  const auto with = post_multipart(f, publisher, multipart(alert_fields(f, publisher, "invia", long_text),
                                                           file_field{"foto.jpg", "image/jpeg", jpeg}));
  CHECK(with.status == 422);
  CHECK(with.body.find("1024") != std::string::npos);
  CHECK(run_blocking(f.engine->list(0, 10)).empty());
}

TEST_CASE("an attachment needs the session's CSRF token, Invia a publisher, and a draft keeps it") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  auto fields = alert_fields(f, editor, "anteprima");
  fields[0].second = "sbagliato";
  const auto forged = post_multipart(f, editor, multipart(fields, file_field{"foto.jpg", "image/jpeg", jpeg}));
  CHECK(forged.status == 403);
  CHECK(forged.content_type.find("text/html") == 0);
  CHECK_FALSE(media(f, 1).has_value());
  const auto send = post_multipart(f, editor, multipart(alert_fields(f, editor, "invia"),
                                                        file_field{"foto.jpg", "image/jpeg", jpeg}));
  CHECK(send.status == 403);
  CHECK(run_blocking(f.engine->list(0, 10)).empty());
  const auto draft = post_multipart(f, editor, multipart(alert_fields(f, editor, "bozza"),
                                                         file_field{"foto.jpg", "image/jpeg", jpeg}));
  CHECK(draft.status == 303);
  const auto drafts = run_blocking(f.engine->list_drafts("", 0, 10));
  REQUIRE(drafts.size() == 1);
  REQUIRE(media(f, 1).has_value());
  CHECK(drafts[0].media_id == media(f, 1)->id);
  CHECK(run_blocking(f.engine->list(0, 10)).empty());
}

TEST_CASE("a multipart form that cannot be read is a 400 page") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  auto req = make_request("POST", "/console/compose", "--" + boundary + "\r\nnot a header\r\n\r\nx\r\n--" + boundary + "--");
  req.headers.push_back({"Cookie", "banditore_session=" + editor});
  req.headers.push_back({"Content-Type", "multipart/form-data; boundary=" + boundary});
  const auto res = call(f.routes, req);
  CHECK(res.status == 400);
  CHECK(res.content_type.find("text/html") == 0);
  auto no_boundary = make_request("POST", "/console/compose", "csrf=x");
  no_boundary.headers.push_back({"Cookie", "banditore_session=" + editor});
  no_boundary.headers.push_back({"Content-Type", "multipart/form-data"});
  CHECK(call(f.routes, no_boundary).status == 400);
}

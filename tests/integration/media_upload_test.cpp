// An alert's attachment over the wire: the real binary takes a file
// larger than the JSON routes' body limit on POST /v1/media only, checks
// it by its bytes and keeps it.
#include "harness.hpp"
#include "raw_socket.hpp"

#include <doctest/doctest.h>

using namespace harness;

namespace {

// A JPEG's first bytes, padded past the 1 MB that other routes take.
std::string large_jpeg(std::size_t size) {
  std::string bytes("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
  bytes.resize(size - 2, '\0');
  bytes.append("\xFF\xD9");
  return bytes;
}

}  // namespace

TEST_CASE("POST /v1/media takes a 3 MB image that any other route refuses as too large, and stores it once") {
  alert_world w;
  const auto jpeg = large_jpeg(3 * 1024 * 1024);
  const std::vector<banditore::http::header_field> headers = {{"Authorization", "Bearer " + w.token},
                                                              {"Content-Type", "image/jpeg"}};
  auto stored = call(w.app.base, "POST", "/v1/media", jpeg, headers);
  REQUIRE(stored.status == 201);
  const auto j = json::parse(stored.body);
  CHECK(j["type"] == "image");
  CHECK(j["size"] == jpeg.size());
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM media WHERE length(bytes) = " + std::to_string(jpeg.size())) == 1);
  auto again = call(w.app.base, "POST", "/v1/media", jpeg, headers);
  CHECK(again.status == 200);
  CHECK(json::parse(again.body)["id"] == j["id"]);

  // The JSON routes keep their limit: the same length announced to
  // /v1/alerts is refused from the head alone.
  raw_socket s(port_of(w.app.base));
  REQUIRE(s.send_all("POST /v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + w.token +
                     "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(jpeg.size()) +
                     "\r\n\r\n"));
  CHECK(s.read_until("\r\n\r\n", std::chrono::seconds(10)).starts_with("HTTP/1.1 413"));
  // An image over Meta's 5 MB is refused by the rules, not by the server.
  auto too_big = call(w.app.base, "POST", "/v1/media", large_jpeg(5 * 1024 * 1024 + 1), headers);
  CHECK(too_big.status == 422);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM media") == 1);
}

TEST_CASE("an alert with an attachment reaches phones inside their window as an image captioned with its text, uploaded once") {
  alert_world w;
  const auto phones = w.sim.subscribe_many(3);
  const std::string png = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0D" "IHDR", 16) + std::string(200, '\0');
  auto stored = call(w.app.base, "POST", "/v1/media", png,
                     {{"Authorization", "Bearer " + w.token}, {"Content-Type", "image/png"}});
  REQUIRE(stored.status == 201);
  const auto media_id = json::parse(stored.body)["id"].get<std::int64_t>();

  json body = {{"category", "roads"}, {"severity", "moderate"}, {"title", "Via Roma chiusa"},
               {"text", "Fino alle 18, deviazione per via Mazzini (mappa)."}, {"media", media_id}};
  // Unknown attachments and captions over WhatsApp's 1024 are refused first.
  json unknown = body;
  unknown["media"] = media_id + 100;
  auto refused = w.app.api("POST", "/v1/alerts", w.token, unknown.dump());
  CHECK(refused.status == 422);
  CHECK(json::parse(refused.body)["errors"][0]["field"] == "media");
  json long_caption = body;
  long_caption["text"] = std::string(1100, 'a');
  auto too_long = w.app.api("POST", "/v1/alerts", w.token, long_caption.dump());
  CHECK(too_long.status == 422);
  CHECK(json::parse(too_long.body)["errors"][0]["field"] == "text");

  auto sent = w.post_alert(body);
  CHECK(sent["media"] == media_id);
  w.await_state(sent["id"].get<std::int64_t>(), "done");
  for (const auto& p : phones) {
    const auto messages = w.sim.inbox(p)["messages"];
    REQUIRE_FALSE(messages.empty());
    const auto& last = messages.back();
    REQUIRE(last["type"] == "image");
    CHECK(last["image"]["mime_type"] == "image/png");
    CHECK(last["image"]["caption"].get<std::string>().find("Via Roma chiusa") != std::string::npos);
  }
  CHECK(w.sim.stats()["media_uploaded"] == 1);
}

namespace {

// The session cookie's "name=value" from a login's Set-Cookie.
std::string session_cookie(const banditore::http::client_response& res) {
  const std::string set(res.header("Set-Cookie"));
  return set.substr(0, set.find(';'));
}

// The value of the form's hidden csrf field on a console page.
std::string csrf_of(const std::string& page) {
  const std::string marker = "name=\"csrf\" value=\"";
  const auto at = page.find(marker);
  REQUIRE(at != std::string::npos);
  const auto from = at + marker.size();
  return page.substr(from, page.find('"', from) - from);
}

}  // namespace

TEST_CASE("the compose form takes a 3 MB image as multipart/form-data over the wire; other console routes keep the limit") {
  const std::map<std::string, std::string> env = {{"BANDITORE_CONSOLE_TOTP", "optional"}};
  alert_world w(env);
  const auto created = run_cli(w.dir.path, {"users", "create", "--email", "m.rossi@comune.example.it", "--name",
                                            "Maria Rossi", "--role", "editor"},
                               database_env(w.dir.path));
  REQUIRE(created.exit_code == 0);
  const auto password = created.out.substr(created.out.find_last_of('\n', created.out.size() - 2) + 1);
  const auto login = call(w.app.base, "POST", "/console/login",
                          "email=m.rossi%40comune.example.it&password=" + password.substr(0, password.find('\n')) +
                              "&next=%2Fconsole%2F",
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(login.status == 303);
  const auto cookie = session_cookie(login);
  const auto form = call(w.app.base, "GET", "/console/compose", {}, {{"Cookie", cookie}});
  REQUIRE(form.status == 200);
  const auto csrf = csrf_of(form.body);

  const auto jpeg = large_jpeg(3 * 1024 * 1024);
  const std::string boundary = "----WebKitFormBoundaryIntegration3MB";
  std::string body;
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"csrf", csrf}, {"categoria", "water"}, {"gravita", "moderate"}, {"titolo", "Mappa dei lavori"},
           {"testo", "La mappa delle strade chiuse."}, {"azione", "anteprima"}})
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"allegato\"; filename=\"mappa.jpg\"\r\n"
          "Content-Type: image/jpeg\r\n\r\n" + jpeg + "\r\n--" + boundary + "--\r\n";
  const std::vector<banditore::http::header_field> headers = {
      {"Cookie", cookie}, {"Content-Type", "multipart/form-data; boundary=" + boundary}};
  const auto preview = call(w.app.base, "POST", "/console/compose", body, headers);
  REQUIRE(preview.status == 200);
  CHECK(preview.body.find("<img class=\"attachment\" src=\"/console/media/1\"") != std::string::npos);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM media WHERE length(bytes) = " + std::to_string(jpeg.size())) == 1);
  const auto image = call(w.app.base, "GET", "/console/media/1", {}, {{"Cookie", cookie}});
  CHECK(image.status == 200);
  CHECK(image.body == jpeg);
  // Another console form is held to the server's usual limit, refused
  // from the head alone.
  raw_socket s(port_of(w.app.base));
  REQUIRE(s.send_all("POST /console/logout HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
                     "\r\nContent-Type: multipart/form-data; boundary=" + boundary +
                     "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  CHECK(s.read_until("\r\n\r\n", std::chrono::seconds(10)).starts_with("HTTP/1.1 413"));
}

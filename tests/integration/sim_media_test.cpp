// wa-sim's media rules, as Meta's Cloud API applies them: an upload is
// multipart/form-data judged by its file part's type and size, and an image
// or document message must name an uploaded file of its kind with a caption
// of at most 1024 characters. The bodies are written here by hand, as curl
// -F writes them, not by banditore's code.
#include "harness.hpp"

#include <banditore/whatsapp/cloud_channel.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

using namespace harness;

namespace {

const std::string citizen = "393351112255";
const std::string upload_path = "/v21.0/100000000000001/media";
const std::string messages_path = "/v21.0/100000000000001/messages";
const std::string pdf = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";

std::string form(const std::string& file_type, const std::string& bytes, const std::string& product = "whatsapp",
                 const std::string& type_field = "") {
  std::string b;
  b += "--b0undary\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\n" + product + "\r\n";
  if (!type_field.empty()) b += "--b0undary\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n" + type_field + "\r\n";
  b += "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n";
  if (!file_type.empty()) b += "Content-Type: " + file_type + "\r\n";
  b += "\r\n" + bytes + "\r\n--b0undary--\r\n";
  return b;
}

banditore::http::client_response upload(const wa_sim& sim, const std::string& body,
                                        const std::string& content_type = "multipart/form-data; boundary=b0undary") {
  return call(sim.base, "POST", upload_path, body,
              {{"Authorization", "Bearer " + sim_token}, {"Content-Type", content_type}});
}

banditore::http::client_response send(const wa_sim& sim, const json& message) {
  json body = {{"messaging_product", "whatsapp"}, {"recipient_type", "individual"}, {"to", citizen}};
  body.update(message);
  return call(sim.base, "POST", messages_path, body.dump(),
              {{"Authorization", "Bearer " + sim_token}, {"Content-Type", "application/json"}});
}

int code_of(const banditore::http::client_response& r) { return json::parse(r.body)["error"]["code"].get<int>(); }

}  // namespace

TEST_CASE("wa-sim takes an upload as Meta does and a media message names it, with its caption") {
  temp_dir dir;
  wa_sim sim{dir.path};
  auto image = upload(sim, form("image/png", "\x89PNG\r\n\x1A\n....IHDR", "whatsapp", "image/png"));
  REQUIRE(image.status == 200);
  const auto image_id = json::parse(image.body)["id"].get<std::string>();
  auto document = upload(sim, form("application/pdf", pdf));
  REQUIRE(document.status == 200);
  const auto document_id = json::parse(document.body)["id"].get<std::string>();
  CHECK(image_id != document_id);

  REQUIRE(send(sim, {{"type", "image"}, {"image", {{"id", image_id}, {"caption", "Via Roma chiusa"}}}}).status == 200);
  REQUIRE(send(sim, {{"type", "document"},
                     {"document", {{"id", document_id}, {"caption", "Ordinanza"}, {"filename", "ordinanza.pdf"}}}})
              .status == 200);
  const auto messages = sim.inbox(citizen)["messages"];
  REQUIRE(messages.size() == 2);
  CHECK(messages[0]["image"]["caption"] == "Via Roma chiusa");
  CHECK(messages[0]["image"]["mime_type"] == "image/png");
  CHECK(messages[1]["document"]["filename"] == "ordinanza.pdf");
  CHECK(messages[1]["document"]["mime_type"] == "application/pdf");
}

TEST_CASE("wa-sim refuses an upload that is not a well-formed form, of an unsupported type or too large") {
  temp_dir dir;
  wa_sim sim{dir.path};
  // No type on the file part: Meta reads application/octet-stream and names it.
  auto untyped = upload(sim, form("", pdf));
  CHECK(untyped.status == 400);
  CHECK(code_of(untyped) == 100);
  CHECK(untyped.body.find("Received file of type 'application/octet-stream'") != std::string::npos);
  CHECK(upload(sim, form("image/gif", "GIF89a")).status == 400);
  CHECK(upload(sim, form("image/png", "x", "telegram")).status == 400);
  CHECK(upload(sim, form("image/png", "x", "whatsapp", "image/jpeg")).status == 400);
  CHECK(upload(sim, form("image/png", "x"), "application/json").status == 400);
  auto cut = form("image/png", "x");
  CHECK(upload(sim, cut.substr(0, cut.size() - 16)).status == 400);
  auto too_big = upload(sim, form("image/jpeg", std::string(5 * 1024 * 1024 + 1, 'j')));
  CHECK(too_big.status == 400);
  CHECK(code_of(too_big) == 131053);
  CHECK(upload(sim, form("image/jpeg", std::string(5 * 1024 * 1024, 'j'))).status == 200);
  auto no_token = call(sim.base, "POST", upload_path, form("image/png", "x"),
                       {{"Content-Type", "multipart/form-data; boundary=b0undary"}});
  CHECK(no_token.status == 401);
  CHECK(sim.stats()["media_uploaded"] == 1);
}

TEST_CASE("wa-sim refuses a media message with an unknown id, a file of the other kind or a caption over 1024") {
  temp_dir dir;
  wa_sim sim{dir.path};
  const auto document_id =
      json::parse(upload(sim, form("application/pdf", pdf)).body)["id"].get<std::string>();
  CHECK(send(sim, {{"type", "image"}, {"image", {{"id", "999"}}}}).status == 400);
  CHECK(send(sim, {{"type", "image"}, {"image", {{"id", document_id}}}}).status == 400);
  CHECK(send(sim, {{"type", "document"}, {"document", {{"link", "https://example.org/a.pdf"}}}}).status == 400);
  const std::string at_limit(1024, 'a');
  CHECK(send(sim, {{"type", "document"}, {"document", {{"id", document_id}, {"caption", at_limit}}}}).status == 200);
  // Characters, not bytes: 1024 accented letters are 2048 bytes and pass.
  std::string accented;
  for (int i = 0; i < 1024; ++i) accented += "è";
  CHECK(send(sim, {{"type", "document"}, {"document", {{"id", document_id}, {"caption", accented}}}}).status == 200);
  auto over = send(sim, {{"type", "document"}, {"document", {{"id", document_id}, {"caption", at_limit + "a"}}}});
  CHECK(over.status == 400);
  CHECK(code_of(over) == 100);
  CHECK(sim.inbox(citizen)["messages"].size() == 2);
}

TEST_CASE("the Cloud API channel uploads a file to wa-sim once and sends it as an image with its caption") {
  temp_dir dir;
  wa_sim sim{dir.path};
  boost::asio::io_context io;
  banditore::whatsapp::cloud_channel_options o;
  o.api_base = sim.base;
  o.api_version = "v24.0";
  o.phone_number_id = sim_phone_number_id;
  o.token = sim_token;
  banditore::whatsapp::cloud_channel channel(io.get_executor(), o);
  const std::string png = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0D" "IHDR", 16) + std::string(64, '\0');

  banditore::dispatch::upload_outcome uploaded, refused;
  banditore::dispatch::send_outcome sent;
  auto run = [&]() -> boost::asio::awaitable<void> {
    uploaded = co_await channel.upload_media("image/png", "mappa.png", png);
    refused = co_await channel.upload_media("image/gif", "x.gif", "GIF89a");
    banditore::dispatch::outgoing_message m;
    m.to = citizen;
    m.text = "*Via Roma chiusa*\nFino alle 18.";
    m.media = banditore::dispatch::media_attachment{"image", uploaded.provider_id, ""};
    sent = co_await channel.send(m);
  };
  boost::asio::co_spawn(io, run(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  REQUIRE_FALSE(uploaded.provider_id.empty());
  CHECK(refused.provider_id.empty());
  CHECK(refused.refusal.error_code == 100);
  CHECK(sent.verdict == banditore::dispatch::send_verdict::accepted);
  const auto messages = sim.inbox(citizen)["messages"];
  REQUIRE(messages.size() == 1);
  CHECK(messages[0]["image"]["id"] == uploaded.provider_id);
  CHECK(messages[0]["image"]["caption"] == "*Via Roma chiusa*\nFino alle 18.");
}

TEST_CASE("wa-sim refuses a template send whose header does not match the template's approved header format") {
  temp_dir dir;
  wa_sim sim{dir.path};
  auto image = upload(sim, form("image/png", "\x89PNG\r\n\x1A\n....IHDR", "whatsapp", "image/png"));
  REQUIRE(image.status == 200);
  const auto image_id = json::parse(image.body)["id"].get<std::string>();
  auto document = upload(sim, form("application/pdf", pdf));
  REQUIRE(document.status == 200);
  const auto document_id = json::parse(document.body)["id"].get<std::string>();
  auto put = [&](const std::string& name, const json& definition) {
    REQUIRE(call(sim.base, "PUT", "/sim/templates/" + name, definition.dump()).status == 200);
  };
  put("avviso", {{"language", "it"}, {"body", "Avviso: {{1}}"}});
  put("avviso_immagine", {{"language", "it"}, {"body", "Avviso: {{1}}"}, {"header", "IMAGE"}});
  CHECK(call(sim.base, "PUT", "/sim/templates/avviso_video", json{{"body", "x"}, {"header", "VIDEO"}}.dump()).status ==
        400);
  const json body_component = {{"type", "body"}, {"parameters", json::array({{{"type", "text"}, {"text", "Via Roma"}}})}};
  auto header = [](const std::string& type, const std::string& id) {
    return json{{"type", "header"}, {"parameters", json::array({{{"type", type}, {type, {{"id", id}}}}})}};
  };
  auto templ = [&](const std::string& name, json components) {
    return send(sim, {{"type", "template"},
                      {"template", {{"name", name}, {"language", {{"code", "it"}}}, {"components", components}}}});
  };

  // The image header is required, and must be an image.
  auto missing = templ("avviso_immagine", json::array({body_component}));
  CHECK(missing.status == 400);
  CHECK(code_of(missing) == 132012);
  CHECK(json::parse(missing.body)["error"]["error_data"]["details"] ==
        "header: Format mismatch, expected IMAGE, received UNKNOWN");
  auto as_document = templ("avviso_immagine", json::array({header("document", document_id), body_component}));
  CHECK(code_of(as_document) == 132012);
  CHECK(json::parse(as_document.body)["error"]["error_data"]["details"] ==
        "header: Format mismatch, expected IMAGE, received DOCUMENT");
  // An id of another kind, or none uploaded, is refused as in a media message.
  CHECK(code_of(templ("avviso_immagine", json::array({header("image", document_id), body_component}))) == 100);
  CHECK(code_of(templ("avviso_immagine", json::array({header("image", "999"), body_component}))) == 100);
  auto right = templ("avviso_immagine", json::array({header("image", image_id), body_component}));
  CHECK(right.status == 200);
  // A template without a media header takes none.
  auto extra = templ("avviso", json::array({header("image", image_id), body_component}));
  CHECK(extra.status == 400);
  CHECK(code_of(extra) == 132000);
  CHECK(templ("avviso", json::array({body_component})).status == 200);
  // The phone shows the header's image above the template.
  const auto messages = sim.inbox(citizen)["messages"];
  REQUIRE(messages.size() == 2);
  CHECK(messages[0]["template"]["name"] == "avviso_immagine");
  CHECK(messages[0]["template"]["header"]["type"] == "image");
  CHECK(messages[0]["template"]["header"]["id"] == image_id);
  CHECK_FALSE(messages[1]["template"].contains("header"));
}

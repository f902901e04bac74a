#include <banditore/whatsapp/cloud_api.hpp>

#include "multipart_form.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace banditore::whatsapp;
using nlohmann::json;

TEST_CASE("a text message body has Meta's shape") {
  auto j = json::parse(text_message_body("16315551181", "Allerta meteo: è \"arancione\"\n🙏"));
  CHECK(j["messaging_product"] == "whatsapp");
  CHECK(j["recipient_type"] == "individual");
  CHECK(j["to"] == "16315551181");
  CHECK(j["type"] == "text");
  CHECK(j["text"]["preview_url"] == false);
  CHECK(j["text"]["body"] == "Allerta meteo: è \"arancione\"\n🙏");
  CHECK(j.size() == 5);
}

TEST_CASE("a text message body can ask for a link preview") {
  auto j = json::parse(text_message_body("16315551181", "https://comune.example", true));
  CHECK(j["text"]["preview_url"] == true);
}

TEST_CASE("a template body carries name, language and body parameters in order") {
  template_message t{"allerta_comune", "it", {"Strada chiusa", "via Roma"}, {}, {}, {}};
  auto j = json::parse(template_message_body("16315551181", t));
  CHECK(j["messaging_product"] == "whatsapp");
  CHECK(j["recipient_type"] == "individual");
  CHECK(j["to"] == "16315551181");
  CHECK(j["type"] == "template");
  CHECK(j["template"]["name"] == "allerta_comune");
  CHECK(j["template"]["language"]["code"] == "it");
  const auto& components = j["template"]["components"];
  REQUIRE(components.size() == 1);
  CHECK(components[0]["type"] == "body");
  const auto& parameters = components[0]["parameters"];
  REQUIRE(parameters.size() == 2);
  CHECK(parameters[0] == json{{"type", "text"}, {"text", "Strada chiusa"}});
  CHECK(parameters[1] == json{{"type", "text"}, {"text", "via Roma"}});
}

TEST_CASE("a template without parameters sends no components") {
  auto j = json::parse(template_message_body("16315551181", {"benvenuto", "it", {}, {}, {}, {}}));
  CHECK_FALSE(j["template"].contains("components"));
}

TEST_CASE("a send carries its callback data only when there is some") {
  auto text = json::parse(text_message_body("16315551181", "Ciao", false, "outbox:17"));
  CHECK(text["biz_opaque_callback_data"] == "outbox:17");
  auto templ = json::parse(template_message_body("16315551181", {"benvenuto", "it", {}, {}, {}, {}}, "outbox:18"));
  CHECK(templ["biz_opaque_callback_data"] == "outbox:18");
  CHECK_FALSE(json::parse(text_message_body("16315551181", "Ciao")).contains("biz_opaque_callback_data"));
}

TEST_CASE("the messages path joins version and phone number id") {
  CHECK(messages_path("v21.0", "106540352242922") == "/v21.0/106540352242922/messages");
  CHECK(messages_path("/v21.0", "123") == "/v21.0/123/messages");
}

TEST_CASE("a success answer gives the new wamid") {
  auto body = R"({"messaging_product":"whatsapp","contacts":[{"input":"16315551181","wa_id":"16315551181"}],
                  "messages":[{"id":"wamid.HBgLMTYzMTU1NTExODEVAgARGBI3NjlFQzY0RDdGQ0U2NkY3NzUA","message_status":"accepted"}]})";
  auto success = parse_send_success(body);
  REQUIRE(success);
  CHECK(success->message_id == "wamid.HBgLMTYzMTU1NTExODEVAgARGBI3NjlFQzY0RDdGQ0U2NkY3NzUA");
}

TEST_CASE("an answer without messages[0].id is not a success") {
  CHECK_FALSE(parse_send_success(R"({"messages":[]})"));
  CHECK_FALSE(parse_send_success(R"({"messages":[{"id":""}]})"));
  CHECK_FALSE(parse_send_success(R"({"messages":[{"id":7}]})"));
  CHECK_FALSE(parse_send_success(R"({"error":{"code":131026}})"));
  CHECK_FALSE(parse_send_success("<html>502 Bad Gateway</html>"));
  CHECK_FALSE(parse_send_success(""));
  CHECK_FALSE(parse_send_success("{\"messages\":[{\"id\":\"\xC3(\"}]}"));
  // Read while parsing, not from a tree: only the first message's own id.
  CHECK_FALSE(parse_send_success(R"({"messages":[{"x":1},{"id":"wamid.B"}]})"));
  CHECK_FALSE(parse_send_success(R"({"messages":[{"meta":{"id":"wamid.C"}}]})"));
  CHECK_FALSE(parse_send_success(R"({"messages":{"id":"wamid.D"}})"));
  CHECK_FALSE(parse_send_success(R"([{"messages":[{"id":"wamid.E"}]}])"));
  CHECK_FALSE(parse_send_success(R"({"messages":[{"id":"wamid.F"}]} trailing)"));
  auto after_others = parse_send_success(
      R"({"contacts":[{"id":"x","wa_id":"1"}],"messages":[{"status":[1,{"id":"y"}],"id":"wamid.G"},{"id":"wamid.H"}]})");
  REQUIRE(after_others);
  CHECK(after_others->message_id == "wamid.G");
}

TEST_CASE("the simulator's success body parses back to its wamid") {
  auto success = parse_send_success(make_success_body("16315551181", "wamid.SIM1"));
  REQUIRE(success);
  CHECK(success->message_id == "wamid.SIM1");
}

TEST_CASE("a Graph API error gives code, subcode, type, message and details") {
  auto body = R"({"error":{"message":"(#131026) Message undeliverable","type":"OAuthException",
                  "code":131026,"error_subcode":2494010,
                  "error_data":{"messaging_product":"whatsapp","details":"Message Undeliverable."},
                  "fbtrace_id":"AbCdEf123"}})";
  auto error = parse_provider_error(body);
  REQUIRE(error);
  CHECK(error->code == 131026);
  CHECK(error->subcode == 2494010);
  CHECK(error->type == "OAuthException");
  CHECK(error->message == "(#131026) Message undeliverable");
  CHECK(error->details == "Message Undeliverable.");
}

TEST_CASE("a Graph API error without subcode or error_data still parses") {
  auto error = parse_provider_error(
      R"({"error":{"message":"Error validating access token","type":"OAuthException","code":190}})");
  REQUIRE(error);
  CHECK(error->code == 190);
  CHECK(error->subcode == 0);
  CHECK(error->details.empty());
}

TEST_CASE("a body that is not a Graph API error gives nothing") {
  CHECK_FALSE(parse_provider_error("<html><body>502 Bad Gateway</body></html>"));
  CHECK_FALSE(parse_provider_error(""));
  CHECK_FALSE(parse_provider_error(R"({"messages":[{"id":"wamid.X"}]})"));
  CHECK_FALSE(parse_provider_error(R"({"error":"rate limited"})"));
}

TEST_CASE("the simulator's error body has Meta's shape and parses back") {
  provider_error sent{130429, 0, "OAuthException", "(#130429) Rate limit hit",
                      "Cloud API message throughput has been reached."};
  auto body = make_error_body(sent);
  auto j = json::parse(body);
  CHECK(j["error"]["error_data"]["messaging_product"] == "whatsapp");
  CHECK(j["error"].contains("fbtrace_id"));
  CHECK_FALSE(j["error"].contains("error_subcode"));
  auto back = parse_provider_error(body);
  REQUIRE(back);
  CHECK(back->code == sent.code);
  CHECK(back->type == sent.type);
  CHECK(back->message == sent.message);
  CHECK(back->details == sent.details);
}

TEST_CASE("a reply-buttons message has Meta's interactive shape") {
  // developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages
  auto body = nlohmann::json::parse(message_body(
      "393331234567", buttons_content("Vuoi ricevere gli avvisi?", {{"banditore:join", "Attiva"}, {"banditore:leave", "Disattiva"}}),
      "outbox:7"));
  CHECK(body["messaging_product"] == "whatsapp");
  CHECK(body["type"] == "interactive");
  CHECK(body["interactive"]["type"] == "button");
  CHECK(body["interactive"]["body"]["text"] == "Vuoi ricevere gli avvisi?");
  const auto& buttons = body["interactive"]["action"]["buttons"];
  REQUIRE(buttons.size() == 2);
  CHECK(buttons[0]["type"] == "reply");
  CHECK(buttons[0]["reply"]["id"] == "banditore:join");
  CHECK(buttons[1]["reply"]["title"] == "Disattiva");
  CHECK(body["biz_opaque_callback_data"] == "outbox:7");
}

TEST_CASE("a list message has Meta's interactive shape, with titles and descriptions only where given") {
  // developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-list-messages
  auto body = nlohmann::json::parse(message_body(
      "393331234567",
      list_content("Scegli cosa ricevere", "Scegli",
                   {{"", {{"topic:strade", "Strade", "Lavori e chiusure"}, {"topic:meteo", "Meteo", ""}}}})));
  CHECK(body["type"] == "interactive");
  CHECK(body["interactive"]["type"] == "list");
  CHECK(body["interactive"]["body"]["text"] == "Scegli cosa ricevere");
  CHECK(body["interactive"]["action"]["button"] == "Scegli");
  const auto& sections = body["interactive"]["action"]["sections"];
  REQUIRE(sections.size() == 1);
  CHECK_FALSE(sections[0].contains("title"));
  REQUIRE(sections[0]["rows"].size() == 2);
  CHECK(sections[0]["rows"][0]["description"] == "Lavori e chiusure");
  CHECK_FALSE(sections[0]["rows"][1].contains("description"));
}

TEST_CASE("the list check counts characters, not bytes, and names the limit broken") {
  const std::vector<list_section> accented{{"", {{"a", "Viabilità è città", ""}}}};
  CHECK_FALSE(list_problem("Scegli", "Scegli", accented));
  const std::vector<list_section> eleven{{"", std::vector<list_row>(11, list_row{"", "T", ""})}};
  CHECK(list_problem("Scegli", "Scegli", eleven).has_value());
  auto unique = list_problem("Scegli", "Scegli", {{"", {{"a", "A", ""}, {"a", "B", ""}}}});
  REQUIRE(unique);
  CHECK(unique->find("unique") != std::string::npos);
}

TEST_CASE("an image or document message names the uploaded id, with its caption and a document's file name") {
  auto image = json::parse(message_body("393351112255", media_content("image", "4490709327384033", "Via Roma chiusa")));
  CHECK(image["type"] == "image");
  CHECK(image["image"]["id"] == "4490709327384033");
  CHECK(image["image"]["caption"] == "Via Roma chiusa");
  CHECK_FALSE(image["image"].contains("filename"));
  auto document = json::parse(message_body("393351112255", media_content("document", "17", "", "ordinanza.pdf")));
  CHECK(document["type"] == "document");
  CHECK(document["document"]["filename"] == "ordinanza.pdf");
  CHECK_FALSE(document["document"].contains("caption"));
  CHECK(media_path("v24.0", "100000000000001") == "/v24.0/100000000000001/media");
  CHECK(media_path("/v24.0", "1") == "/v24.0/1/media");
}

TEST_CASE("an upload's form is what an RFC 7578 reader takes: the product, the type and the file with its type") {
  const std::string bytes("%PDF-1.7\r\n--not-it\r\n\0%%EOF", 26);
  const auto form = media_upload_form("application/pdf", "Ordinanza \"12\".pdf", bytes, "banditore-abc");
  CHECK(form.content_type == "multipart/form-data; boundary=banditore-abc");
  const auto boundary = banditore::testing::form_boundary(form.content_type);
  REQUIRE(boundary == "banditore-abc");
  const auto read = banditore::testing::read_form(form.body, boundary);
  REQUIRE_MESSAGE(read.parts, read.error);
  REQUIRE(read.parts->size() == 3);
  CHECK((*read.parts)[0].name == "messaging_product");
  CHECK((*read.parts)[0].body == "whatsapp");
  CHECK((*read.parts)[1].name == "type");
  CHECK((*read.parts)[1].body == "application/pdf");
  CHECK((*read.parts)[2].name == "file");
  CHECK((*read.parts)[2].filename == "Ordinanza _12_.pdf");
  CHECK((*read.parts)[2].content_type == "application/pdf");
  CHECK((*read.parts)[2].body == bytes);
}

TEST_CASE("an upload's answer is its id; any other shape is none") {
  CHECK(parse_upload_success(R"({"id":"4490709327384033"})") == "4490709327384033");
  CHECK_FALSE(parse_upload_success(R"({"id":""})"));
  CHECK_FALSE(parse_upload_success(R"({"id":44})"));
  CHECK_FALSE(parse_upload_success(R"({"error":{"code":100}})"));
  CHECK_FALSE(parse_upload_success("<html>"));
}

TEST_CASE("a template approved with a media header carries the upload's id in a header component before the body") {
  template_message t{"avviso_immagine", "it", {"Strada chiusa"}, "image", "4490709327", {}};
  auto j = json::parse(template_message_body("16315551181", t));
  const auto& components = j["template"]["components"];
  REQUIRE(components.size() == 2);
  CHECK(components[0]["type"] == "header");
  REQUIRE(components[0]["parameters"].size() == 1);
  CHECK(components[0]["parameters"][0]["type"] == "image");
  CHECK(components[0]["parameters"][0]["image"]["id"] == "4490709327");
  CHECK(components[1]["type"] == "body");
  template_message d{"avviso_documento", "it", {}, "document", "77", "ordinanza.pdf"};
  auto k = json::parse(template_message_body("16315551181", d));
  REQUIRE(k["template"]["components"].size() == 1);
  CHECK(k["template"]["components"][0]["parameters"][0]["document"]["filename"] == "ordinanza.pdf");
}

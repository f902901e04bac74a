#include <banditore/whatsapp/webhook.hpp>

#include <banditore/testing/webhook_bodies.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

using namespace banditore::whatsapp;
using namespace banditore::testing;
using nlohmann::json;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BANDITORE_FIXTURES) + "/whatsapp/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

notification parsed(const std::string& body, const parse_limits& limits = {}) {
  auto result = parse_notification(body, limits);
  INFO("error: " << result.error);
  REQUIRE(result.value.has_value());
  CHECK(result.error.empty());
  return *result.value;
}

inbound_message only_message(const std::string& name) {
  auto n = parsed(fixture(name));
  REQUIRE(n.messages.size() == 1);
  CHECK(n.statuses.empty());
  return n.messages.front();
}

std::string error_of(const std::string& body, const parse_limits& limits = {}) {
  auto result = parse_notification(body, limits);
  CHECK_FALSE(result.value.has_value());
  return result.error;
}

// A fixture edited as JSON, for the shape errors.
std::string edited(const std::string& name, void (*edit)(json&)) {
  auto j = json::parse(fixture(name));
  edit(j);
  return j.dump();
}

constexpr const char* citizen = "16315551181";
constexpr const char* our_number_id = "106540352242922";

}  // namespace

// ---- messages, one fixture per type Meta sends --------------------------

TEST_CASE("a text message gives its body, sender, number, time and profile name") {
  auto m = only_message("text.json");
  CHECK(m.type == message_type::text);
  CHECK(m.id == "wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQUVCNTgx01");
  CHECK(m.from == citizen);
  CHECK(m.phone_number_id == our_number_id);
  CHECK(m.timestamp == 1718035200);
  CHECK(m.profile_name == "Maria Rossi");
}

TEST_CASE("escaped accents and a surrogate-pair emoji in a text body decode to UTF-8") {
  CHECK(only_message("text.json").text == "Attiva per favore, è già perché 🙏");
}

TEST_CASE("media messages carry their type and no command text") {
  struct row { const char* file; message_type type; };
  for (auto [file, type] : {row{"image.json", message_type::image},
                            row{"audio.json", message_type::audio},
                            row{"video.json", message_type::video},
                            row{"document.json", message_type::document},
                            row{"sticker.json", message_type::sticker}}) {
    CAPTURE(file);
    auto m = only_message(file);
    CHECK(m.type == type);
    CHECK(m.text.empty());
  }
}

TEST_CASE("reaction, location, contacts, system and order messages parse with their type") {
  struct row { const char* file; message_type type; };
  for (auto [file, type] : {row{"reaction.json", message_type::reaction},
                            row{"location.json", message_type::location},
                            row{"contacts.json", message_type::contacts},
                            row{"system.json", message_type::system},
                            row{"order.json", message_type::order}}) {
    CAPTURE(file);
    auto m = only_message(file);
    CHECK(m.type == type);
    CHECK(m.text.empty());
    CHECK(m.from == citizen);
  }
}

TEST_CASE("a template quick-reply button gives the button's text") {
  auto m = only_message("button.json");
  CHECK(m.type == message_type::button);
  CHECK(m.text == "Disattiva");
}

TEST_CASE("an interactive button reply gives the button's title") {
  auto m = only_message("interactive_button_reply.json");
  CHECK(m.type == message_type::interactive);
  CHECK(m.text == "Attiva");
}

TEST_CASE("an interactive button reply gives the id of the button tapped") {
  CHECK(only_message("interactive_button_reply.json").reply_id == "subscribe");
  CHECK(only_message("interactive_list_reply.json").reply_id.size() > 0);
  CHECK(only_message("button.json").reply_id.size() > 0);
}

TEST_CASE("a simulated tap carries the button's id, title and the message tapped") {
  simulated_message tap;
  tap.id = "wamid.T1";
  tap.from = "393331234567";
  tap.type = "interactive";
  tap.text = "Disattiva";
  tap.reply_id = "banditore:leave";
  tap.context_id = "wamid.ASKED";
  tap.timestamp = 1718035200;
  auto parsed = parse_notification(make_text_message_notification("106540352242922", "15550783881", {tap}));
  REQUIRE(parsed.value);
  REQUIRE(parsed.value->messages.size() == 1);
  CHECK(parsed.value->messages[0].text == "Disattiva");
  CHECK(parsed.value->messages[0].reply_id == "banditore:leave");
}

TEST_CASE("an interactive list reply gives the row's title") {
  auto m = only_message("interactive_list_reply.json");
  CHECK(m.type == message_type::interactive);
  CHECK(m.text == "Viabilità");
}

TEST_CASE("an unsupported message with errors[] is a message, not a parse error") {
  auto m = only_message("unsupported.json");
  CHECK(m.type == message_type::unsupported);
  CHECK(m.text.empty());
}

TEST_CASE("a message type Meta added after this code is unknown, not an error") {
  CHECK(only_message("new_type.json").type == message_type::unknown);
}

TEST_CASE("two entries of two messages each give four messages with their own number and name") {
  auto n = parsed(fixture("two_entries.json"));
  REQUIRE(n.messages.size() == 4);
  CHECK(n.messages[0].id == "wamid.A1");
  CHECK(n.messages[0].text == "Attiva");
  CHECK(n.messages[0].profile_name == "Maria Rossi");
  CHECK(n.messages[1].profile_name == "Luca Verdi");
  CHECK(n.messages[1].phone_number_id == our_number_id);
  CHECK(n.messages[2].id == "wamid.B1");
  CHECK(n.messages[2].phone_number_id == "106540352242923");
  CHECK(n.messages[3].profile_name == "Paolo Gialli");
  CHECK(n.messages[3].text == "attiva");
}

TEST_CASE("a message whose sender has no contacts entry has no profile name") {
  auto body = edited("text.json", [](json& j) { j["entry"][0]["changes"][0]["value"].erase("contacts"); });
  auto n = parsed(body);
  REQUIRE(n.messages.size() == 1);
  CHECK(n.messages[0].profile_name.empty());
}

TEST_CASE("message type names read as Meta spells them") {
  CHECK(to_string(message_type::interactive) == "interactive");
  CHECK(to_string(message_type::unsupported) == "unsupported");
  CHECK(to_string(message_type::unknown) == "unknown");
}

// ---- statuses ------------------------------------------------------------

TEST_CASE("sent, delivered, read and failed statuses parse with their codes") {
  auto n = parsed(fixture("statuses.json"));
  CHECK(n.messages.empty());
  REQUIRE(n.statuses.size() == 5);
  CHECK(n.statuses[0].status == delivery_status::sent);
  CHECK(n.statuses[0].id == "wamid.OUT1");
  CHECK(n.statuses[0].recipient_id == citizen);
  CHECK(n.statuses[0].phone_number_id == our_number_id);
  CHECK(n.statuses[0].timestamp == 1718035400);
  CHECK(n.statuses[0].error_code == 0);
  CHECK(n.statuses[1].status == delivery_status::delivered);
  CHECK(n.statuses[2].status == delivery_status::read);
  CHECK(n.statuses[3].status == delivery_status::failed);
  CHECK(n.statuses[3].error_code == 131047);
  CHECK(n.statuses[3].error_title == "Re-engagement message");
  CHECK(n.statuses[4].status == delivery_status::failed);
  CHECK(n.statuses[4].error_code == 131026);
  CHECK(n.statuses[4].error_title == "Message undeliverable");
}

TEST_CASE("a status word Meta added later is unknown, not an error") {
  auto body = edited("statuses.json", [](json& j) {
    j["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = "warning";
  });
  CHECK(parsed(body).statuses[0].status == delivery_status::unknown);
}

TEST_CASE("a change of another webhook field is skipped, the messages beside it are read") {
  auto n = parsed(fixture("account_update.json"));
  REQUIRE(n.messages.size() == 1);
  CHECK(n.messages[0].text == "Info");
}

// ---- refusals ------------------------------------------------------------

TEST_CASE("malformed JSON is an error, not an exception") {
  CHECK(error_of("{\"object\": \"whatsapp_business_account\", \"entry\": [").starts_with("body: invalid JSON"));
  CHECK(error_of("").starts_with("body: invalid JSON"));
}

TEST_CASE("a parse error never quotes the bytes it stopped at") {
  auto error = error_of(R"({"object":"whatsapp_business_account","entry":[{"from":16315551181x}]})");
  CHECK(error.starts_with("body: invalid JSON"));
  CHECK(error.find("16315551181") == std::string::npos);
}

TEST_CASE("invalid UTF-8 in a string is an error") {
  auto body = fixture("text.json");
  auto at = body.find("Attiva");
  REQUIRE(at != std::string::npos);
  body[at] = '\xC3';  // a lead byte followed by 't': ill-formed
  CHECK(error_of(body).starts_with("body: invalid UTF-8"));
}

TEST_CASE("a body that is not an object is refused") {
  CHECK(error_of("[]") == "body: not an object");
}

TEST_CASE("a deeply nested body is refused without exhausting the stack") {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  CHECK(error_of(deep) == "body: not an object");
}

TEST_CASE("an object other than whatsapp_business_account is refused") {
  auto body = edited("text.json", [](json& j) { j["object"] = "page"; });
  CHECK(error_of(body) == "object: not \"whatsapp_business_account\"");
}

TEST_CASE("a body without entry[] is refused") {
  auto body = edited("text.json", [](json& j) { j.erase("entry"); });
  CHECK(error_of(body) == "entry: missing");
}

TEST_CASE("a missing sender is named by its full path") {
  auto body = edited("two_entries.json", [](json& j) {
    j["entry"][1]["changes"][0]["value"]["messages"][1].erase("from");
  });
  CHECK(error_of(body) == "entry[1].changes[0].value.messages[1].from: missing");
}

TEST_CASE("a message without id, timestamp or type is refused") {
  for (const char* field : {"id", "timestamp", "type"}) {
    CAPTURE(field);
    auto j = json::parse(fixture("text.json"));
    j["entry"][0]["changes"][0]["value"]["messages"][0].erase(field);
    CHECK(error_of(j.dump()) ==
          std::string("entry[0].changes[0].value.messages[0].") + field + ": missing");
  }
}

TEST_CASE("a text message without text.body is refused") {
  auto body = edited("text.json", [](json& j) {
    j["entry"][0]["changes"][0]["value"]["messages"][0]["text"].erase("body");
  });
  CHECK(error_of(body) == "entry[0].changes[0].value.messages[0].text.body: missing");
}

TEST_CASE("a status without recipient_id is refused") {
  auto body = edited("statuses.json", [](json& j) {
    j["entry"][0]["changes"][0]["value"]["statuses"][2].erase("recipient_id");
  });
  CHECK(error_of(body) == "entry[0].changes[0].value.statuses[2].recipient_id: missing");
}

TEST_CASE("a change without metadata.phone_number_id is refused") {
  auto body = edited("text.json", [](json& j) {
    j["entry"][0]["changes"][0]["value"]["metadata"].erase("phone_number_id");
  });
  CHECK(error_of(body) == "entry[0].changes[0].value.metadata.phone_number_id: missing");
}

TEST_CASE("a number where Meta writes a string is refused") {
  auto body = edited("text.json", [](json& j) {
    j["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = 16315551181;
  });
  CHECK(error_of(body) == "entry[0].changes[0].value.messages[0].from: not a string");
}

TEST_CASE("a timestamp given as a JSON number is refused") {
  auto body = edited("text.json", [](json& j) {
    j["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = 1718035200;
  });
  CHECK(error_of(body) == "entry[0].changes[0].value.messages[0].timestamp: not a string");
}

TEST_CASE("a timestamp string that is not all digits is refused") {
  for (const char* stamp : {"", "17180x5200", "-1", " 1718035200", "99999999999999999999"}) {
    CAPTURE(stamp);
    auto j = json::parse(fixture("text.json"));
    j["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = stamp;
    CHECK(error_of(j.dump()) ==
          "entry[0].changes[0].value.messages[0].timestamp: not a timestamp of digits");
  }
}

TEST_CASE("a 17-digit timestamp is refused, so its milliseconds cannot overflow") {
  for (const char* stamp : {"99999999999999999", "253402300800"}) {
    CAPTURE(stamp);
    auto j = json::parse(fixture("text.json"));
    j["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = stamp;
    CHECK(error_of(j.dump()) == "entry[0].changes[0].value.messages[0].timestamp: a timestamp after the year 9999");
  }
  auto j = json::parse(fixture("text.json"));
  j["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = "253402300799";
  CHECK(parsed(j.dump()).messages.front().timestamp == max_timestamp_seconds);
}

TEST_CASE("a status's 17-digit timestamp is refused too") {
  auto j = json::parse(fixture("statuses.json"));
  j["entry"][0]["changes"][0]["value"]["statuses"][0]["timestamp"] = "99999999999999999";
  CHECK(error_of(j.dump()).ends_with("timestamp: a timestamp after the year 9999"));
}

TEST_CASE("a body of JSON followed by a NUL and garbage is refused") {
  auto body = fixture("text.json");
  const auto size = body.size();
  body.push_back('\0');
  body += "garbage";
  CHECK(error_of(body) == "body: invalid JSON at byte " + std::to_string(size));
}

TEST_CASE("an empty message id is refused, since it is the de-duplication key") {
  auto body = edited("text.json", [](json& j) {
    j["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "";
  });
  CHECK(error_of(body) == "entry[0].changes[0].value.messages[0].id: empty");
}

TEST_CASE("more entries than the limit are refused") {
  parse_limits limits;
  limits.max_entries = 1;
  CHECK(error_of(fixture("two_entries.json"), limits) == "entry: more than 1 entries");
}

TEST_CASE("more changes in one entry than the limit are refused") {
  parse_limits limits;
  limits.max_changes = 1;
  CHECK(error_of(fixture("account_update.json"), limits) ==
        "entry[0].changes: more than 1 changes");
}

TEST_CASE("more messages in the body than the limit are refused, counted over entries") {
  parse_limits limits;
  limits.max_messages = 3;
  CHECK(error_of(fixture("two_entries.json"), limits) ==
        "entry[1].changes[0].value.messages: more than 3 messages in the body");
}

TEST_CASE("more statuses than the limit are refused") {
  parse_limits limits;
  limits.max_statuses = 4;
  CHECK(error_of(fixture("statuses.json"), limits) ==
        "entry[0].changes[0].value.statuses: more than 4 statuses in the body");
}

TEST_CASE("a text longer than the limit is refused") {
  parse_limits limits;
  limits.max_text_bytes = 10;
  CHECK(error_of(fixture("text.json"), limits) ==
        "entry[0].changes[0].value.messages[0].text.body: longer than 10 bytes");
}

// ---- GET handshake -----------------------------------------------------------

TEST_CASE("a subscribe handshake with the right token echoes the challenge") {
  CHECK(verification_challenge("subscribe", "verify-me", "1158201444", "verify-me") ==
        std::optional<std::string>("1158201444"));
}

TEST_CASE("a handshake with a wrong token is refused") {
  CHECK_FALSE(verification_challenge("subscribe", "verify-you", "1158201444", "verify-me"));
  CHECK_FALSE(verification_challenge("subscribe", "verify-m", "1158201444", "verify-me"));
  CHECK_FALSE(verification_challenge("subscribe", "", "1158201444", "verify-me"));
}

TEST_CASE("a handshake whose mode is not subscribe is refused") {
  CHECK_FALSE(verification_challenge("unsubscribe", "verify-me", "1158201444", "verify-me"));
  CHECK_FALSE(verification_challenge("", "verify-me", "1158201444", "verify-me"));
}

TEST_CASE("an empty or over-long challenge is refused") {
  CHECK_FALSE(verification_challenge("subscribe", "verify-me", "", "verify-me"));
  CHECK(verification_challenge("subscribe", "verify-me", std::string(256, '7'), "verify-me"));
  CHECK_FALSE(verification_challenge("subscribe", "verify-me", std::string(257, '7'), "verify-me"));
}

TEST_CASE("a challenge with spaces or control characters is not echoed") {
  CHECK_FALSE(verification_challenge("subscribe", "verify-me", "12 34", "verify-me"));
  CHECK_FALSE(verification_challenge("subscribe", "verify-me", "1234\r\nX-Evil: 1", "verify-me"));
}

TEST_CASE("with no verify token configured no handshake succeeds") {
  CHECK_FALSE(verification_challenge("subscribe", "", "1158201444", ""));
}

// ---- builders ------------------------------------------------------------------

TEST_CASE("a simulated text notification parses back to the same messages") {
  std::vector<simulated_message> sent{
      {"wamid.S1", "16315551181", "Maria Rossi", "text", "Attiva è 🙏", 1718035200},
      {"wamid.S2", "16315551181", "Maria Rossi", "button", "Disattiva", 1718035201},
      {"wamid.S3", "16315551184", "Luca Verdi", "interactive", "Info", 1718035202},
  };
  auto n = parsed(make_text_message_notification(our_number_id, "15550783881", sent));
  REQUIRE(n.messages.size() == 3);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    CAPTURE(i);
    CHECK(n.messages[i].id == sent[i].id);
    CHECK(n.messages[i].from == sent[i].from);
    CHECK(n.messages[i].profile_name == sent[i].profile_name);
    CHECK(n.messages[i].text == sent[i].text);
    CHECK(n.messages[i].timestamp == sent[i].timestamp);
    CHECK(n.messages[i].phone_number_id == our_number_id);
    CHECK(to_string(n.messages[i].type) == sent[i].type);
  }
}

TEST_CASE("a simulated notification lists each sender once in contacts[]") {
  std::vector<simulated_message> sent{
      {"wamid.S1", "16315551181", "Maria Rossi", "text", "a", 1},
      {"wamid.S2", "16315551181", "Maria Rossi", "text", "b", 2},
  };
  auto j = json::parse(make_text_message_notification(our_number_id, "15550783881", sent));
  CHECK(j["entry"][0]["changes"][0]["value"]["contacts"].size() == 1);
}

TEST_CASE("a simulated notification escapes non-ASCII as Meta does") {
  auto body = make_text_message_notification(
      our_number_id, "15550783881", {{"wamid.S1", "16315551181", "Zoë", "text", "è", 1}});
  CHECK(body.find("\\u00e8") != std::string::npos);
  for (unsigned char c : body) CHECK(c < 0x80);
}

TEST_CASE("simulated media, reaction and unsupported messages parse with their type") {
  std::vector<simulated_message> sent{
      {"wamid.S1", "16315551181", "Maria", "image", "caption", 1},
      {"wamid.S2", "16315551181", "Maria", "audio", "", 2},
      {"wamid.S3", "16315551181", "Maria", "sticker", "", 3},
      {"wamid.S4", "16315551181", "Maria", "reaction", "👍", 4},
      {"wamid.S5", "16315551181", "Maria", "unsupported", "", 5},
  };
  auto n = parsed(make_text_message_notification(our_number_id, "15550783881", sent));
  REQUIRE(n.messages.size() == 5);
  CHECK(n.messages[0].type == message_type::image);
  CHECK(n.messages[1].type == message_type::audio);
  CHECK(n.messages[2].type == message_type::sticker);
  CHECK(n.messages[3].type == message_type::reaction);
  CHECK(n.messages[4].type == message_type::unsupported);
}

TEST_CASE("simulating a type the builder does not know is a programming error") {
  CHECK_THROWS_AS(make_text_message_notification(our_number_id, "15550783881",
                                                 {{"wamid.S1", "1", "", "hologram", "", 1}}),
                  std::invalid_argument);
}

TEST_CASE("a simulated status notification parses back with codes of failures") {
  std::vector<status_update> sent{
      {"wamid.O1", "16315551181", our_number_id, delivery_status::sent, 100, 0, "", "outbox:7"},
      {"wamid.O1", "16315551181", our_number_id, delivery_status::delivered, 101, 0, "", "outbox:7"},
      {"wamid.O1", "16315551181", our_number_id, delivery_status::read, 102, 0, "", "outbox:7"},
      {"wamid.O2", "16315551184", our_number_id, delivery_status::failed, 103, 131047,
       "Re-engagement message", ""},
  };
  auto n = parsed(make_status_notification(our_number_id, "15550783881", sent));
  REQUIRE(n.statuses.size() == 4);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    CAPTURE(i);
    CHECK(n.statuses[i].id == sent[i].id);
    CHECK(n.statuses[i].recipient_id == sent[i].recipient_id);
    CHECK(n.statuses[i].status == sent[i].status);
    CHECK(n.statuses[i].timestamp == sent[i].timestamp);
    CHECK(n.statuses[i].error_code == sent[i].error_code);
    CHECK(n.statuses[i].error_title == sent[i].error_title);
    CHECK(n.statuses[i].callback_data == sent[i].callback_data);
  }
}

TEST_CASE("a simulated sent status carries Meta's conversation and pricing objects") {
  auto j = json::parse(make_status_notification(
      our_number_id, "15550783881",
      {{"wamid.O1", "16315551181", our_number_id, delivery_status::sent, 100, 0, "", ""}}));
  const auto& status = j["entry"][0]["changes"][0]["value"]["statuses"][0];
  CHECK(status["conversation"]["origin"]["type"] == "utility");
  CHECK(status["conversation"]["expiration_timestamp"] == "86500");
  CHECK(status["pricing"]["billable"] == true);
}

TEST_CASE("a location message gives its point; other messages have none") {
  // developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#location-messages
  auto m = only_message("location.json");
  REQUIRE(m.location);
  CHECK(m.location->latitude == doctest::Approx(43.7696));
  CHECK(m.location->longitude == doctest::Approx(11.2558));
  CHECK(m.text.empty());
  CHECK_FALSE(only_message("text.json").location);
}

TEST_CASE("a shared location's degrees are the doubles written, to the last bit") {
  auto body = fixture("location.json");
  const auto at = body.find("43.7696");
  REQUIRE(at != std::string::npos);
  body.replace(at, 7, "44.417223456789012");
  auto n = parsed(body);
  REQUIRE(n.messages.size() == 1);
  REQUIRE(n.messages[0].location);
  CHECK(n.messages[0].location->latitude == json::parse("44.417223456789012").get<double>());
}

// The body is read by Boost.JSON's parser and, when that refuses it, by
// nlohmann's, whose verdict stands: what nlohmann alone accepted is still
// accepted, what it refused is still refused.
TEST_CASE("a body only nlohmann reads (a byte order mark, nesting past 32 levels) is read as before") {
  auto with_bom = "\xEF\xBB\xBF" + fixture("text.json");
  auto n = parsed(with_bom);
  REQUIRE(n.messages.size() == 1);
  CHECK(n.messages[0].text.starts_with("Attiva"));

  auto deep = edited("text.json", [](json& j) {
    json nested = json::array();
    for (int i = 0; i < 40; ++i) nested = json::array({nested});
    j["entry"][0]["changes"][0]["value"]["unread_by_us"] = nested;
  });
  n = parsed(deep);
  REQUIRE(n.messages.size() == 1);
  CHECK(n.messages[0].from == citizen);
}

TEST_CASE("a lone surrogate escape, a control character or a trailing comma is refused as before") {
  auto body = fixture("text.json");
  const auto at = body.find("Attiva");
  REQUIRE(at != std::string::npos);
  auto lone = body;
  lone.replace(at, 6, "\\ud800");
  CHECK(error_of(lone).starts_with("body: invalid"));
  auto control = body;
  control.replace(at, 6, "A\x01");
  CHECK(error_of(control).starts_with("body: invalid"));
  auto trailing = body;
  const auto last = trailing.rfind('}');
  trailing.insert(last, ",");
  CHECK(error_of(trailing).starts_with("body: invalid JSON"));
}

TEST_CASE("a repeated key counts once, its last value, as nlohmann reads it") {
  auto body = fixture("text.json");
  const auto at = body.find("\"body\":");
  REQUIRE(at != std::string::npos);
  body.insert(at, "\"body\": \"Ciao\", ");
  auto n = parsed(body);
  REQUIRE(n.messages.size() == 1);
  CHECK(n.messages[0].text.starts_with("Attiva"));
}

TEST_CASE("a location without its point, or out of the globe, is refused naming the field") {
  const std::string at = "entry[0].changes[0].value.messages[0].location";
  auto without = edited("location.json", [](json& j) {
    j["entry"][0]["changes"][0]["value"]["messages"][0]["location"].erase("latitude");
  });
  CHECK(error_of(without) == at + ".latitude: missing");
  auto text = edited("location.json", [](json& j) {
    j["entry"][0]["changes"][0]["value"]["messages"][0]["location"]["longitude"] = "11.2558";
  });
  CHECK(error_of(text) == at + ".longitude: not a number");
  auto beyond = edited("location.json", [](json& j) {
    j["entry"][0]["changes"][0]["value"]["messages"][0]["location"]["latitude"] = 91.5;
  });
  CHECK(error_of(beyond) == at + ".latitude: out of range");
  auto none = edited("location.json", [](json& j) { j["entry"][0]["changes"][0]["value"]["messages"][0].erase("location"); });
  CHECK(error_of(none) == at + ": missing");
}

TEST_CASE("simulated list taps and shared locations read back as Meta's shapes") {
  simulated_message row;
  row.id = "wamid.L1";
  row.from = "393331234567";
  row.type = "interactive";
  row.text = "Strade";
  row.reply_id = "topic:strade";
  row.list_reply = true;
  row.timestamp = 1718035200;
  simulated_message pin;
  pin.id = "wamid.P1";
  pin.from = "393331234567";
  pin.type = "location";
  pin.latitude = 44.4167;
  pin.longitude = 11.9167;
  pin.timestamp = 1718035201;
  const auto body = make_text_message_notification("106540352242922", "15550783881", {row, pin});
  CHECK(json::parse(body)["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["type"] == "list_reply");
  auto n = parsed(body);
  REQUIRE(n.messages.size() == 2);
  CHECK(n.messages[0].reply_id == "topic:strade");
  CHECK(n.messages[0].text == "Strade");
  REQUIRE(n.messages[1].location);
  CHECK(n.messages[1].location->latitude == doctest::Approx(44.4167));
}

#include <banditore/testing/webhook_bodies.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

namespace banditore::testing {

namespace {

// Meta's sample WABA id, for the entry id of simulated bodies: banditore
// reads the phone number id, never the entry id.
constexpr std::string_view simulated_waba_id = "102290129340398";

nlohmann::ordered_json envelope(std::string_view phone_number_id,
                                std::string_view display_number,
                                nlohmann::ordered_json value) {
  using oj = nlohmann::ordered_json;
  oj full_value = {{"messaging_product", "whatsapp"},
                   {"metadata",
                    {{"display_phone_number", display_number},
                     {"phone_number_id", phone_number_id}}}};
  for (auto& [key, item] : value.items()) full_value[key] = std::move(item);
  return oj{{"object", "whatsapp_business_account"},
            {"entry",
             oj::array({oj{{"id", simulated_waba_id},
                           {"changes", oj::array({oj{{"value", std::move(full_value)},
                                                     {"field", "messages"}}})}}})}};
}

// Meta escapes every non-ASCII character as \uXXXX in webhook bodies, which
// is why a body re-serialised by a receiver rarely matches its signature.
std::string meta_dump(const nlohmann::ordered_json& body) {
  return body.dump(-1, ' ', true, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::string make_text_message_notification(std::string_view phone_number_id,
                                           std::string_view display_number,
                                           const std::vector<simulated_message>& messages) {
  using oj = nlohmann::ordered_json;
  oj contacts = oj::array();
  oj items = oj::array();
  std::vector<std::string_view> seen;
  for (const auto& m : messages) {
    if (std::find(seen.begin(), seen.end(), m.from) == seen.end()) {
      seen.push_back(m.from);
      contacts.push_back({{"profile", {{"name", m.profile_name}}}, {"wa_id", m.from}});
    }
    oj item = {{"from", m.from},
               {"id", m.id},
               {"timestamp", std::to_string(m.timestamp)},
               {"type", m.type}};
    if (m.type == "text") {
      item["text"] = {{"body", m.text}};
    } else if (m.type == "button") {
      item["context"] = {{"from", display_number}, {"id", "wamid.template-" + m.id}};
      item["button"] = {{"payload", m.text}, {"text", m.text}};
    } else if (m.type == "interactive") {
      // As Meta posts a tap on a reply button: the context names the
      // message tapped, button_reply the button's id and title
      // (developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#reply-button).
      item["context"] = {{"from", display_number},
                         {"id", m.context_id.empty() ? "wamid.interactive-" + m.id : m.context_id}};
      // A list row comes back as list_reply, with the same id and title
      // (developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#list-reply).
      const char* kind = m.list_reply ? "list_reply" : "button_reply";
      item["interactive"] = {{"type", kind}, {kind, {{"id", m.reply_id.empty() ? m.text : m.reply_id}, {"title", m.text}}}};
    } else if (m.type == "location") {
      // A shared location (payload-examples#location-messages); name and
      // address only for a named place, which a citizen's pin is not.
      item["location"] = {{"latitude", m.latitude}, {"longitude", m.longitude}};
    } else if (m.type == "image" || m.type == "audio" || m.type == "sticker") {
      const char* mime = m.type == "image"   ? "image/jpeg"
                         : m.type == "audio" ? "audio/ogg; codecs=opus"
                                             : "image/webp";
      item[m.type] = {{"mime_type", mime},
                      {"sha256", "sim-sha256-" + m.id},
                      {"id", "media-" + m.id}};
      if (m.type == "image" && !m.text.empty()) item[m.type]["caption"] = m.text;
    } else if (m.type == "reaction") {
      item["reaction"] = {{"message_id", "wamid.reacted-" + m.id}, {"emoji", m.text}};
    } else if (m.type == "unsupported") {
      item["errors"] = oj::array({{{"code", 131051},
                                   {"title", "Message type unknown"},
                                   {"message", "Message type unknown"},
                                   {"error_data",
                                    {{"details", "Message type is currently not supported."}}}}});
      item["unsupported"] = {{"type", "poll_creation"}};
    } else {
      throw std::invalid_argument("make_text_message_notification: type '" + m.type +
                                  "' is not simulated");
    }
    items.push_back(std::move(item));
  }
  return meta_dump(envelope(phone_number_id, display_number,
                            {{"contacts", std::move(contacts)}, {"messages", std::move(items)}}));
}

std::string make_status_notification(std::string_view phone_number_id,
                                     std::string_view display_number,
                                     const std::vector<whatsapp::status_update>& statuses) {
  using oj = nlohmann::ordered_json;
  oj items = oj::array();
  for (const auto& s : statuses) {
    oj item = {{"id", s.id},
               {"status", to_string(s.status)},
               {"timestamp", std::to_string(s.timestamp)},
               {"recipient_id", s.recipient_id}};
    if (!s.callback_data.empty()) item["biz_opaque_callback_data"] = s.callback_data;
    if (s.status == whatsapp::delivery_status::sent || s.status == whatsapp::delivery_status::delivered) {
      oj conversation = {{"id", "conv-" + s.id}};
      // Meta states when the 24-hour window closes only on the first status.
      // A timestamp read from a body can be any int64: the window's end
      // stops at the largest one rather than overflowing.
      constexpr std::int64_t window = 24 * 3600;
      if (s.status == whatsapp::delivery_status::sent)
        conversation["expiration_timestamp"] = std::to_string(
            s.timestamp > std::numeric_limits<std::int64_t>::max() - window ? std::numeric_limits<std::int64_t>::max()
                                                                           : s.timestamp + window);
      conversation["origin"] = {{"type", "utility"}};
      item["conversation"] = std::move(conversation);
      item["pricing"] = {{"billable", true}, {"pricing_model", "CBP"}, {"category", "utility"}};
    }
    if (s.status == whatsapp::delivery_status::failed) {
      item["errors"] = oj::array(
          {{{"code", s.error_code},
            {"title", s.error_title},
            {"message", s.error_title},
            {"error_data", {{"details", s.error_title}}},
            {"href", "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}}});
    }
    items.push_back(std::move(item));
  }
  return meta_dump(envelope(phone_number_id, display_number, {{"statuses", std::move(items)}}));
}

}  // namespace banditore::testing

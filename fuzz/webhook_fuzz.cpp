// The body of a POST /webhook/whatsapp, after the signature check: Meta's
// notification format (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components).
// parse_notification must never throw, keep its limits, name paths rather
// than values in its errors, and read back what wa-sim's builders write.
#include "check.hpp"

#include <banditore/domain/utf8.hpp>
#include <banditore/testing/webhook_bodies.hpp>
#include <banditore/whatsapp/signature.hpp>
#include <banditore/whatsapp/webhook.hpp>

#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>

namespace {

using namespace banditore;
using fuzz::require;

// An error names a JSON path and a reason; the figures in it are indices,
// limits and a byte offset, never a number taken from the body.
void check_error(const std::string& error) {
  static const std::regex figures(R"(( at byte | than )[0-9]+)");
  const auto without_figures = std::regex_replace(error, figures, "$1#");
  require(!fuzz::has_digit_run(without_figures, 5), "a parse error quotes no number from the body");
  require(domain::utf8::count_code_points(error).has_value(), "a parse error is valid UTF-8");
}

void check_round_trip(const whatsapp::notification& n) {
  std::vector<testing::simulated_message> texts;
  for (const auto& m : n.messages) {
    if (m.type != whatsapp::message_type::text) continue;
    texts.push_back({m.id, m.from, m.profile_name, "text", m.text, m.timestamp});
  }
  if (!texts.empty()) {
    const auto body = testing::make_text_message_notification("106540352242922", "15550783881", texts);
    const auto again = whatsapp::parse_notification(body);
    require(again.value.has_value(), "a built text notification parses");
    require(again.value->messages.size() == texts.size(), "every built message is read back");
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const auto& m = again.value->messages[i];
      require(m.id == texts[i].id && m.from == texts[i].from && m.text == texts[i].text &&
                  m.timestamp == texts[i].timestamp && m.type == whatsapp::message_type::text,
              "a text message reads back as built");
    }
  }
  if (!n.statuses.empty()) {
    const auto body = testing::make_status_notification("106540352242922", "15550783881", n.statuses);
    const auto again = whatsapp::parse_notification(body);
    require(again.value.has_value(), "a built status notification parses");
    require(again.value->statuses.size() == n.statuses.size(), "every built status is read back");
    for (std::size_t i = 0; i < n.statuses.size(); ++i) {
      const auto& want = n.statuses[i];
      const auto& got = again.value->statuses[i];
      require(got.id == want.id && got.recipient_id == want.recipient_id && got.status == want.status &&
                  got.timestamp == want.timestamp && got.callback_data == want.callback_data,
              "a status reads back as built");
      if (want.status == whatsapp::delivery_status::failed)
        require(got.error_code == want.error_code && got.error_title == want.error_title,
                "a failed status keeps its error code and title");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = fuzz::bytes(data, size);
  whatsapp::parse_limits limits;
  limits.max_messages = 50;
  limits.max_statuses = 50;
  limits.max_text_bytes = 512;
  const auto result = whatsapp::parse_notification(body, limits);
  require(result.value.has_value() != !result.error.empty(), "a result is a value or an error");
  if (!result.value) {
    check_error(result.error);
  } else {
    const auto& n = *result.value;
    require(n.messages.size() <= limits.max_messages, "at most max_messages messages");
    require(n.statuses.size() <= limits.max_statuses, "at most max_statuses statuses");
    for (const auto& m : n.messages) {
      require(!m.id.empty() && !m.from.empty() && !m.phone_number_id.empty(), "message keys are not empty");
      require(m.timestamp >= 0, "a message timestamp is not negative");
      require(m.text.size() <= limits.max_text_bytes, "a message text keeps max_text_bytes");
    }
    for (const auto& s : n.statuses) {
      require(!s.id.empty() && !s.recipient_id.empty(), "status keys are not empty");
      require(s.timestamp >= 0 && s.error_code >= 0, "a status timestamp and error code are not negative");
    }
    check_round_trip(n);
  }

  // The signature covers the raw bytes, whatever they are.
  const auto header = whatsapp::sign_body(body, "app-secret");
  require(whatsapp::verify_signature(body, header, "app-secret") == whatsapp::signature_check::ok,
          "a body verifies against its own signature");
  require(whatsapp::verify_signature(body, header, "other-secret") == whatsapp::signature_check::mismatch,
          "another secret does not verify");
  require(whatsapp::verify_signature("x", body, "app-secret") != whatsapp::signature_check::ok,
          "the body read as a header is no valid signature");
  return 0;
}

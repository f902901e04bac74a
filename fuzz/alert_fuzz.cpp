// A POST /v1/alerts body from the press office: JSON read by nlohmann as
// the route reads it, then validate_alert. A draft keeps WhatsApp's limits
// (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages);
// errors can always be written back as JSON.
#include "check.hpp"

#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/utf8.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto text = fuzz::bytes(data, size);
  // A JSON text followed by a NUL is read up to the NUL by nlohmann; the
  // request path refuses a NUL before parsing (app/alerts_api.cpp).
  if (text.find('\0') != std::string_view::npos) return 0;
  const auto body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded()) return 0;

  constexpr std::int64_t now_ms = 1'790'000'000'000;  // 2026-09-20
  // A town with a template of title and text, as a real deployment has.
  const domain::severity_labels labels;
  const std::string_view town = "Comune di Lodi";
  domain::alert_limits limits;
  limits.text_framing = domain::alert_text_framing(town, labels);
  limits.template_form = true;
  limits.template_params = {"title", "text"};
  limits.template_room = 1024 - 40;
  const auto v = domain::validate_alert(body, limits, now_ms);
  require(v.draft.has_value() == v.errors.empty(), "a validation is a draft or errors");
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : v.errors) {
    require(!e.reason.empty(), "an error has a reason");
    errors.push_back({{"field", e.field}, {"reason", e.reason}});
  }
  (void)errors.dump();  // throws on invalid UTF-8: the 400 answer must be writable

  if (v.draft) {
    const auto& d = *v.draft;
    require(domain::valid_category(d.category), "a draft has a known category");
    const auto title = domain::utf8::count_code_points(d.title);
    require(title && *title >= 1 && *title <= domain::max_title, "a draft title has 1 to max_title characters");
    require(!domain::is_blank(d.text), "a draft text is not blank");
    const domain::alert_content content{town, d.level, d.title, d.text, d.link, now_ms};
    const auto whole = domain::utf8::count_code_points(domain::compose_alert_text(content, labels));
    require(whole && *whole <= domain::max_text_body, "the composed message keeps WhatsApp's 4096");
    std::size_t template_chars = 0;
    for (const auto& p : domain::template_parameters(limits.template_params, content, d.category, labels)) {
      require(domain::valid_template_parameter(p), "every template parameter is one Meta accepts");
      template_chars += domain::utf8::count_code_points(p).value_or(p.size());
    }
    require(template_chars <= limits.template_room, "the template's parameters keep the room of its 1024");
    if (d.expires_at_ms) {
      require(*d.expires_at_ms > now_ms, "a draft expires in the future");
      // What is stored is shown back as RFC 3339: it must read back to the
      // same second.
      const auto shown = domain::format_rfc3339_utc(*d.expires_at_ms);
      const auto again = domain::parse_rfc3339(shown);
      require(again && *again / 1000 == *d.expires_at_ms / 1000, "expires_at reads back from its RFC 3339 form");
    }
  }
  return 0;
}

// A POST /v1/alerts body from the press office: JSON read by nlohmann as
// the route reads it, then validate_alert. A draft keeps WhatsApp's limits
// (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages);
// errors can always be written back as JSON.
#include "check.hpp"

#include <banditore/domain/alert.hpp>
#include <banditore/domain/utf8.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto text = fuzz::bytes(data, size);
  // A JSON text followed by a NUL is read up to the NUL by nlohmann: a
  // known fault of the request path, fixed separately (fuzz/README.md).
  if (text.find('\0') != std::string_view::npos) return 0;
  const auto body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded()) return 0;

  constexpr std::int64_t now_ms = 1'790'000'000'000;  // 2026-09-20
  const domain::alert_limits limits{1024};
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
    const auto body_text = domain::utf8::count_code_points(d.text);
    require(title && *title >= 1 && *title <= domain::max_title, "a draft title has 1 to max_title characters");
    require(body_text && *body_text >= 1 && *body_text <= limits.max_text, "a draft text keeps max_text");
    const auto whole = domain::utf8::count_code_points(domain::compose_text(d.title, d.text));
    require(whole && *whole <= domain::max_text_body, "the composed message keeps WhatsApp's 4096");
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

// A CAP 1.2 document as civil protection pushes it or a feed serves it
// (OASIS CAP 1.2, http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2-os.html),
// through everything it meets before an alert is stored: parse_cap, the
// policy, the WhatsApp rendering and alert_draft_from_cap. A draft made
// from CAP must pass the rules a press office alert passes.
#include "check.hpp"

#include <banditore/cap/message.hpp>
#include <banditore/cap/parse.hpp>
#include <banditore/cap/policy.hpp>
#include <banditore/cap/to_alert.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/utf8.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using namespace banditore;
using fuzz::require;

bool valid(const std::string& s) { return domain::utf8::count_code_points(s).has_value(); }

bool all_text_valid(const cap::cap_alert& a) {
  for (const auto* s : {&a.identifier, &a.sender, &a.note})
    if (!valid(*s)) return false;
  for (const auto& i : a.infos) {
    for (const auto* s : {&i.event, &i.headline, &i.description, &i.instruction, &i.web})
      if (!valid(*s)) return false;
    for (const auto& area : i.areas)
      if (!valid(area.desc)) return false;
  }
  return true;
}

cap::cap_policy milano_policy() {
  cap::cap_policy p;
  p.where.istat_codes = {"015146"};
  p.where.region_codes = {"IT003"};
  p.where.point = cap::geo_point{45.4642, 9.1900};
  return p;
}

void check_draft(const cap::cap_alert& alert, std::size_t index) {
  const cap::draft_options options;
  const auto draft = cap::alert_draft_from_cap(alert, index, options);
  require(domain::valid_category(draft.category), "a CAP draft has a known category");
  require(valid(draft.title) && valid(draft.text), "a CAP draft is valid UTF-8");
  require(cap::code_points(draft.title) <= options.max_title, "a CAP draft title keeps max_title");
  require(cap::code_points(draft.text) <= options.max_text, "a CAP draft text keeps max_text");
  // The same rules as POST /v1/alerts (without expires_at, which may lie in
  // the past for an alert judged at another time).
  const nlohmann::json body = {{"category", draft.category},
                               {"severity", domain::to_string(draft.level)},
                               {"title", draft.title},
                               {"text", draft.text}};
  const auto validation = domain::validate_alert(body, domain::alert_limits{}, 0);
  if (!validation.errors.empty())
    std::fprintf(stderr, "validate_alert: %s %s\n", validation.errors.front().field.c_str(),
                 validation.errors.front().reason.c_str());
  require(validation.errors.empty(), "a CAP draft passes validate_alert");

  // Any limit, however small, is kept.
  for (std::size_t max_chars : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{160}}) {
    const auto text = cap::render_whatsapp_text(alert, index, {max_chars, "Europe/Rome"});
    require(cap::code_points(text) <= max_chars, "the rendered text keeps max_chars");
    require(valid(text), "the rendered text is valid UTF-8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto result = cap::parse_cap(fuzz::bytes(data, size));
  require(result.ok() == result.reason.empty(), "a result is an alert or a reason");
  if (!result.ok()) {
    require(!result.element.empty(), "a refusal names an element");
    return 0;
  }
  const auto& alert = *result.alert;
  require(!alert.identifier.empty() && !alert.sender.empty(), "identifier and sender are required");
  if (alert.msg_type == "Update" || alert.msg_type == "Cancel")
    require(!alert.references.empty(), "an Update or Cancel has references");
  require(all_text_valid(alert), "a document with invalid UTF-8 in its texts is refused");

  const auto policy = milano_policy();
  for (const auto now : {alert.sent.utc, std::chrono::sys_seconds{std::chrono::seconds{1'790'000'000}}}) {
    const auto decision = cap::decide(alert, policy, now);
    require(decision.verdict == cap::cap_verdict::broadcast || !decision.reason.empty(),
            "a verdict other than broadcast says why");
    if (decision.verdict == cap::cap_verdict::broadcast)
      require(decision.info_index < alert.infos.size(), "a broadcast names an existing info");
  }
  for (std::size_t i = 0; i < alert.infos.size() && i < 4; ++i) check_draft(alert, i);
  return 0;
}

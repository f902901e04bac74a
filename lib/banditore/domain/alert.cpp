#include <banditore/domain/alert.hpp>

#include <banditore/domain/media_rules.hpp>

#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/utf8.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace banditore::domain {

std::string_view to_string(severity s) {
  switch (s) {
    case severity::extreme: return "extreme";
    case severity::severe: return "severe";
    case severity::moderate: return "moderate";
    case severity::minor: return "minor";
  }
  return "moderate";
}

std::optional<severity> parse_severity(std::string_view s) {
  for (auto v : {severity::extreme, severity::severe, severity::moderate, severity::minor})
    if (s == to_string(v)) return v;
  return std::nullopt;
}

int priority_of(severity s) {
  switch (s) {
    case severity::extreme: return 10;
    case severity::severe: return 20;
    case severity::moderate: return 30;
    case severity::minor: return 40;
  }
  return 30;
}

bool valid_category(std::string_view c) {
  for (auto known : categories)
    if (c == known) return true;
  return false;
}

namespace {

bool valid_text(const std::string& s) { return utf8::count_code_points(s).has_value(); }

std::size_t length(std::string_view s) { return utf8::count_code_points(s).value_or(s.size()); }

bool blank_code_point(char32_t cp) {
  return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200d) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
         cp == 0x2060 || cp == 0x3000 || cp == 0xfeff || cp == 0x180e;
}

// An https URL on one line: what a phone shows as a link.
bool valid_link(std::string_view s) {
  constexpr std::string_view scheme = "https://";
  if (s.size() <= scheme.size() || s.substr(0, scheme.size()) != scheme) return false;
  const auto host = s.substr(scheme.size(), s.find('/', scheme.size()) - scheme.size());
  if (host.empty() || host.find('.') == std::string_view::npos) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace

void read_text_field(const nlohmann::json& body, const char* name, std::string& into, std::size_t max,
                     bool required, std::vector<field_error>& errors) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) errors.push_back({name, "is required"});
    return;
  }
  if (!it->is_string()) {
    errors.push_back({name, "must be a string"});
    return;
  }
  into = it->get<std::string>();
  auto n = utf8::count_code_points(into);
  if (!n) errors.push_back({name, "is not valid UTF-8"});
  else if (required && is_blank(into)) errors.push_back({name, "must not be blank"});
  else if (*n > max)
    errors.push_back({name, "is " + std::to_string(*n) + " characters; at most " + std::to_string(max) +
                                " are allowed"});
}

alert_validation validate_alert(const nlohmann::json& body, const alert_limits& limits, std::int64_t now_ms) {
  alert_validation out;
  auto& errors = out.errors;
  if (!body.is_object()) {
    errors.push_back({"", "the body must be a JSON object"});
    return out;
  }
  static const std::vector<std::string> known = {"category", "severity", "title", "text", "link", "expires_at",
                                                 "allow_duplicate", "draft_id", "updates", "public", "media", "send_at",
                                                 "towns", "topics", "areas"};
  for (auto it = body.begin(); it != body.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end())
      errors.push_back({it.key(), "unknown field"});

  alert_draft d;
  auto text_field = [&](const char* name, std::string& into, std::size_t max, bool required) {
    read_text_field(body, name, into, max, required, errors);
  };

  text_field("category", d.category, 64, true);
  if (!d.category.empty() && valid_text(d.category) && !valid_category(d.category))
    errors.push_back({"category", "must be one of water, roads, weather, civil_protection, health, other"});
  std::string sev;
  text_field("severity", sev, 32, true);
  if (!sev.empty()) {
    if (auto s = parse_severity(sev)) d.level = *s;
    else errors.push_back({"severity", "must be one of extreme, severe, moderate, minor"});
  }
  text_field("title", d.title, max_title, true);
  text_field("text", d.text, max_text_body, true);
  text_field("link", d.link, max_link, false);
  if (!d.link.empty() && valid_text(d.link) && !valid_link(d.link))
    errors.push_back({"link", "must be an https URL without spaces, e.g. https://www.comune.example.it/avvisi/12"});
  if (auto it = body.find("allow_duplicate"); it != body.end()) {
    if (!it->is_boolean()) errors.push_back({"allow_duplicate", "must be true or false"});
    else out.allow_duplicate = it->get<bool>();
  }
  if (auto it = body.find("draft_id"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0)
      errors.push_back({"draft_id", "must be the id of a draft, a positive integer"});
    else out.draft_id = it->get<std::int64_t>();
  }
  if (auto it = body.find("updates"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0)
      errors.push_back({"updates", "must be the id of an earlier alert, a positive integer"});
    else out.updates = it->get<std::int64_t>();
  }
  if (auto it = body.find("media"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0)
      errors.push_back({"media", "must be the id of an attachment from POST /v1/media, a positive integer"});
    else out.media_id = it->get<std::int64_t>();
  }
  if (auto it = body.find("public"); it != body.end()) {
    if (!it->is_boolean()) errors.push_back({"public", "must be true or false"});
    else out.publish = it->get<bool>();
  }
  if (errors.empty()) {
    // Free text: the title, text and link inside the alert's frame.
    const auto whole = limits.text_framing + length(d.title) + length(d.text) + length(d.link);
    if (whole > max_text_body)
      errors.push_back({"text", "is too long: with the title, link and the alert's frame the message would be " +
                                    std::to_string(whole) + " characters, and WhatsApp's text messages hold " +
                                    std::to_string(max_text_body)});
    // With an attachment the message is the caption of an image or a
    // document, which WhatsApp cuts at 1024 characters.
    else if (out.media_id && whole > max_media_caption)
      errors.push_back({"text", "is too long for an alert with an attachment: with the title, link and the "
                                "alert's frame the caption would be " + std::to_string(whole) +
                                " characters, and WhatsApp's captions hold " + std::to_string(max_media_caption)});
  }
  if (errors.empty() && limits.template_form) {
    // The template: title and text become parameters, folded to one line.
    std::size_t used = 0;
    for (const auto& p : limits.template_params) {
      if (p == "title") used += length(fold_template_parameter(d.title, SIZE_MAX));
      if (p == "text") used += length(fold_template_parameter(d.text, SIZE_MAX));
    }
    if (used > limits.template_room)
      errors.push_back({"text", "is too long for the template that carries alerts outside WhatsApp's 24-hour window: "
                                "the title and text take " + std::to_string(used) + " characters, and the template "
                                "leaves them " + std::to_string(limits.template_room) + " of WhatsApp's 1024"});
  }
  std::string expires;
  text_field("expires_at", expires, 64, false);
  if (!expires.empty()) {
    auto t = parse_rfc3339(expires);
    if (!t) errors.push_back({"expires_at", "must be an RFC 3339 time with an offset, e.g. 2026-11-24T18:00:00+01:00"});
    else if (*t <= now_ms) errors.push_back({"expires_at", "is already in the past"});
    else d.expires_at_ms = *t;
  }
  std::string send_at;
  text_field("send_at", send_at, 64, false);
  if (!send_at.empty()) {
    auto t = parse_rfc3339(send_at);
    if (!t) errors.push_back({"send_at", "must be an RFC 3339 time with an offset, e.g. 2026-11-24T18:00:00+01:00"});
    else if (*t <= now_ms) errors.push_back({"send_at", "is already in the past: leave it out to send at once"});
    else if (*t - now_ms > max_schedule_ahead_ms) errors.push_back({"send_at", "is more than a year ahead"});
    else if (d.expires_at_ms && *d.expires_at_ms <= *t) errors.push_back({"send_at", "is not before expires_at"});
    else out.send_at_ms = *t;
  }
  if (errors.empty()) out.draft = std::move(d);
  return out;
}

bool is_blank(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp = 0;
    if (!utf8::next_code_point(text, pos, cp) || !blank_code_point(cp)) return false;
  }
  return true;
}

}  // namespace banditore::domain

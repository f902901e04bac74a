#include <banditore/cap/to_alert.hpp>

#include <chrono>
#include <limits>

namespace banditore::cap {

namespace {

constexpr std::string_view ellipsis = "…";

std::string_view category_of(std::string_view c) {
  if (c == "Met") return "weather";
  if (c == "Geo" || c == "Safety" || c == "Security" || c == "Rescue" || c == "Fire" || c == "CBRNE" ||
      c == "Env")
    return "civil_protection";
  if (c == "Health") return "health";
  if (c == "Transport") return "roads";
  return "other";  // Infra, Other
}

std::string without_asterisks(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '*') out.push_back(c);
  return out;
}

std::string cut_hard(std::string_view s, std::size_t max) {
  if (code_points(s) <= max) return std::string(s);
  if (max == 0) return {};
  return std::string(prefix_code_points(s, max - 1)) + std::string(ellipsis);
}

}  // namespace

std::string_view alert_category(const std::vector<std::string>& cap_categories) {
  for (const auto& c : cap_categories)
    if (auto mapped = category_of(c); mapped != "other") return mapped;
  return "other";
}

domain::severity alert_severity(std::string_view s) {
  if (s == "Extreme") return domain::severity::extreme;
  if (s == "Severe") return domain::severity::severe;
  if (s == "Minor") return domain::severity::minor;
  return domain::severity::moderate;  // Moderate, Unknown
}

domain::alert_draft alert_draft_from_cap(const cap_alert& alert, std::size_t info_index,
                                         const draft_options& options) {
  const auto& info = alert.infos.at(info_index);
  // The first line is the title; render once unbounded to learn its length,
  // then again with room for it plus the text limit, so only the text is
  // shortened.
  auto render = options.render;
  render.max_chars = std::numeric_limits<std::size_t>::max() / 2;
  const auto full = render_whatsapp_text(alert, info_index, render);
  const auto title_line = std::string_view(full).substr(0, full.find('\n'));
  render.max_chars = options.max_text + code_points(title_line) + 1;
  const auto bounded = render_whatsapp_text(alert, info_index, render);

  domain::alert_draft d;
  d.category = std::string(alert_category(info.categories));
  d.level = alert_severity(info.severity);
  d.title = cut_hard(without_asterisks(title_line), options.max_title);
  auto newline = bounded.find('\n');
  std::string text = newline == std::string::npos ? std::string() : bounded.substr(newline + 1);
  text.erase(0, text.find_first_not_of('\n'));  // no areas and no validity: a blank line follows the title
  if (text.empty()) text = info.event;  // nothing but a headline: say what it is
  d.text = cut_hard(text, options.max_text);
  if (info.expires) {
    using namespace std::chrono;
    d.expires_at_ms = duration_cast<milliseconds>(info.expires->utc.time_since_epoch()).count();
  }
  return d;
}

}  // namespace banditore::cap

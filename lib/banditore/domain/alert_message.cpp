#include <banditore/domain/alert_message.hpp>

#include <banditore/domain/local_time.hpp>
#include <banditore/domain/utf8.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace banditore::domain {

const severity_label& severity_labels::of(severity s) const {
  switch (s) {
    case severity::extreme: return extreme;
    case severity::severe: return severe;
    case severity::moderate: return moderate;
    case severity::minor: return minor;
  }
  return moderate;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::size_t length(std::string_view s) { return utf8::count_code_points(s).value_or(s.size()); }

bool starts_with_word(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return text.size() == prefix.size() || text[prefix.size()] == ' ';
}

}  // namespace

severity_labels parse_severity_labels(std::string_view text) {
  severity_labels out;
  while (!text.empty()) {
    const auto semicolon = text.find(';');
    const auto item = trim(text.substr(0, semicolon));
    text = semicolon == std::string_view::npos ? std::string_view{} : text.substr(semicolon + 1);
    if (item.empty()) continue;
    const auto equals = item.find('=');
    if (equals == std::string_view::npos)
      throw std::invalid_argument("each label reads level=SYMBOL WORDS, e.g. extreme=🔴 ALLERTA ROSSA");
    const auto level = parse_severity(trim(item.substr(0, equals)));
    if (!level) throw std::invalid_argument("the levels are extreme, severe, moderate and minor");
    const auto value = trim(item.substr(equals + 1));
    const auto space = value.find(' ');
    if (space == std::string_view::npos || !utf8::count_code_points(value))
      throw std::invalid_argument("each label needs a symbol and a word, e.g. extreme=🔴 ALLERTA ROSSA");
    const auto word = trim(value.substr(space + 1));
    if (length(value) > 40) throw std::invalid_argument("a label holds at most 40 characters");
    for (char c : value)
      if (static_cast<unsigned char>(c) < 0x20) throw std::invalid_argument("a label is one line");
    auto& label = *level == severity::extreme ? out.extreme
                  : *level == severity::severe ? out.severe
                  : *level == severity::moderate ? out.moderate
                                                 : out.minor;
    label = {std::string(value.substr(0, space)), std::string(word)};
  }
  return out;
}

std::string town_label(std::string_view town) {
  town = trim(town);
  if (town.empty()) return {};
  // What a municipality or a union of them calls itself in Italian.
  static constexpr std::string_view already_named[] = {"comune", "città", "citta", "unione", "municipio",
                                                       "comunità", "comunita", "provincia", "regione"};
  // "COMUNE DI Lodi" or "comune di Lodi" reads as the replies write it.
  if (starts_with_word(town, "comune di")) return "Comune di " + std::string(trim(town.substr(9)));
  for (auto prefix : already_named)
    if (starts_with_word(town, prefix)) return std::string(town);
  return "Comune di " + std::string(town);
}

std::string rome_time_text(std::int64_t unix_ms) {
  // "24/11/2026 15:04" from the system's time-zone database, said as a
  // sentence says it.
  auto text = format_local_ms(default_time_zone, unix_ms);
  if (auto space = text.find(' '); space != std::string::npos) text.insert(space, " alle");
  return text;
}

std::string compose_alert_text(const alert_content& a, const severity_labels& labels) {
  const auto& label = labels.of(a.level);
  const auto from = town_label(a.town);
  std::string out;
  out.reserve(a.title.size() + a.text.size() + a.link.size() + 160);
  out.append(label.symbol).append(" *").append(label.word).append("*");
  if (!from.empty()) out.append(" · ").append(from);
  out.append("\n_Emesso il ").append(rome_time_text(a.issued_at_ms)).append("_\n\n");
  out.append("*").append(a.title).append("*\n").append(a.text);
  if (!a.link.empty()) out.append("\n\n").append(a.link);
  out.append("\n\n").append(stop_line);
  return out;
}

std::string alert_free_text(alert_content a, std::string_view deployment_town, const severity_labels& labels) {
  if (a.town.empty()) a.town = deployment_town;
  auto text = compose_alert_text(a, labels);
  if (a.town != deployment_town && utf8::count_code_points(text).value_or(SIZE_MAX) > max_text_body) {
    a.town = deployment_town;
    text = compose_alert_text(a, labels);
  }
  return text;
}

std::size_t alert_text_framing(std::string_view town, const severity_labels& labels) {
  std::size_t most = 0;
  for (auto s : {severity::extreme, severity::severe, severity::moderate, severity::minor}) {
    alert_content a;
    a.town = town;
    a.level = s;
    a.link = " ";  // counts the link's separator; its own length is the link's
    most = std::max(most, length(compose_alert_text(a, labels)) - 1);
  }
  return most;
}

bool valid_template_parameter(std::string_view text) {
  if (!utf8::count_code_points(text)) return false;
  int spaces = 0;
  bool visible = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') return false;
    if (c == ' ') {
      if (++spaces > 4) return false;
    } else {
      spaces = 0;
      visible = true;
    }
  }
  return visible;
}

std::string fold_template_parameter(std::string_view text, std::size_t max_chars) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0, chars = 0;
  int line_breaks = 0;       // in the run of white space before the next character
  bool in_space = false;
  bool cut = false;
  while (pos < text.size()) {
    char32_t cp = 0;
    if (!utf8::next_code_point(text, pos, cp)) continue;  // a stray byte says nothing
    if (cp == '\n' || cp == 0x2028 || cp == 0x0b || cp == 0x0c || cp == 0x85) {
      ++line_breaks;
      in_space = true;
      continue;
    }
    if (cp == '\r') {
      if (pos >= text.size() || text[pos] != '\n') ++line_breaks;  // a lone CR ends a line too
      in_space = true;
      continue;
    }
    if (cp == 0x2029) {
      line_breaks += 2;
      in_space = true;
      continue;
    }
    if (cp == ' ' || cp == '\t' || cp == 0xa0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) {
      // A blank line between two lines parts paragraphs.
      const std::string_view gap = line_breaks >= 2 ? " — " : " ";
      if (chars + length(gap) + 1 > max_chars) {
        cut = true;
        break;
      }
      out.append(gap);
      chars += length(gap);
    }
    in_space = false;
    line_breaks = 0;
    if (chars + 1 > max_chars) {
      cut = true;
      break;
    }
    utf8::append(out, cp);
    ++chars;
  }
  if (cut) {
    // Room for the ellipsis: drop the last character, then any space
    // or separator left at the end.
    while (chars + 1 > max_chars && !out.empty()) {
      std::size_t back = out.size() - 1;
      while (back > 0 && (static_cast<unsigned char>(out[back]) & 0xC0) == 0x80) --back;
      out.resize(back);
      --chars;
    }
    while (!out.empty() && (out.back() == ' ' || out.ends_with("—"))) {
      if (out.back() == ' ') out.pop_back();
      else out.resize(out.size() - std::string_view("—").size());
    }
    out.append("…");
  }
  if (out.empty()) out = "—";
  return out;
}

bool known_template_parameter(std::string_view name) {
  return std::find(std::begin(template_parameter_names), std::end(template_parameter_names), name) !=
         std::end(template_parameter_names);
}

std::vector<std::string> template_parameters(const std::vector<std::string>& names, const alert_content& a,
                                             std::string_view category, const severity_labels& labels) {
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const auto& name : names) {
    std::string value;
    if (name == "title") value = a.title;
    else if (name == "text") value = a.text;
    else if (name == "category") value = category;
    else if (name == "severity") value = labels.of(a.level).symbol + " " + labels.of(a.level).word;
    else if (name == "town") value = town_label(a.town);
    else if (name == "time") value = rome_time_text(a.issued_at_ms);
    else if (name == "link") value = a.link;
    out.push_back(fold_template_parameter(value));
  }
  return out;
}

std::size_t template_parameter_overhead(const std::vector<std::string>& names, std::string_view town,
                                        const severity_labels& labels) {
  std::size_t n = 0;
  for (const auto& name : names) {
    if (name == "category") {
      std::size_t longest = 0;
      for (auto c : categories) longest = std::max(longest, c.size());
      n += longest;
    } else if (name == "severity") {
      std::size_t longest = 0;
      for (auto s : {severity::extreme, severity::severe, severity::moderate, severity::minor})
        longest = std::max(longest, length(labels.of(s).symbol) + 1 + length(labels.of(s).word));
      n += longest;
    } else if (name == "town") {
      n += std::max<std::size_t>(1, length(town_label(town)));
    } else if (name == "time") {
      n += length("24/11/2026 alle 18:05");
    } else if (name == "link") {
      n += max_link;
    }
  }
  return n;
}

}  // namespace banditore::domain

#include <banditore/domain/message_model.hpp>

#include <banditore/domain/alert.hpp>
#include <banditore/domain/utf8.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <tuple>

namespace banditore::domain {
namespace {

// Start and length of the next blank at or after pos, or npos.
std::pair<std::size_t, std::size_t> next_blank(std::string_view text, std::size_t pos) {
  const auto start = text.find(blank_marker, pos);
  if (start == std::string_view::npos) return {start, 0};
  auto end = start;
  while (end < text.size() && text[end] == '_') ++end;
  return {start, end - start};
}

}  // namespace

std::size_t count_blanks(std::string_view text) {
  std::size_t n = 0;
  for (auto [start, len] = next_blank(text, 0); start != std::string_view::npos;
       std::tie(start, len) = next_blank(text, start + len))
    ++n;
  return n;
}

filled_model fill_blanks(std::string_view model, const std::vector<std::string>& values) {
  filled_model out;
  const auto blanks = count_blanks(model);
  if (values.size() != blanks) {
    out.reason = "il modello ha " + std::to_string(blanks) + " spazi da compilare, ne sono stati dati " +
                 std::to_string(values.size());
    return out;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (is_blank(values[i])) {
      out.reason = "lo spazio " + std::to_string(i + 1) + " è vuoto";
      return out;
    }
    if (has_blank(values[i])) {
      out.reason = "lo spazio " + std::to_string(i + 1) + " contiene ancora ___";
      return out;
    }
  }
  std::string text;
  std::size_t pos = 0, i = 0;
  for (auto [start, len] = next_blank(model, 0); start != std::string_view::npos;
       std::tie(start, len) = next_blank(model, pos)) {
    text.append(model.substr(pos, start - pos)).append(values[i++]);
    pos = start + len;
  }
  text.append(model.substr(pos));
  out.text = std::move(text);
  return out;
}

model_validation validate_model(const nlohmann::json& body) {
  model_validation out;
  auto& errors = out.errors;
  if (!body.is_object()) {
    errors.push_back({"", "the body must be a JSON object"});
    return out;
  }
  static const std::vector<std::string> known = {"name", "text", "category", "severity"};
  for (auto it = body.begin(); it != body.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end())
      errors.push_back({it.key(), "unknown field"});
  model_fields m;
  auto text_field = [&](const char* name, std::string& into, std::size_t max, bool required) {
    read_text_field(body, name, into, max, required, errors);
  };
  text_field("name", m.name, max_model_name, true);
  if (m.name.find_first_of("\r\n") != std::string::npos) errors.push_back({"name", "must be one line"});
  text_field("text", m.text, max_text_body, true);
  text_field("category", m.category, 64, false);
  if (!valid_category(m.category))
    errors.push_back({"category", "must be one of water, roads, weather, civil_protection, health, other"});
  text_field("severity", m.severity, 32, false);
  if (!parse_severity(m.severity))
    errors.push_back({"severity", "must be one of extreme, severe, moderate, minor"});
  if (errors.empty()) out.model = std::move(m);
  return out;
}

fill_values read_fill_values(const nlohmann::json& body) {
  fill_values out;
  if (!body.is_object()) {
    out.errors.push_back({"", "the body must be a JSON object"});
    return out;
  }
  for (auto it = body.begin(); it != body.end(); ++it)
    if (it.key() != "values") out.errors.push_back({it.key(), "unknown field"});
  auto it = body.find("values");
  if (it == body.end() || !it->is_array()) {
    out.errors.push_back({"values", "must be an array of strings, one for each blank in order"});
    return out;
  }
  std::vector<std::string> values;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& v = (*it)[i];
    const std::string field = "values[" + std::to_string(i) + "]";
    if (!v.is_string()) out.errors.push_back({field, "must be a string"});
    else if (!utf8::count_code_points(v.get_ref<const std::string&>())) out.errors.push_back({field, "is not valid UTF-8"});
    else values.push_back(v.get<std::string>());
  }
  if (out.errors.empty()) out.values = std::move(values);
  return out;
}

}  // namespace banditore::domain

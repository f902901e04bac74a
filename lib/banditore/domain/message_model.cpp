#include <banditore/domain/message_model.hpp>

#include <banditore/domain/alert.hpp>

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

}  // namespace banditore::domain

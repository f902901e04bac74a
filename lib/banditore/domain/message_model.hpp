// Message models: an alert's usual words with blanks, "Interruzione idrica
// in via ___ dalle ___ alle ___", that the press office fills in order. A
// blank is three or more underscores in a row; a draft that still holds one
// is not sent.
#pragma once

#include <banditore/domain/alert.hpp>

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

inline constexpr std::string_view blank_marker = "___";
inline constexpr std::size_t max_model_name = 80;

// The number of blanks in text (each run of three or more underscores).
std::size_t count_blanks(std::string_view text);

// Whether a text still holds a blank.
inline bool has_blank(std::string_view text) { return count_blanks(text) > 0; }

struct filled_model {
  std::optional<std::string> text;  // none when refused
  std::string reason;               // Italian, for staff: why it was refused
};

// The model's blanks replaced by values, in order. Refused when the values
// are not as many as the blanks, when a value is blank after trimming, or
// when a value itself holds a blank (the draft would still hold "___").
filled_model fill_blanks(std::string_view model, const std::vector<std::string>& values);

// A model as staff write it: its name (unique, what the console lists),
// the text with blanks, and the category and severity its drafts take.
struct model_fields {
  std::string name;
  std::string text;
  std::string category = "other";
  std::string severity = "minor";
};

struct model_validation {
  std::optional<model_fields> model;  // none when errors is not empty
  std::vector<field_error> errors;
};

// A POST or PUT /v1/models body: "name" (at most max_model_name
// characters, one line) and "text" (at most max_text_body) required, not
// blank; "category" and "severity" as an alert's, "other" and "minor" when
// absent. Unknown fields are refused, as for alerts.
model_validation validate_model(const nlohmann::json& body);

struct fill_values {
  std::optional<std::vector<std::string>> values;  // none when errors is not empty
  std::vector<field_error> errors;
};

// A POST /v1/models/{id}/fill body: {"values": ["via Roma", "9", "13"]},
// strings of valid UTF-8, one for each blank in order.
fill_values read_fill_values(const nlohmann::json& body);

}  // namespace banditore::domain

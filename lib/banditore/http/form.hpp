// An HTML form as a browser posts it (application/x-www-form-urlencoded,
// WHATWG URL standard section 5.1): name=value pairs joined by '&', '+'
// for a space, %XX escapes. The console's forms are read with it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace banditore::http {

inline constexpr std::size_t max_form_fields = 200;

struct form {
  std::vector<std::pair<std::string, std::string>> fields;  // in the order sent

  // The first value of name; empty when absent.
  std::string get(std::string_view name) const;
  bool has(std::string_view name) const;
  // Every value of name (a multiple select, checkboxes of one name).
  std::vector<std::string> all(std::string_view name) const;
};

// nullopt for a malformed escape or more than max_form_fields fields; an
// empty body is an empty form. A pair without '=' is a name with an empty
// value, as browsers read it; empty pairs ("a=1&&b=2") are skipped.
std::optional<form> parse_form(std::string_view body);

}  // namespace banditore::http

// Structured logging: one JSON object per line on stderr with time, level,
// event and fields. Never pass a phone number, token or secret as a field:
// use crypto::phone_tag for numbers.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace banditore::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

// Parses "debug", "info", "warn", "error", "off"; throws std::invalid_argument.
level parse_level(std::string_view);
void set_level(level);
bool enabled(level);

// Redirects output (tests); nullptr restores stderr. Not thread-safe against
// concurrent logging: call at start-up.
void set_sink(void (*sink)(std::string_view line));

void write(level, std::string_view event, const nlohmann::json& fields);
void write(level, std::string_view event);

// One field of a line written by line(): a name and a string, a whole
// number, a decimal or a truth value, referred to, not copied.
struct field {
  template <class T>
  field(std::string_view n, const T& v) : name(n), value(convert(v)) {}
  std::string_view name;
  std::variant<std::string_view, std::int64_t, double, bool> value;

 private:
  template <class T>
  static std::variant<std::string_view, std::int64_t, double, bool> convert(const T& v) {
    if constexpr (std::is_same_v<T, bool>) return v;
    else if constexpr (std::is_integral_v<T>) return static_cast<std::int64_t>(v);
    else if constexpr (std::is_floating_point_v<T>) return static_cast<double>(v);
    else return std::string_view(v);
  }
};

// The same line as write(level, event, fields) with the fields given as a
// list instead of a JSON object: no object is built, for the lines written
// for every request (the access log, each webhook message).
void line(level, std::string_view event, std::initializer_list<field> fields);

void debug(std::string_view event, const nlohmann::json& fields);
void info(std::string_view event, const nlohmann::json& fields);
void warn(std::string_view event, const nlohmann::json& fields);
void error(std::string_view event, const nlohmann::json& fields);

}  // namespace banditore::log

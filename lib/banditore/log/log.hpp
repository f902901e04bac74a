// Structured logging: one JSON object per line on stderr with time, level,
// event and fields. Never pass a phone number, token or secret as a field:
// use crypto::phone_tag for numbers.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <utility>
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

void debug(std::string_view event, const nlohmann::json& fields);
void info(std::string_view event, const nlohmann::json& fields);
void warn(std::string_view event, const nlohmann::json& fields);
void error(std::string_view event, const nlohmann::json& fields);

}  // namespace banditore::log

// An alert as the press office or civil protection gives it: what it is
// about, how severe, and the words citizens read. Validation names the field
// and the reason; the limits are WhatsApp's.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

// Severity follows CAP's scale. It orders the outbox: a more severe alert
// overtakes a less severe one in progress, and only "minor" alerts may be
// held during quiet hours.
enum class severity { extreme, severe, moderate, minor };

std::string_view to_string(severity);
std::optional<severity> parse_severity(std::string_view);

// Outbox priority (lower goes first; citizens' replies are 0).
int priority_of(severity);

inline constexpr std::string_view categories[] = {"water", "roads", "weather", "civil_protection", "health", "other"};
bool valid_category(std::string_view);

// WhatsApp: a text body holds at most 4096 characters; a template's body
// (fixed text and parameters together) at most 1024.
inline constexpr std::size_t max_text_body = 4096;
inline constexpr std::size_t max_title = 120;

struct alert_draft {
  std::string category;
  severity level = severity::moderate;
  std::string title;
  std::string text;
  std::optional<std::int64_t> expires_at_ms;
};

struct field_error {
  std::string field;
  std::string reason;
};

struct alert_validation {
  std::optional<alert_draft> draft;
  std::vector<field_error> errors;
};

struct alert_limits {
  // Longest text accepted; when deliveries may go as a template, the
  // template's parameter limit is the binding one.
  std::size_t max_text = 1024;
};

// Reads a POST /v1/alerts body. expires_at is RFC 3339 with an offset
// ("2026-11-24T18:00:00+01:00" or "...Z"); it must lie in the future.
alert_validation validate_alert(const nlohmann::json& body, const alert_limits& limits, std::int64_t now_ms);

// RFC 3339 timestamp with explicit offset -> Unix milliseconds.
std::optional<std::int64_t> parse_rfc3339(std::string_view);
std::string format_rfc3339_utc(std::int64_t unix_ms);

// The WhatsApp text a subscriber receives when it can go as free text.
std::string compose_text(std::string_view title, std::string_view text);

}  // namespace banditore::domain

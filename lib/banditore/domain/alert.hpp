// An alert as the press office or civil protection gives it: what it is
// about, how severe, and the words citizens read. Validation names the field
// and the reason; the limits are WhatsApp's.
#pragma once

// expires_at is read, and alert times are shown, as RFC 3339.
#include <banditore/domain/rfc3339.hpp>

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

// WhatsApp: a text body holds at most 4096 characters
// (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages ,
// text object, "body": maximum 4096 characters); a template's body (fixed
// text and parameters together) at most 1024.
inline constexpr std::size_t max_text_body = 4096;
inline constexpr std::size_t max_title = 120;
// A link to the town's page on the alert: https only, one line.
inline constexpr std::size_t max_link = 300;

struct alert_draft {
  std::string category;
  severity level = severity::moderate;
  std::string title;
  std::string text;
  std::string link;  // empty: none
  std::optional<std::int64_t> expires_at_ms;
};

struct field_error {
  std::string field;
  std::string reason;
};

// Reads body[name], a text of at most max code points, into into. Absent
// or null is an error only when required; a required text must not be
// blank. Each error names the field.
void read_text_field(const nlohmann::json& body, const char* name, std::string& into, std::size_t max,
                     bool required, std::vector<field_error>& errors);

struct alert_validation {
  std::optional<alert_draft> draft;
  std::vector<field_error> errors;
  // "allow_duplicate": true sends an alert even when the same one was
  // sent moments ago (a deliberate repeat, not a double click).
  bool allow_duplicate = false;
  // "draft_id": the draft this alert is made from (store/drafts.hpp).
  std::optional<std::int64_t> draft_id;
  // "updates": the earlier alert this one replaces.
  std::optional<std::int64_t> updates;
  // "media": the id of an attachment stored with POST /v1/media
  // (store/media.hpp); the alert's free text is then its caption.
  std::optional<std::int64_t> media_id;
  // "public": false keeps the alert off the public pages and feeds
  // ("non pubblicare"); it is sent all the same.
  bool publish = true;
  // "send_at": when it leaves, later than now (RFC 3339 with an offset,
  // kept as UTC ms); absent: at once. The alert waits as "scheduled".
  std::optional<std::int64_t> send_at_ms;
};

// How far ahead an alert may be scheduled: a year.
inline constexpr std::int64_t max_schedule_ahead_ms = 366LL * 24 * 3600 * 1000;

// What an alert must fit in the forms it may take on the phone.
struct alert_limits {
  // Free text: the characters the message adds around the title, text and
  // link (alert_text_framing); all together at most max_text_body.
  std::size_t text_framing = 0;
  // When deliveries may go as the template: its body parameters, and the
  // characters of the 1024 that its fixed text and the other parameters
  // leave to the title and the text, as folded.
  bool template_form = false;
  std::vector<std::string> template_params;
  std::size_t template_room = 1024;
};

// Reads a POST /v1/alerts body. expires_at is RFC 3339 with an offset
// ("2026-11-24T18:00:00+01:00" or "...Z"); it must lie in the future.
// send_at likewise, at most max_schedule_ahead_ms ahead and before
// expires_at.
// A title or text blank after trimming, or too long for a form the alert
// may take, is an error: nothing broken reaches citizens.
alert_validation validate_alert(const nlohmann::json& body, const alert_limits& limits, std::int64_t now_ms);

// Whether text holds nothing but white space (of any script).
bool is_blank(std::string_view text);

}  // namespace banditore::domain

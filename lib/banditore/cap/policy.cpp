#include <banditore/cap/policy.hpp>

#include <banditore/cap/xml_util.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace banditore::cap {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Italian feeds name the municipality code in several ways.
bool is_istat_name(std::string_view name) {
  constexpr std::array names = {"ISTAT", "istat_code", "ISTAT_COMUNE", "codice_istat", "ISTAT_CODE"};
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return iequals(n, name); });
}

// Some systems write ISTAT codes as numbers ("15146"); the code is six
// digits with leading zeros ("015146").
std::string normalised_istat(std::string_view code) {
  code = trim(code);
  bool digits = !code.empty() && std::all_of(code.begin(), code.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  if (digits && code.size() < 6) return std::string(6 - code.size(), '0') + std::string(code);
  return std::string(code);
}

int severity_rank(std::string_view s) {
  constexpr std::array order = {"Unknown", "Minor", "Moderate", "Severe", "Extreme"};
  for (std::size_t i = 0; i < order.size(); ++i)
    if (s == order[i]) return int(i);
  return -1;
}

int certainty_rank(std::string_view s) {
  constexpr std::array order = {"Unknown", "Unlikely", "Possible", "Likely", "Observed"};
  for (std::size_t i = 0; i < order.size(); ++i)
    if (s == order[i]) return int(i);
  return -1;
}

bool language_matches(std::string_view wanted, std::string_view info_language) {
  if (info_language.empty()) info_language = "en-US";
  if (iequals(wanted, info_language)) return true;
  return info_language.size() > wanted.size() && info_language[wanted.size()] == '-' &&
         iequals(wanted, info_language.substr(0, wanted.size()));
}

// How far an info got; a higher stage is a more telling reason to report.
struct info_outcome {
  int stage = 0;
  cap_verdict verdict = cap_verdict::outside_territory;
  std::string reason;
};

std::optional<std::string> threshold_failure(const cap_info& info, const cap_policy& policy) {
  if (policy.min_awareness_level) {
    if (auto level = awareness_level(info)) {
      if (*level < *policy.min_awareness_level)
        return fmt::format("awareness level {} is below {}", *level, *policy.min_awareness_level);
      return std::nullopt;
    }
  }
  if (severity_rank(info.severity) < severity_rank(policy.min_severity))
    return fmt::format("severity {} is below {}", info.severity, policy.min_severity);
  if (!policy.urgencies.contains(info.urgency))
    return fmt::format("urgency {} is not broadcast", info.urgency);
  if (certainty_rank(info.certainty) < certainty_rank(policy.min_certainty))
    return fmt::format("certainty {} is below {}", info.certainty, policy.min_certainty);
  return std::nullopt;
}

info_outcome judge(const cap_alert& alert, const cap_info& info, const cap_policy& policy,
                   std::chrono::sys_seconds now) {
  if (!in_territory(info, policy.where))
    return {0, cap_verdict::outside_territory,
            policy.where.istat_codes.empty() && policy.where.region_codes.empty() && !policy.where.point
                ? "no territory is configured, so no area can match"
                : "no area is in the configured territory"};
  if (info.expires && info.expires->utc <= now)
    return {1, cap_verdict::expired, fmt::format("expired at {}", info.expires->text)};
  if (alert.msg_type != "Cancel")
    if (auto why = threshold_failure(info, policy)) return {2, cap_verdict::below_threshold, *why};
  return {3, cap_verdict::broadcast, {}};
}

}  // namespace

const char* to_string(cap_verdict v) {
  switch (v) {
    case cap_verdict::broadcast: return "broadcast";
    case cap_verdict::record_only: return "record_only";
    case cap_verdict::outside_territory: return "outside_territory";
    case cap_verdict::below_threshold: return "below_threshold";
    case cap_verdict::not_public: return "not_public";
    case cap_verdict::expired: return "expired";
    case cap_verdict::not_alert: return "not_alert";
  }
  return "unknown";
}

std::optional<int> awareness_level(const cap_info& info) {
  for (const auto& [name, value] : info.parameters) {
    if (!iequals(name, "awareness_level")) continue;
    auto v = trim(value);
    int level = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), level);
    // "3; orange; Severe": the number, then ';' or the end.
    if (ec != std::errc{} || (end != v.data() + v.size() && *end != ';')) return std::nullopt;
    return level;
  }
  return std::nullopt;
}

bool in_territory(const cap_info& info, const territory& where) {
  for (const auto& area : info.areas) {
    for (const auto& [name, value] : area.geocodes) {
      if (is_istat_name(name)) {
        auto code = normalised_istat(value);
        for (const auto& mine : where.istat_codes)
          if (normalised_istat(mine) == code) return true;
      } else if (iequals(name, "EMMA_ID")) {
        for (const auto& mine : where.region_codes)
          if (iequals(trim(mine), trim(value))) return true;
      }
    }
    if (where.point) {
      for (const auto& ring : area.polygons)
        if (polygon_contains(ring, *where.point)) return true;
      for (const auto& circle : area.circles)
        if (circle_contains(circle, *where.point)) return true;
    }
  }
  return false;
}

cap_decision decide(const cap_alert& alert, const cap_policy& policy, std::chrono::sys_seconds now) {
  if (severity_rank(policy.min_severity) < 0)
    throw std::invalid_argument("cap policy: unknown min_severity \"" + policy.min_severity + "\"");
  if (certainty_rank(policy.min_certainty) < 0)
    throw std::invalid_argument("cap policy: unknown min_certainty \"" + policy.min_certainty + "\"");

  if (alert.msg_type == "Ack" || alert.msg_type == "Error")
    return {cap_verdict::not_alert, 0, fmt::format("msgType {} is not an alert", alert.msg_type)};
  if (!policy.broadcast_statuses.contains(alert.status))
    return {cap_verdict::record_only, 0, fmt::format("status {} is recorded, not sent", alert.status)};
  if (policy.require_public_scope && alert.scope != "Public")
    return {cap_verdict::not_public, 0, fmt::format("scope {} is not public", alert.scope)};
  if (alert.infos.empty())
    return {cap_verdict::outside_territory, 0, "no info block: nothing to match against the territory"};

  // The group of infos in the best language.
  std::vector<std::size_t> group;
  for (const auto& wanted : policy.languages) {
    for (std::size_t i = 0; i < alert.infos.size(); ++i)
      if (language_matches(wanted, alert.infos[i].language)) group.push_back(i);
    if (!group.empty()) break;
  }
  if (group.empty())
    for (std::size_t i = 0; i < alert.infos.size(); ++i) group.push_back(i);

  cap_decision best;
  int best_stage = -1;
  for (auto i : group) {
    auto outcome = judge(alert, alert.infos[i], policy, now);
    if (outcome.verdict == cap_verdict::broadcast)
      return {cap_verdict::broadcast, i,
              fmt::format("{} {} for the territory", alert.status, alert.msg_type)};
    if (outcome.stage > best_stage) {
      best_stage = outcome.stage;
      best = {outcome.verdict, i, std::move(outcome.reason)};
    }
  }
  return best;
}

}  // namespace banditore::cap

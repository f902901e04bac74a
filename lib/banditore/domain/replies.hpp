// The texts that answer a citizen's command: confirmations and help. They
// are what a citizen reads of the service, so the defaults say plainly how
// to stop and that nobody else sees their number; a town may replace any of
// them from configuration.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace banditore::domain {

// WhatsApp refuses a text body longer than this many characters.
inline constexpr std::size_t max_reply_code_points = 4096;

enum class reply_kind { subscribed, already_subscribed, unsubscribed, not_subscribed, help };

// "subscribed", "already_subscribed", ...: also the configuration keys.
std::string_view to_string(reply_kind);

struct reply_texts {
  std::string subscribed;          // Attiva from a new number
  std::string already_subscribed;  // Attiva from a subscribed number
  std::string unsubscribed;        // Disattiva: the number has been erased
  std::string not_subscribed;      // Disattiva from an unknown number
  std::string help;                // Info, "?"
};

// The default texts. With a town ("Roccasecca") they name the "Comune di
// Roccasecca"; with none they read "del Comune". Throws
// std::invalid_argument if a text would exceed max_reply_code_points.
reply_texts italian_replies(std::string_view town = "");
reply_texts english_replies(std::string_view town = "");

// Overrides any subset of texts from a JSON object keyed by to_string
// (reply_kind). Throws std::invalid_argument, naming the key, for an
// unknown key, a value that is not a string, an empty or invalid UTF-8
// string, or one over max_reply_code_points; and when json is not an object.
reply_texts replies_from_json(const nlohmann::json& json, reply_texts defaults);

const std::string& reply_text(const reply_texts& texts, reply_kind kind);

}  // namespace banditore::domain

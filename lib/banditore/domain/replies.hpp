// The texts that answer a citizen's command: confirmations and help. They
// are what a citizen reads of the service, so the defaults say plainly how
// to stop and that nobody else sees their number; a town may replace any of
// them from configuration.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

// WhatsApp refuses a text body longer than this many characters.
inline constexpr std::size_t max_reply_code_points = 4096;
// ... and an interactive message's body longer than this, a reply button's
// title longer than 20 (developers.facebook.com/docs/whatsapp/cloud-api/
// messages/interactive-reply-buttons-messages).
inline constexpr std::size_t max_interactive_body_code_points = 1024;
inline constexpr std::size_t max_button_title_code_points = 20;

enum class reply_kind { subscribed, already_subscribed, unsubscribed, not_subscribed, help, ask };

// "subscribed", "already_subscribed", ...: also the configuration keys.
std::string_view to_string(reply_kind);

struct reply_texts {
  std::string subscribed;          // Attiva from a new number
  std::string already_subscribed;  // Attiva from a subscribed number
  std::string unsubscribed;        // Disattiva: the number has been erased
  std::string not_subscribed;      // Disattiva from an unknown number
  std::string help;                // Info, "?", or a message that asks nothing
  std::string ask;                 // probably a request: sent with the buttons
  // The ask reply's buttons, in this order: join, leave, info.
  std::string join_button, leave_button, info_button;
};

// One reply button: Meta's action.buttons[].reply {id, title}.
struct reply_button {
  std::string id;
  std::string title;
};

// A list message: a button that opens rows in sections; the row tapped
// comes back in interactive.list_reply.id. At most 10 rows in all
// (Meta's limit), so longer choices come in pages (choices.hpp).
struct reply_list {
  std::string button;
  struct row {
    std::string id, title, description;
  };
  struct section {
    std::string title;
    std::vector<row> rows;
  };
  std::vector<section> sections;
  bool empty() const { return sections.empty(); }
};

// The buttons a reply carries: the ask reply's three, none for the others.
std::vector<reply_button> reply_buttons(const reply_texts& texts, reply_kind kind);

// Where citizens write or call instead of this number, and the privacy
// notice; both optional.
struct reply_contacts {
  std::string office;       // "l'URP, 0776 123456, urp@comune.example.it"
  std::string privacy_url;  // the privacy notice, linked from the subscribe reply
};

// "Comune di Roccasecca" for "Roccasecca" and for "Comune di Roccasecca"
// alike (any case), so no reply ever reads "Comune di Comune di".
std::string comune_name(std::string_view town);

// "del Comune di Roccasecca", "della Città di Torino", "dell'Unione dei
// Comuni ..."; "del Comune" without a town.
std::string of_town(std::string_view town);

// The default texts. With a town ("Roccasecca") they name the "Comune di
// Roccasecca"; with none they read "del Comune". They say that the number
// is not staffed, where to turn instead (contacts.office, or the town) and
// to call 112 in an emergency; the subscribe reply links the privacy
// notice when there is one. Throws std::invalid_argument if a text would
// exceed its limit.
reply_texts italian_replies(std::string_view town = "", const reply_contacts& contacts = {});
reply_texts english_replies(std::string_view town = "", const reply_contacts& contacts = {});

// Overrides any subset of texts from a JSON object keyed by to_string
// (reply_kind). Throws std::invalid_argument, naming the key, for an
// unknown key, a value that is not a string, an empty or invalid UTF-8
// string, or one over max_reply_code_points (the ask text:
// max_interactive_body_code_points); and when json is not an object.
reply_texts replies_from_json(const nlohmann::json& json, reply_texts defaults);

const std::string& reply_text(const reply_texts& texts, reply_kind kind);

}  // namespace banditore::domain

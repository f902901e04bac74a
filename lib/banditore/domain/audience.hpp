// What a citizen chooses to receive, read from a WhatsApp text: towns,
// topics and areas named around a request ("Attiva strade", "Attiva Lugo
// acqua", "Disattiva eventi"), the severity floor ("Solo emergenze"),
// everything again ("Tutto") and the question of what one receives
// ("Stato", "Le mie iscrizioni").
//
// Names are matched as people write them: folded like commands (case,
// accents, punctuation), word by word by their Italian stem (strada and
// strade, evento and eventi), one typo away on words of 6 letters or more,
// and with the little words of place names optional ("Santa Maria
// Fabriago" names "Santa Maria in Fabriago"), the saint's title
// written short or whole ("S. Maria", "S.Agata", "SS. Annunziata";
// italian::same_saint_title). The longest name wins; a
// word names at most one thing. What is left is read by classify_command
// (commands.hpp), so the request itself follows the same rule as a plain
// "Attiva".
#pragma once

#include <banditore/domain/commands.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

struct town {
  std::string id;    // "lugo"
  std::string name;  // "Comune di Lugo"; matched without "Comune di"
  std::vector<std::string> keywords;
  std::string istat_code;  // six digits ("039012"); empty when not given
  std::string polygon{};   // its boundary, GeoJSON Polygon text; empty when not given
};

struct topic {
  std::string id;    // "strade"
  std::string name;  // "Strade e viabilità"
  std::vector<std::string> keywords;  // synonyms: viabilità, traffico, lavori, cantieri
  bool in_default = true;             // included by a plain "Attiva"
};

struct area {
  std::string id;       // "santa-maria-in-fabriago"
  std::string town_id;  // the town it belongs to
  std::string name;     // "Santa Maria in Fabriago"
  std::vector<std::string> keywords;
  std::string polygon{};  // its boundary, GeoJSON Polygon text; empty when not given
};

struct audience_catalogue {
  std::vector<town> towns;
  std::vector<topic> topics;
  std::vector<area> areas;
};

// The topics a deployment starts with (Italian), which it may change:
// emergenze, acqua, strade, meteo, rifiuti, scuole, eventi.
std::vector<topic> default_topics();

enum class audience_action {
  join,         // subscribe, or add the named towns, topics, areas
  leave,        // unsubscribe, or drop the named ones only
  only_severe,  // "Solo emergenze": the severity floor alone
  everything,   // "Tutto": every default topic, no area, no floor
  status,       // "Stato": what do I receive now?
  info,
  unclear,      // probably a choice: ask with buttons
  none,
};

std::string_view to_string(audience_action);

struct audience_request {
  audience_action action = audience_action::none;
  // Ids of what the text named, in the order written, each once.
  std::vector<std::string> towns, topics, areas;
  // "Attiva solo emergenze", "Attiva tutto": with join.
  bool only_severe = false;
  bool everything = false;
  // The reading of the words around the names: the request's keyword and
  // the recordable text (digits masked) as classify_command gives them.
  command_match command;
};

// Reads texts against one catalogue, whose names it folds and stems once;
// cheap to copy, safe to share between threads.
class audience_reader {
 public:
  explicit audience_reader(const audience_catalogue& catalogue);
  // town_name: the deployment's or the number's town, whose words may
  // appear around a request as in classify_command.
  audience_request read(std::string_view utf8_text, std::string_view town_name = {}) const;

 private:
  struct phrases;
  std::shared_ptr<const phrases> phrases_;
};

}  // namespace banditore::domain

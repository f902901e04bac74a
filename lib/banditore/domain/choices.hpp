// What a citizen chooses to receive and how a message changes it: the
// towns, topics, areas and severity floor of one subscriber, the request
// a text, a tap or a shared location makes of them, the plan that applies
// it (the new choices and the consent record of each change), and the
// reply that says what changed and what they now receive, with a list
// message to choose by tapping. Pure: the store applies the plan.
#pragma once

#include <banditore/domain/audience.hpp>
#include <banditore/domain/conversation.hpp>
#include <banditore/domain/replies.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

struct subscriber_choices {
  std::vector<std::string> towns, topics, areas;  // catalogue ids, in catalogue order
  bool only_severe = false;
  bool operator==(const subscriber_choices&) const = default;
};

enum class choice_op {
  join,        // subscribe, or add what is named
  leave,       // unsubscribe (nothing named), or drop what is named
  floor_on,    // "Solo emergenze"
  floor_off,   // a tap that lifts the floor alone
  everything,  // "Tutto": default topics, no area, no floor
  status,      // "Stato": what do I receive?
  more,        // a tap on "Altro…": the next page of a list
};

// What one message asks of the subscriber's choices.
struct choice_request {
  choice_op op = choice_op::status;
  // {} so that a request can be written {choice_op::floor_on}.
  std::vector<std::string> towns{}, topics{}, areas{};
  bool only_severe = false;  // join: "Attiva solo emergenze"
  bool everything = false;   // join: "Attiva tutto"
  bool located = false;      // the towns and areas come from a shared location
  std::string list{};        // more: "choices" or "towns"
  std::size_t page = 0;      // more: the page asked, from 0
};

// The request a text makes; nothing for info, unclear and none, which the
// conversation answers as before (commands.hpp).
std::optional<choice_request> choice_request_from(const audience_request& request);

// Payload ids of the rows and buttons we send, read back from a tap
// (interactive.list_reply.id / button_reply.id):
//   t+ID t-ID   add or drop a topic      a+ID a-ID   add or drop an area
//   town:ID     choose a town            s+ s-       floor on or off
//   tutto       everything again         stato       what I receive
//   more:LIST:N page N of a list ("choices" or "towns")
// Ids are catalogue ids (lowercase letters, digits, dashes); anything else
// is not ours and reads as nothing.
std::optional<choice_request> parse_choice_id(std::string_view reply_id);

// A shared location reduced to what contains it (polygons of the
// catalogue, audience_geo.hpp): a join of those towns and areas.
choice_request located_request(std::vector<std::string> towns, std::vector<std::string> areas);

// What a new subscriber receives when nothing else is said: the named
// towns, or the only town of a one-town deployment; every default topic.
subscriber_choices default_choices(const audience_catalogue& catalogue, std::vector<std::string> towns = {});

// One row of the consent log: the event and the ids it concerns.
struct choice_change {
  std::string event;  // subscribe, unsubscribe, add, remove, only_severe, all_severities, everything, located
  std::vector<std::string> towns, topics, areas;
};

// Why a plan changes nothing though something was asked.
enum class choice_refusal {
  none,
  last_topic,   // dropping every topic they receive: Disattiva does that
  last_town,    // dropping every town they receive
  not_chosen,   // dropping what they do not receive
  no_place,     // a location inside no town of the service
};

struct choice_plan {
  decision verdict = decision::unchanged;
  subscriber_choices before, after;
  std::vector<choice_change> changes;  // in order; empty when nothing changes
  choice_refusal refusal = choice_refusal::none;
  // The page to show of the list (more), else 0.
  std::string list = "choices";
  std::size_t page = 0;
};

// Applies a request to what the person has now. subscribed: whether they
// are; current: their choices (ignored when not subscribed). Names that
// the catalogue no longer holds are dropped; an area brings its town.
choice_plan plan_choices(const choice_request& request, const audience_catalogue& catalogue, bool subscribed,
                         const subscriber_choices& current);

inline constexpr std::size_t max_list_rows_in_all = 10;
inline constexpr std::size_t max_list_section_title = 24;
inline constexpr std::size_t max_list_row_title = 24;
inline constexpr std::size_t max_list_row_description = 72;
inline constexpr std::size_t max_list_button = 20;

// The rows to change one's choices: topics, the areas of one's towns, the
// other towns, the floor and "everything", in sections of at most 10 rows;
// page N of them when they do not fit.
reply_list choices_list(const audience_catalogue& catalogue, const subscriber_choices& current, std::size_t page = 0);
// The towns to choose from, on a number shared by several towns.
reply_list towns_list(const audience_catalogue& catalogue, std::size_t page = 0);

// "Strade e viabilità" cut to max characters, ending in "…" when cut.
std::string cut_title(std::string_view utf8, std::size_t max_characters);

// What the person reads: what changed, what they receive now (a few
// lines) and the list to change it, in Italian. texts gives the
// configured subscribe and unsubscribe confirmations. When the text is too
// long for an interactive body, it goes alone (no list), cut to WhatsApp's
// text limit.
struct choice_reply {
  std::string text;
  reply_list list;
};
choice_reply reply_for_plan(const choice_plan& plan, const audience_catalogue& catalogue, const reply_texts& texts);

// "Ora ricevi: ..." lines for the choices.
std::string choices_summary(const audience_catalogue& catalogue, const subscriber_choices& choices);

}  // namespace banditore::domain

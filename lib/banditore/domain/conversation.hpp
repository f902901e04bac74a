// What the service does with one message from a citizen: the decision
// table between what they wrote, whether they are subscribed, and whether
// the help text may be sent again. Pure: no storage, no network.
#pragma once

#include <banditore/domain/commands.hpp>
#include <banditore/domain/replies.hpp>

#include <optional>
#include <string_view>

namespace banditore::domain {

// How each WhatsApp message type is treated (docs/commands.md):
//   text, button, interactive  -> read as a command
//   image, audio, video, document, location, contacts, order, unsupported,
//   unknown                    -> the help text (rate-limited): we only
//                                 understand the commands
//   reaction, sticker, system  -> ignored: a thumbs-up is not a question,
//                                 and a system notice is not from a person
enum class type_policy { read_command, help, ignore };
type_policy policy_for_type(std::string_view whatsapp_type);

enum class decision {
  subscribe,           // new subscription
  already_subscribed,
  unsubscribe,         // subscription ended, number erased
  not_subscribed,      // asked to stop, was not subscribed
  info,                // asked for information
  ask,                 // probably a request: reply buttons settle it
  help,                // asked nothing: help text
  help_suppressed,     // asked nothing, help sent recently: silence
  ignored,             // a type that needs no answer
  // What a subscriber receives (choices.hpp):
  choices_changed,     // towns, topics, areas or the floor changed
  unchanged,           // asked a change that changes nothing, or refused
  status,              // asked what they receive
  ask_town,            // on a number shared by several towns: which one?
};

std::string_view to_string(decision);

// The reply a decision sends, if any; the decisions about choices are
// answered by reply_for_plan (choices.hpp) instead.
std::optional<reply_kind> reply_for(decision);

// A request is always answered: to join, to leave (whatever the help limit),
// for information, or probably one of them (the buttons). help_allowed
// limits only the answer to messages that ask for nothing.
decision decide(type_policy policy, command what, bool subscribed, bool help_allowed);

// The ids of the reply buttons the ask reply carries (replies.hpp), read
// back from a citizen's tap: Meta returns the id of the button tapped in
// interactive.button_reply.id.
inline constexpr std::string_view join_button_id = "banditore:join";
inline constexpr std::string_view leave_button_id = "banditore:leave";
inline constexpr std::string_view info_button_id = "banditore:info";

// The command a tapped button stands for; nothing for an id not ours.
std::optional<command> command_for_button(std::string_view reply_id);

}  // namespace banditore::domain

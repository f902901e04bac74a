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
  help,                // not understood: help text
  help_suppressed,     // not understood, help sent recently: silence
  ignored,             // a type that needs no answer
};

std::string_view to_string(decision);

// The reply a decision sends, if any.
std::optional<reply_kind> reply_for(decision);

decision decide(type_policy policy, command what, bool subscribed, bool help_allowed);

}  // namespace banditore::domain

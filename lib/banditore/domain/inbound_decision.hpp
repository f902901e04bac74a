// What the service makes of one citizen's message, given what it knows of
// the person (subscribed or not, when they were last sent the help text):
// the command read from the text or the tapped button, and the decision.
// The store applies the decision; nothing here touches data.
#pragma once

#include <banditore/domain/audience.hpp>
#include <banditore/domain/choices.hpp>
#include <banditore/domain/commands.hpp>
#include <banditore/domain/conversation.hpp>

#include <cstdint>
#include <string_view>

namespace banditore::domain {

struct inbound_message_view {
  std::string_view type;      // Meta's message type name
  std::string_view text;      // text body / button or list reply title
  std::string_view reply_id;  // the id of a tapped reply button, if any
  // A shared location, already reduced to the towns and areas containing
  // it (the point itself goes no further than that).
  const choice_request* located = nullptr;
};

struct inbound_understanding {
  type_policy policy = type_policy::ignore;
  command_match match;  // kind none unless the type is read as a command
  decision verdict = decision::ignored;
  // What the message asks of the person's choices (a request, a tap on one
  // of our rows, a location); the store plans it (plan_choices) and the
  // plan's verdict replaces this one.
  std::optional<choice_request> choice;
};

// last_help_at_ms: 0 when the person was never sent the help text; the
// help text goes again only after help_interval_ms. reader: the
// catalogue's names; without one a text is read by classify_command alone
// and only the plain requests are understood.
inbound_understanding understand_inbound(const inbound_message_view& message, std::string_view town, bool subscribed,
                                         std::int64_t last_help_at_ms, std::int64_t help_interval_ms,
                                         std::int64_t now_ms, const audience_reader* reader = nullptr);

// When the customer-service window opened: when the citizen wrote, as Meta
// counts it; a clock far in the future is not believed.
std::int64_t window_opened_at(std::int64_t sent_at_ms, std::int64_t now_ms);

}  // namespace banditore::domain

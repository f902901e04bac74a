#include <banditore/domain/conversation.hpp>

namespace banditore::domain {

type_policy policy_for_type(std::string_view t) {
  if (t == "text" || t == "button" || t == "interactive") return type_policy::read_command;
  if (t == "reaction" || t == "sticker" || t == "system") return type_policy::ignore;
  return type_policy::help;
}

std::string_view to_string(decision d) {
  switch (d) {
    case decision::subscribe: return "subscribe";
    case decision::already_subscribed: return "already_subscribed";
    case decision::unsubscribe: return "unsubscribe";
    case decision::not_subscribed: return "not_subscribed";
    case decision::info: return "info";
    case decision::ask: return "ask";
    case decision::help: return "help";
    case decision::help_suppressed: return "help_suppressed";
    case decision::ignored: return "ignored";
    case decision::choices_changed: return "choices_changed";
    case decision::unchanged: return "unchanged";
    case decision::status: return "status";
    case decision::ask_town: return "ask_town";
  }
  return "ignored";
}

std::optional<reply_kind> reply_for(decision d) {
  switch (d) {
    case decision::subscribe: return reply_kind::subscribed;
    case decision::already_subscribed: return reply_kind::already_subscribed;
    case decision::unsubscribe: return reply_kind::unsubscribed;
    case decision::not_subscribed: return reply_kind::not_subscribed;
    case decision::ask: return reply_kind::ask;
    case decision::info:
    case decision::help: return reply_kind::help;
    case decision::help_suppressed:
    case decision::ignored:
    case decision::choices_changed:
    case decision::unchanged:
    case decision::status:
    case decision::ask_town: return std::nullopt;
  }
  return std::nullopt;
}

decision decide(type_policy policy, command what, bool subscribed, bool help_allowed) {
  if (policy == type_policy::ignore) return decision::ignored;
  if (policy == type_policy::read_command) {
    switch (what) {
      case command::subscribe: return subscribed ? decision::already_subscribed : decision::subscribe;
      case command::unsubscribe: return subscribed ? decision::unsubscribe : decision::not_subscribed;
      // An explicit question is always answered.
      case command::info: return decision::info;
      case command::unclear: return decision::ask;
      case command::none: break;
    }
  }
  return help_allowed ? decision::help : decision::help_suppressed;
}

}  // namespace banditore::domain

namespace banditore::domain {

std::optional<command> command_for_button(std::string_view reply_id) {
  if (reply_id == join_button_id) return command::subscribe;
  if (reply_id == leave_button_id) return command::unsubscribe;
  if (reply_id == info_button_id) return command::info;
  return std::nullopt;
}

}  // namespace banditore::domain

#include <banditore/domain/inbound_decision.hpp>

namespace banditore::domain {

namespace {

// The command a choice stands for, for the verdict given before planning.
command command_of(const choice_request& r) {
  switch (r.op) {
    case choice_op::join: return command::subscribe;
    case choice_op::leave: return command::unsubscribe;
    default: return command::none;
  }
}

}  // namespace

inbound_understanding understand_inbound(const inbound_message_view& m, std::string_view town, bool subscribed,
                                         std::int64_t last_help_at_ms, std::int64_t help_interval_ms,
                                         std::int64_t now_ms, const audience_reader* reader) {
  inbound_understanding out;
  out.policy = policy_for_type(m.type);
  out.match.kind = command::none;
  if (out.policy == type_policy::read_command) {
    if (reader) {
      auto plain = classify_command(m.text, town);
      if ((plain.kind == command::subscribe || plain.kind == command::unsubscribe) &&
          plain.normalised.find(' ') == std::string::npos) {
        // One word of request ("Attiva", "STOP") names nothing: the most
        // common message is read once, as it always was.
        out.choice = choice_request{plain.kind == command::subscribe ? choice_op::join : choice_op::leave};
        out.match = std::move(plain);
      } else {
        auto request = reader->read(m.text, town);
        out.choice = choice_request_from(request);
        // What asks nothing of the choices is read exactly as before.
        out.match = out.choice ? std::move(request.command) : std::move(plain);
        // "Stato", "Solo emergenze", "Tutto" are requests though no verb
        // says so.
        if (out.choice && out.match.kind == command::none) out.match.kind = command::unclear;
      }
    } else {
      out.match = classify_command(m.text, town);
    }
    // A tap on one of our reply buttons or list rows says what it stands
    // for, whatever its title reads.
    if (auto tapped = command_for_button(m.reply_id)) {
      out.match.kind = *tapped;
      out.match.keyword = std::string(m.reply_id);
      out.match.conflicting = false;
      out.choice.reset();
      if (reader && *tapped != command::info)
        out.choice = choice_request{*tapped == command::subscribe ? choice_op::join : choice_op::leave};
    } else if (auto choice = parse_choice_id(m.reply_id)) {
      out.choice = std::move(choice);
      out.match.kind = command_of(*out.choice) == command::none ? command::unclear : command_of(*out.choice);
      out.match.keyword = std::string(m.reply_id);
      out.match.conflicting = false;
    }
  } else if (m.located) {
    out.choice = *m.located;
  }
  const bool help_allowed = last_help_at_ms == 0 || now_ms - last_help_at_ms >= help_interval_ms;
  out.verdict = decide(out.policy, out.match.kind, subscribed, help_allowed);
  if (out.choice && out.choice->op != choice_op::join && out.choice->op != choice_op::leave)
    out.verdict = subscribed ? decision::status : decision::not_subscribed;
  if (out.choice && out.choice->located) out.verdict = subscribed ? decision::choices_changed : decision::subscribe;
  return out;
}

std::int64_t window_opened_at(std::int64_t sent_at_ms, std::int64_t now_ms) {
  return sent_at_ms > 0 && sent_at_ms < now_ms ? sent_at_ms : now_ms;
}

}  // namespace banditore::domain

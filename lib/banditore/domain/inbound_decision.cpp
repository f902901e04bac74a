#include <banditore/domain/inbound_decision.hpp>

namespace banditore::domain {

inbound_understanding understand_inbound(const inbound_message_view& m, std::string_view town, bool subscribed,
                                         std::int64_t last_help_at_ms, std::int64_t help_interval_ms,
                                         std::int64_t now_ms) {
  inbound_understanding out;
  out.policy = policy_for_type(m.type);
  out.match.kind = command::none;
  if (out.policy == type_policy::read_command) {
    out.match = classify_command(m.text, town);
    // A tap on one of our reply buttons says what it stands for, whatever
    // its title reads.
    if (auto tapped = command_for_button(m.reply_id)) {
      out.match.kind = *tapped;
      out.match.keyword = std::string(m.reply_id);
      out.match.conflicting = false;
    }
  }
  const bool help_allowed = last_help_at_ms == 0 || now_ms - last_help_at_ms >= help_interval_ms;
  out.verdict = decide(out.policy, out.match.kind, subscribed, help_allowed);
  return out;
}

std::int64_t window_opened_at(std::int64_t sent_at_ms, std::int64_t now_ms) {
  return sent_at_ms > 0 && sent_at_ms < now_ms ? sent_at_ms : now_ms;
}

}  // namespace banditore::domain

#include <banditore/dispatch/channel.hpp>

namespace banditore::dispatch {

std::string_view to_string(send_verdict v) {
  switch (v) {
    case send_verdict::accepted: return "accepted";
    case send_verdict::retry_later: return "retry_later";
    case send_verdict::slow_down: return "slow_down";
    case send_verdict::retry_recipient_later: return "retry_recipient_later";
    case send_verdict::use_template: return "use_template";
    case send_verdict::opt_out: return "opt_out";
    case send_verdict::permanent: return "permanent";
    case send_verdict::configuration: return "configuration";
  }
  return "retry_later";
}

boost::asio::awaitable<upload_outcome> channel::upload_media(std::string, std::string, std::string) {
  upload_outcome out;
  out.refusal.verdict = send_verdict::permanent;
  out.refusal.error_title = "this channel sends no media";
  co_return out;
}

}  // namespace banditore::dispatch

// What the sender does with a failed Cloud API send. Meta's numeric
// error.code decides, never the HTTP status alone: the same code comes back
// as 400 from the API, as 200 in a webhook's failed status, and some codes
// vary their status between versions.
#pragma once

#include <string_view>

namespace banditore::whatsapp {

enum class send_action {
  retry_later,            // transient on Meta's side: retry with backoff
  slow_down,              // throughput limit: the whole number's bucket pauses
  retry_recipient_later,  // pair rate limit: this recipient only waits
  use_template,           // outside the 24-hour window: send a template instead
  opt_out,                // the citizen asked WhatsApp to stop these messages
  permanent,              // this message to this recipient will never go
  configuration,          // token, permission or number set-up: stop sending,
                          // alert the operator, keep the rows queued
};

std::string_view to_string(send_action);

// error_code is error.code of the body, or errors[0].code of a failed status;
// 0 when there was no Meta body (network error, timeout, a proxy's HTML 502).
// http_status is 0 when no response arrived. A code this table does not know
// falls back on the status too.
send_action classify(int error_code, int http_status);

}  // namespace banditore::whatsapp

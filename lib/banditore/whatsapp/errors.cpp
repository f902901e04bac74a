#include <banditore/whatsapp/errors.hpp>

namespace banditore::whatsapp {

namespace {

// Without a code from Meta, the HTTP status is all there is.
send_action classify_status(int http_status) {
  if (http_status == 429) return send_action::slow_down;
  if (http_status == 0 || http_status >= 500) return send_action::retry_later;
  if (http_status >= 400) return send_action::permanent;
  // An error body with a 2xx/3xx status: nothing says the message went, so
  // try again; the dispatcher bounds the attempts.
  return send_action::retry_later;
}

}  // namespace

std::string_view to_string(send_action action) {
  switch (action) {
    case send_action::retry_later: return "retry_later";
    case send_action::slow_down: return "slow_down";
    case send_action::retry_recipient_later: return "retry_recipient_later";
    case send_action::use_template: return "use_template";
    case send_action::opt_out: return "opt_out";
    case send_action::permanent: return "permanent";
    case send_action::configuration: return "configuration";
  }
  return "permanent";
}

send_action classify(int error_code, int http_status) {
  // Meta's codes (Cloud API "Error codes" reference) and what they mean:
  //
  //   code     Meta's title                         action
  //   1        API Unknown (invalid request or      retry_later
  //            possible server error)
  //   2        API Service (downtime or overload)   retry_later
  //   131000   Something went wrong                 retry_later
  //   131016   Service unavailable                  retry_later
  //   131057   Account in maintenance mode          retry_later
  //            (throughput upgrade in progress)
  //   133004   Server temporarily unavailable       retry_later
  //   135000   Generic user error                   retry_later
  //
  //   4        API Too Many Calls (app rate limit)  slow_down
  //   80007    Rate limit issues (WABA limit)       slow_down
  //   130429   Rate limit hit (number throughput)   slow_down
  //   131048   Spam rate limit hit (too many        slow_down
  //            messages blocked or reported)
  //
  //   131056   (Business account, consumer) pair    retry_recipient_later
  //            rate limit hit
  //
  //   131047   Re-engagement message: more than     use_template
  //            24 h since the citizen last wrote
  //   470      Same, as the On-Premises API says it use_template
  //
  //   131050   User has stopped receiving (marketing)
  //            messages from this business          opt_out
  //
  //   100      Invalid parameter                    permanent
  //   368      Temporarily blocked for policy       permanent
  //            violations
  //   131008   Required parameter is missing        permanent
  //   131009   Parameter value is not valid         permanent
  //   131026   Message undeliverable (not on        permanent
  //            WhatsApp, old client, terms not
  //            accepted)
  //   131031   Business account locked              permanent
  //   131051   Unsupported message type             permanent
  //   131052   Media download error                 permanent
  //   131053   Media upload error                   permanent
  //   132000-  Template errors (parameter count     permanent
  //   132999   mismatch, template missing, paused,
  //            disabled, format violations, ...)
  //
  //   10       Permission denied                    configuration
  //   190      Access token has expired             configuration
  //   200-299  API permission not granted/removed   configuration
  //   131005   Access denied                        configuration
  //   131030   Recipient not in allowed list (a     configuration
  //            test number's recipient list)
  //   133010   Phone number not registered on the   configuration
  //            Cloud API
  switch (error_code) {
    case 0:
      return classify_status(http_status);

    case 1:
    case 2:
    case 131000:
    case 131016:
    case 131057:
    case 133004:
    case 135000:
      return send_action::retry_later;

    case 4:
    case 80007:
    case 130429:
    case 131048:
      return send_action::slow_down;

    case 131056:
      return send_action::retry_recipient_later;

    case 131047:
    case 470:
      return send_action::use_template;

    case 131050:
      return send_action::opt_out;

    case 100:
    case 368:
    case 131008:
    case 131009:
    case 131026:
    case 131031:
    case 131051:
    case 131052:
    case 131053:
      return send_action::permanent;

    case 10:
    case 190:
    case 131005:
    case 131030:
    case 133010:
      return send_action::configuration;

    default:
      break;
  }
  if (error_code >= 132000 && error_code <= 132999) return send_action::permanent;
  if (error_code >= 200 && error_code <= 299) return send_action::configuration;
  return classify_status(http_status);
}

}  // namespace banditore::whatsapp

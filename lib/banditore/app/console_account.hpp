// «Il mio account», for every staff user: their own password (the current
// one required, the command line's policy, every other session ended) and
// their own second factor (a new TOTP secret shown as a QR code, active
// only once a code of it is typed, with one-time recovery codes shown
// once). The logic is app/staff_login's; this file renders it.
#pragma once

#include <banditore/app/console.hpp>
#include <banditore/http/router.hpp>

#include <string>
#include <string_view>

namespace banditore::app {

// Where a publisher or admin without a second factor is sent when the
// deployment requires one (BANDITORE_CONSOLE_TOTP=required).
inline constexpr std::string_view totp_enrolment_path = "/console/account/totp";

// The signature of a TOTP secret (base32) being enrolled in the session
// of session_token, which the enrolment form carries beside it: the
// secret is stored only when it comes back with this signature and a code.
std::string totp_enrolment_signature(const console_context& ctx, std::string_view session_token,
                                     std::string_view secret_b32);

// GET /console/account, POST /console/account/password,
// GET|POST /console/account/totp.
void add_console_account_routes(http::router& routes, console_context& ctx);

}  // namespace banditore::app

// The staff console under /console/ on the service's own port: the login
// and logout pages, and what every console page shares — the session
// check (idle and absolute expiry, by the store), the role check, the
// CSRF check of every POST, the security headers and the layout.
//
// How another file adds a page (app/console_compose.cpp, for example):
//
//   void add_console_compose_routes(http::router& routes, console_context& ctx) {
//     add_console_page(routes, ctx, "GET", "/console/compose", staff_role::editor,
//       [&ctx](console_request& r) -> boost::asio::awaitable<http::response> {
//         nlohmann::json data = {{"title", "Nuovo avviso"}};
//         co_return console_page(ctx, r, "console_compose", data);  // templates/console_compose.mustache
//       });
//   }
//
// and calls it from service.cpp and app/route_list.cpp beside
// add_console_routes. The handler runs only for a live session whose role
// is at least the one given; a POST reaches it only with a valid CSRF
// token (field "csrf", which console_page puts in the data as {{csrf}})
// and its form already parsed (console_request::form), urlencoded or
// multipart/form-data (console_request::files). Beast stays in the
// .cpp files; the page data is JSON, rendered with web/templates.
#pragma once

#include <banditore/crypto/keys.hpp>
#include <banditore/http/client_address.hpp>
#include <banditore/http/form.hpp>
#include <banditore/http/multipart.hpp>
#include <banditore/http/router.hpp>
#include <banditore/store/staff.hpp>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace banditore::domain {
struct audience_catalogue;
}  // namespace banditore::domain

namespace banditore::store {
struct alert_record;
class alert_trail;
class alerts;
class audience;
class drafts;
class subscriber_figures;
}  // namespace banditore::store

namespace banditore::app {

class change_notifier;
class staff_login;

// editor < publisher < admin: a page open to a role is open to the ones above.
enum class staff_role { editor = 0, publisher = 1, admin = 2 };
staff_role role_of(std::string_view name);  // an unknown name is an editor
std::string_view role_label(staff_role role);  // Italian, for pages
// Italian words for an alert's state, severity and source.
std::string alert_state_label(std::string_view state);
std::string severity_label(std::string_view severity);
std::string source_label(std::string_view source);

struct console_context {
  store::staff_accounts* accounts = nullptr;
  store::alerts* alerts = nullptr;
  store::drafts* drafts = nullptr;
  store::audience* audience = nullptr;  // the catalogue the forms offer
  store::alert_trail* trail = nullptr;   // an alert's audit entries and deliveries over time
  store::subscriber_figures* figures = nullptr;  // the dashboard's growth and audience
  staff_login* login = nullptr;
  change_notifier* progress = nullptr;  // alerts moved: the event streams look again
  crypto::key csrf{};
  store::session_limits limits;
  bool totp_required = true;
  http::proxy_list trusted_proxies;
  bool tls = false;
  std::string site_name = "banditore";
  std::function<std::int64_t()> now;  // unset: domain::now_ms
  std::int64_t now_ms() const;
};

// The request of a console page, its session checked.
struct console_request {
  http::request& http;
  store::staff_session session;
  std::string token;  // the session's, for end_other_sessions
  std::string csrf;   // the token this session's forms carry
  staff_role role = staff_role::editor;
  http::form form;    // a POST's fields, CSRF already checked
  bool https = false;
  // A multipart/form-data POST's files (at most one: the compose form's
  // attachment); its text fields are in form.
  std::vector<http::form_file> files;

  bool can(staff_role at_least) const { return role >= at_least; }
  // Whether the user may act on this town (an empty list: every town).
  bool may_town(std::string_view town) const;
};

// What a user limited to towns may see of the alerts: those that name one
// of their towns or an area in one, and those for every town (which
// reached their towns too); every alert for a user of every town. The
// history asks the store the same (store::alert_query::within_towns).
bool may_see_alert(const console_request& r, const store::alert_record& a,
                   const domain::audience_catalogue& catalogue);

using console_handler = std::function<boost::asio::awaitable<http::response>(console_request&)>;

// Registers a page: without a session the browser is sent to
// /console/login (303), with a role below minimum it gets a 403 page, and
// a POST without the session's CSRF token a 403 page too.
void add_console_page(http::router& routes, console_context& ctx, std::string method, std::string pattern,
                      staff_role minimum, console_handler handler);

// A page inside the console layout: templates/<name>.mustache with data,
// to which the user's name, role, the CSRF token and the site name are
// added. data["title"] is the page's title.
http::response console_page(const console_context& ctx, const console_request& r, std::string_view name,
                            nlohmann::json data, int status = 200);
// An error page (403, 404, 400...) in Italian, with the layout when there
// is a session.
http::response console_error(const console_context& ctx, const console_request* r, int status, std::string_view title,
                             std::string_view detail);
// 303 See Other to location (after a POST, or to the login page).
http::response console_redirect(std::string location);
// The headers every console response carries: Content-Security-Policy
// with no inline script, nosniff, no referrer, no-store.
void add_console_headers(http::response& res);

// Login, logout, the dashboard, the console's static files.
void add_console_routes(http::router& routes, console_context& ctx);

}  // namespace banditore::app

#include <banditore/app/console.hpp>

#include <banditore/app/console_account.hpp>
#include <banditore/app/console_drafts.hpp>
#include <banditore/app/console_session.hpp>
#include <banditore/app/staff_login.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/store/drafts.hpp>
#include <banditore/store/subscriber_figures.hpp>
#include <banditore/domain/local_time.hpp>
#include <banditore/web/templates.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

// No inline script or style: console.js and console.css only, from here.
constexpr std::string_view console_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'";
constexpr std::string_view html_type = "text/html; charset=utf-8";
constexpr std::size_t max_form_bytes = 64 * 1024;

bool https_of(const console_context& ctx, const http::request& req) {
  return request_is_https(ctx.tls, req.remote_address, req.header("X-Forwarded-Proto"), ctx.trusted_proxies);
}

// Only a path inside the console is followed after the login: never
// another site ("//evil", "https://...").
std::string safe_next(std::string_view next) {
  if (next.rfind("/console/", 0) != 0 || next.find("//") != std::string_view::npos ||
      next.find('\\') != std::string_view::npos)
    return "/console/";
  return std::string(next);
}

http::response html(int status, std::string body) {
  http::response res;
  res.status = status;
  res.content_type = std::string(html_type);
  res.body = std::move(body);
  add_console_headers(res);
  return res;
}

json base_data(const console_context& ctx) { return {{"site_name", ctx.site_name}}; }

}  // namespace

staff_role role_of(std::string_view name) {
  if (name == "admin") return staff_role::admin;
  if (name == "publisher") return staff_role::publisher;
  return staff_role::editor;
}

std::string_view role_label(staff_role role) {
  switch (role) {
    case staff_role::admin: return "amministratore";
    case staff_role::publisher: return "pubblicatore";
    default: return "redattore";
  }
}

std::string alert_state_label(std::string_view s) {
  if (s == "scheduled") return "programmato";
  if (s == "planning") return "in preparazione";
  if (s == "sending") return "in invio";
  if (s == "done") return "concluso";
  if (s == "cancelled") return "annullato";
  if (s == "expired") return "scaduto";
  return std::string(s);
}

std::string severity_label(std::string_view s) {
  if (s == "extreme") return "estrema";
  if (s == "severe") return "grave";
  if (s == "moderate") return "moderata";
  if (s == "minor") return "lieve";
  return std::string(s);
}

std::string source_label(std::string_view s) {
  if (s == "api") return "API";
  if (s == "cap") return "protezione civile (CAP)";
  if (s == "console") return "console";
  return std::string(s);
}

std::int64_t console_context::now_ms() const { return now ? now() : domain::now_ms(); }

bool console_request::may_town(std::string_view town) const {
  const auto& towns = session.user.towns;
  return towns.empty() || std::find(towns.begin(), towns.end(), town) != towns.end();
}

void add_console_headers(http::response& res) {
  res.headers.push_back({"Content-Security-Policy", std::string(console_policy)});
  res.headers.push_back({"X-Content-Type-Options", "nosniff"});
  res.headers.push_back({"Referrer-Policy", "no-referrer"});
  res.headers.push_back({"Cache-Control", "no-store"});
}

http::response console_redirect(std::string location) {
  http::response res;
  res.status = 303;
  res.content_type = "text/plain; charset=utf-8";
  res.headers.push_back({"Location", std::move(location)});
  add_console_headers(res);
  return res;
}

http::response console_page(const console_context& ctx, const console_request& r, std::string_view name,
                            json data, int status) {
  if (!data.is_object()) data = json::object();
  data.update(base_data(ctx));
  data["user_name"] = r.session.user.name;
  data["user_role"] = role_label(r.role);
  data["csrf"] = r.csrf;
  data["logged_in"] = true;
  data["is_publisher"] = r.can(staff_role::publisher);
  data["is_admin"] = r.can(staff_role::admin);
  return html(status, web::render_page(name, data, "console_layout"));
}

http::response console_error(const console_context& ctx, const console_request* r, int status,
                             std::string_view title, std::string_view detail) {
  json data = {{"title", title}, {"detail", detail}, {"status", status}};
  if (r) return console_page(ctx, *r, "console_error", std::move(data), status);
  data.update(base_data(ctx));
  return html(status, web::render_page("console_error", data, "console_layout"));
}

void add_console_page(http::router& routes, console_context& ctx, std::string method, std::string pattern,
                      staff_role minimum, console_handler handler) {
  auto h = std::make_shared<console_handler>(std::move(handler));
  // What a user who must enrol a second factor may still reach: their
  // account (where they enrol) and the logout.
  const bool before_enrolment = pattern.rfind("/console/account", 0) == 0 || pattern == "/console/logout";
  routes.add(method, pattern, [&ctx, h, minimum, before_enrolment](http::request& req) -> asio::awaitable<http::response> {
    const auto token = session_token_from_cookies(req.header("Cookie"));
    std::optional<store::staff_session> session;
    if (token && store::well_formed_session_token(*token))
      session = co_await ctx.accounts->check_session(*token, ctx.limits, ctx.now_ms());
    if (!session) {
      if (req.method == "GET") co_return console_redirect("/console/login?next=" + req.path);
      co_return console_redirect("/console/login");
    }
    console_request r{req, std::move(*session), *token, csrf_token(ctx.csrf, *token), staff_role::editor, {}, false, {}};
    r.role = role_of(r.session.user.role);
    r.https = https_of(ctx, req);
    if (!before_enrolment && ctx.totp_required && role_needs_totp(r.session.user.role) && !r.session.user.totp_enrolled)
      co_return console_redirect(std::string(totp_enrolment_path));
    if (req.method == "POST") {
      std::optional<http::form> parsed;
      // A form with a file comes as multipart/form-data (the server lets
      // only the compose page's bodies grow past its usual limit).
      std::string type(req.header("Content-Type"));
      for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (type.starts_with("multipart/")) {
        const auto boundary = http::multipart_boundary(req.header("Content-Type"));
        if (!boundary.empty()) {
          auto reading = http::parse_multipart(req.body, boundary);
          parsed = std::move(reading.fields);
          r.files = std::move(reading.files);
        }
      } else if (req.body.size() <= max_form_bytes) {
        parsed = http::parse_form(req.body);
      }
      if (!parsed)
        co_return console_error(ctx, &r, 400, "Modulo non valido", "Il modulo inviato non si può leggere.");
      r.form = std::move(*parsed);
      if (!csrf_valid(ctx.csrf, *token, r.form.get("csrf")))
        co_return console_error(ctx, &r, 403, "Modulo scaduto o non valido",
                                "Il modulo non porta il codice di sicurezza di questa sessione. Ricarica la pagina "
                                "e riprova.");
    }
    if (r.role < minimum)
      co_return console_error(ctx, &r, 403, "Accesso non consentito",
                              "Il tuo ruolo non permette di usare questa pagina.");
    auto res = co_await (*h)(r);
    co_return res;
  });
}

namespace {

constexpr std::int64_t day_ms = 24LL * 3600 * 1000;
constexpr int growth_days = 90;

// "03/12/2026" for a day counted from 1970-01-01.
std::string day_text(std::int64_t day) {
  const std::chrono::year_month_day d{std::chrono::sys_days{std::chrono::days{day}}};
  char out[16];
  std::snprintf(out, sizeof out, "%02u/%02u/%04d", static_cast<unsigned>(d.day()), static_cast<unsigned>(d.month()),
                static_cast<int>(d.year()));
  return out;
}

// The subscribers at the end of each day as a line, drawn here so the
// page needs no script; its title and description say what it shows to
// a screen reader, and a table below holds the same figures.
std::string growth_svg(const std::vector<std::int64_t>& totals, std::int64_t first_day) {
  constexpr int width = 600, height = 220, left = 50, right = 10, top = 10, bottom = 30;
  const auto most = std::max<std::int64_t>(1, *std::max_element(totals.begin(), totals.end()));
  const auto n = static_cast<double>(std::max<std::size_t>(2, totals.size()) - 1);
  std::string points;
  for (std::size_t i = 0; i < totals.size(); ++i) {
    const double x = left + (width - left - right) * static_cast<double>(i) / n;
    const double y = top + (height - top - bottom) * (1.0 - static_cast<double>(totals[i]) / static_cast<double>(most));
    char p[48];
    std::snprintf(p, sizeof p, "%s%.1f,%.1f", points.empty() ? "" : " ", x, y);
    points += p;
  }
  const auto first = day_text(first_day), last = day_text(first_day + static_cast<std::int64_t>(totals.size()) - 1);
  std::string svg = "<svg class=\"growth\" viewBox=\"0 0 600 220\" role=\"img\" "
                    "aria-labelledby=\"crescita-titolo crescita-desc\" xmlns=\"http://www.w3.org/2000/svg\">";
  svg += "<title id=\"crescita-titolo\">Iscritti negli ultimi " + std::to_string(totals.size()) + " giorni</title>";
  svg += "<desc id=\"crescita-desc\">Da " + std::to_string(totals.front()) + " iscritti il " + first + " a " +
         std::to_string(totals.back()) + " il " + last + "; al massimo " + std::to_string(most) + ".</desc>";
  svg += "<line x1=\"50\" y1=\"190\" x2=\"590\" y2=\"190\" stroke=\"#555\"/>";
  svg += "<line x1=\"50\" y1=\"10\" x2=\"50\" y2=\"190\" stroke=\"#555\"/>";
  svg += "<text x=\"45\" y=\"16\" text-anchor=\"end\" font-size=\"12\">" + std::to_string(most) + "</text>";
  svg += "<text x=\"45\" y=\"190\" text-anchor=\"end\" font-size=\"12\">0</text>";
  svg += "<text x=\"50\" y=\"210\" font-size=\"12\">" + first + "</text>";
  svg += "<text x=\"590\" y=\"210\" text-anchor=\"end\" font-size=\"12\">" + last + "</text>";
  svg += "<polyline fill=\"none\" stroke=\"#0b3d62\" stroke-width=\"2\" points=\"" + points + "\"/>";
  svg += "</svg>";
  return svg;
}

template <class Entry>
json audience_rows(const std::vector<std::pair<std::string, std::int64_t>>& counts, const std::vector<Entry>& entries) {
  json out = json::array();
  for (const auto& [id, count] : counts) {
    auto it = std::find_if(entries.begin(), entries.end(), [&id](const Entry& e) { return e.id == id; });
    out.push_back({{"name", it == entries.end() ? id : it->name}, {"count", count}});
  }
  return out;
}

http::response login_form(const console_context& ctx, int status, std::string message, const std::string& email,
                          const std::string& next, bool code) {
  json data = base_data(ctx);
  data["title"] = "Accesso";
  data["message"] = message.empty() ? json(nullptr) : json(message);
  data["email"] = email;
  data["next"] = next;
  data["ask_code"] = code;
  return html(status, web::render_page("console_login", data, "console_layout"));
}

}  // namespace

void add_console_routes(http::router& routes, console_context& ctx) {
  routes.add("GET", "/console/login", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    co_return login_form(ctx, 200, "", "", safe_next(req.query_param("next").value_or("/console/")), false);
  });
  routes.add("POST", "/console/login", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto parsed = req.body.size() <= max_form_bytes ? http::parse_form(req.body) : std::nullopt;
    if (!parsed) co_return login_form(ctx, 400, "Il modulo inviato non si può leggere.", "", "/console/", false);
    login_request lr;
    lr.email = parsed->get("email");
    lr.password = parsed->get("password");
    lr.code = parsed->get("code");
    lr.address = req.remote_address;
    const auto next = safe_next(parsed->get("next"));
    const auto result = co_await ctx.login->login(lr, ctx.now_ms());
    switch (result.outcome) {
      case login_outcome::throttled:
        co_return login_form(ctx, 429, result.message, lr.email, next, false);
      case login_outcome::refused:
        co_return login_form(ctx, 401, result.message, lr.email, next, !lr.code.empty());
      case login_outcome::code_needed:
        co_return login_form(ctx, 200, result.message, lr.email, next, true);
      case login_outcome::ok: break;
    }
    // A publisher or admin who must have a second factor and has none
    // enrols it first (every other page sends them there too).
    auto res = console_redirect(result.must_enrol_totp ? std::string(totp_enrolment_path) : next);
    const auto& s = *result.session;
    const auto max_age = (s.expires_at - ctx.now_ms()) / 1000;
    res.headers.push_back({"Set-Cookie", session_cookie(s.token, max_age, https_of(ctx, req))});
    co_return res;
  });
  add_console_page(routes, ctx, "POST", "/console/logout", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
                     co_await ctx.accounts->end_session(r.token, ctx.now_ms());
                     auto res = console_redirect("/console/login");
                     res.headers.push_back({"Set-Cookie", cleared_session_cookie(r.https)});
                     co_return res;
                   });
  add_console_page(routes, ctx, "GET", "/console/", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
                     json data = {{"title", "Cruscotto"}, {"nav_dashboard", true}};
                     const auto now = ctx.now_ms();
                     if (ctx.alerts) {
                       const auto stats = co_await ctx.alerts->stats(0, now);
                       data["subscribers"] = stats.subscribers;
                       const auto list = co_await ctx.alerts->list(0, 50);
                       // A user limited to towns sees here only what the history shows them.
                       domain::audience_catalogue towns_catalogue;
                       if (!r.session.user.towns.empty() && ctx.audience)
                         towns_catalogue = co_await ctx.audience->catalogue();
                       json running = json::array(), scheduled = json::array();
                       for (const auto& a : list) {
                         if (!may_see_alert(r, a, towns_catalogue)) continue;
                         json v = {{"id", a.id}, {"title", a.title}, {"state", alert_state_label(a.state)},
                                   {"created", domain::rome_time_text(a.created_at)}};
                         // Held by quiet hours: it waits like a scheduled one.
                         if ((a.state == "planning" || a.state == "sending") && a.not_before > now) {
                           v["not_before"] = domain::rome_time_text(a.not_before);
                           scheduled.push_back(std::move(v));
                         } else if (a.state == "planning" || a.state == "sending") {
                           running.push_back(std::move(v));
                         }
                       }
                       // Scheduled alerts however old, soonest first.
                       store::alert_query waiting_query;
                       waiting_query.state = "scheduled";
                       waiting_query.limit = 50;
                       auto waiting_alerts = co_await ctx.alerts->search(std::move(waiting_query));
                       std::sort(waiting_alerts.begin(), waiting_alerts.end(),
                                 [](const auto& x, const auto& y) { return x.not_before < y.not_before; });
                       for (const auto& a : waiting_alerts)
                         if (may_see_alert(r, a, towns_catalogue))
                           scheduled.push_back({{"id", a.id}, {"title", a.title}, {"state", alert_state_label(a.state)},
                                              {"created", domain::rome_time_text(a.created_at)},
                                              {"not_before", domain::rome_time_text(a.not_before)}});
                       data["has_running"] = !running.empty();
                       data["has_scheduled"] = !scheduled.empty();
                       data["running"] = std::move(running);
                       data["scheduled"] = std::move(scheduled);
                     }
                     if (ctx.drafts) {
                       // What waits for a second person first, then what waits for its author;
                       // a user limited to towns sees only their towns' drafts (may_reach_draft),
                       // read from the newest 200 of each state.
                       const bool limited = !r.session.user.towns.empty();
                       const std::size_t shown = 20, read = limited ? 200 : shown;
                       domain::audience_catalogue catalogue;
                       if (limited && ctx.audience) catalogue = co_await ctx.audience->catalogue();
                       std::string waiting_state(store::draft_pending);
                       const auto pending = co_await ctx.drafts->list_drafts(std::move(waiting_state), 0, read);
                       json waiting = json::array();
                       for (const auto& d : pending)
                         if (waiting.size() < shown && may_reach_draft(r, d, catalogue))
                           waiting.push_back({{"id", d.id}, {"title", d.title},
                                              {"submitted", domain::rome_time_text(d.submitted_at.value_or(d.updated_at))}});
                       data["pending_count"] = waiting.size() == shown ? std::string("20 o più") : std::to_string(waiting.size());
                       data["has_pending"] = !waiting.empty();
                       data["pending"] = std::move(waiting);
                       std::string open_state(store::draft_open);  // named: g++ 12 and temporaries in co_await
                       const auto drafts = co_await ctx.drafts->list_drafts(std::move(open_state), 0, read);
                       json items = json::array();
                       for (const auto& d : drafts)
                         if (items.size() < shown && may_reach_draft(r, d, catalogue))
                           items.push_back({{"id", d.id}, {"title", d.title}, {"created", domain::rome_time_text(d.created_at)}});
                       data["has_drafts"] = !items.empty();
                       data["drafts"] = std::move(items);
                     }
                     if (ctx.figures) {
                       // Totals at the end of each day, back from today's count.
                       const auto offset = std::chrono::duration_cast<std::chrono::milliseconds>(
                           domain::utc_offset(domain::default_time_zone,
                                              std::chrono::sys_seconds{std::chrono::seconds{now / 1000}})).count();
                       const auto today = (now + offset) / day_ms;
                       const auto first = today - (growth_days - 1);
                       const auto since = first * day_ms - offset;
                       const auto changes = co_await ctx.figures->subscriber_changes(since, offset);
                       const auto audience = co_await ctx.figures->subscribers_by_audience();
                       std::map<std::int64_t, store::day_change> by_day;
                       for (const auto& c : changes) by_day[c.day] = c;
                       std::vector<std::int64_t> totals(growth_days);
                       std::int64_t total = audience.subscribers;
                       json days = json::array();
                       for (auto d = today; d >= first; --d) {
                         const auto& c = by_day[d];
                         totals[static_cast<std::size_t>(d - first)] = std::max<std::int64_t>(0, total);
                         days.push_back({{"day", day_text(d)}, {"joined", c.joined}, {"left", c.left},
                                         {"total", std::max<std::int64_t>(0, total)}});
                         total -= c.joined - c.left;
                       }
                       data["growth_svg"] = growth_svg(totals, first);
                       data["growth_days"] = days;
                       domain::audience_catalogue catalogue;
                       if (ctx.audience) catalogue = co_await ctx.audience->catalogue();
                       auto towns = audience_rows(audience.towns, catalogue.towns);
                       auto topics = audience_rows(audience.topics, catalogue.topics);
                       data["has_towns"] = !towns.empty();
                       data["has_topics"] = !topics.empty();
                       data["by_town"] = std::move(towns);
                       data["by_topic"] = std::move(topics);
                       data["has_figures"] = true;
                     }
                     co_return console_page(ctx, r, "console_dashboard", std::move(data));
                   });
  routes.add("GET", "/console/static/{file}", [](http::request& req) -> asio::awaitable<http::response> {
    const auto name = req.path_params["file"];
    const bool css = name == "console.css", js = name == "console.js";
    auto text = (css || js) ? web::static_file(name) : std::nullopt;
    http::response res;
    if (!text)
      co_return html(404, "<!doctype html>\n<html lang=\"it\"><meta charset=\"utf-8\"><title>Non trovato</title>"
                          "<p>Questo file non esiste.</p></html>\n");
    res.content_type = css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    res.headers.push_back({"X-Content-Type-Options", "nosniff"});
    res.headers.push_back({"Cache-Control", "public, max-age=3600"});
    res.body = std::string(*text);
    co_return res;
  });
}

}  // namespace banditore::app

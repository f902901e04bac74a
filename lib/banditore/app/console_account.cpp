#include <banditore/app/console_account.hpp>

#include <banditore/app/console_session.hpp>
#include <banditore/app/staff_login.hpp>
#include <banditore/crypto/totp.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/password_policy.hpp>
#include <banditore/log/log.hpp>
#include <banditore/web/qr.hpp>

#include <nlohmann/json.hpp>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

// The secret being enrolled travels in the form, as the QR code beside it
// shows it anyway, signed for this session: a secret made up by someone
// else, or shown in another session, is not taken. Nothing is stored
// until a code of it is typed.
std::string signed_text(std::string_view token, std::string_view secret_b32) {
  return "totp-enrol\n" + std::string(token) + "\n" + std::string(secret_b32);
}

// "JBSW Y3DP EHPK 3PXP": the secret for typing by hand, in groups of four.
std::string grouped(std::string_view b32) {
  std::string out;
  for (std::size_t i = 0; i < b32.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += ' ';
    out += b32[i];
  }
  return out;
}

bool needs_totp(const console_context& ctx, const console_request& r) {
  return ctx.totp_required && role_needs_totp(r.session.user.role);
}

json account_data(const console_context& ctx, const console_request& r) {
  const auto& u = r.session.user;
  std::string towns;
  for (const auto& t : u.towns) towns += (towns.empty() ? "" : ", ") + domain::town_label(t);
  return {{"title", "Il mio account"},
          {"nav_account", true},
          {"email", u.email},
          {"role", role_label(r.role)},
          {"towns", towns.empty() ? std::string("tutti") : towns},
          {"totp_enrolled", u.totp_enrolled},
          {"recovery_codes_left", u.recovery_codes_left},
          {"totp_needed", needs_totp(ctx, r)},
          {"min_password", domain::min_password_characters}};
}

// The enrolment page with a secret: new on a GET, the same one again when
// the code typed did not match.
http::response enrolment_page(const console_context& ctx, const console_request& r, const std::string& secret,
                              std::string message, int status) {
  const auto b32 = crypto::base32_encode(secret);
  const auto uri = crypto::otpauth_uri(secret, ctx.site_name, r.session.user.email, ctx.login->totp());
  json data = {{"title", "Verifica in due passaggi"},
               {"nav_account", true},
               {"enrolling", true},
               {"replacing", r.session.user.totp_enrolled},
               {"required_now", needs_totp(ctx, r) && !r.session.user.totp_enrolled},
               {"qr_svg", web::qr_svg(web::qr_encode(uri), "Codice QR da inquadrare con l'app di autenticazione")},
               {"secret_grouped", grouped(b32)},
               {"secret", b32},
               {"signature", totp_enrolment_signature(ctx, r.token, b32)},
               {"uri", uri}};
  if (!message.empty()) data["message"] = std::move(message);
  return console_page(ctx, r, "console_account_totp", std::move(data), status);
}

}  // namespace

std::string totp_enrolment_signature(const console_context& ctx, std::string_view session_token,
                                     std::string_view secret_b32) {
  return csrf_token(ctx.csrf, signed_text(session_token, secret_b32));
}

void add_console_account_routes(http::router& routes, console_context& ctx) {
  add_console_page(routes, ctx, "GET", "/console/account", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    auto data = account_data(ctx, r);
    const auto query = http::parse_form(r.http.query).value_or(http::form{});
    const auto done = query.get("fatto");
    if (done == "password") data["notice"] = "Password cambiata. Le altre sessioni del tuo account sono state chiuse.";
    if (done == "totp") data["notice"] = "Verifica in due passaggi attiva.";
    co_return console_page(ctx, r, "console_account", std::move(data));
  });

  add_console_page(routes, ctx, "POST", "/console/account/password", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    password_change change;
    change.user_id = r.session.user.id;
    change.email = r.session.user.email;
    change.current = r.form.get("attuale");
    change.chosen = r.form.get("nuova");
    change.repeated = r.form.get("ripeti");
    change.keep_token = r.token;
    change.address = r.http.remote_address;
    const auto now = ctx.now_ms();
    const auto result = co_await ctx.login->change_password(std::move(change), now);
    if (result.outcome != password_change_outcome::changed) {
      auto data = account_data(ctx, r);
      data["password_error"] = result.message;
      int status = 422;
      if (result.outcome == password_change_outcome::wrong_password) status = 403;
      if (result.outcome == password_change_outcome::throttled) status = 429;
      co_return console_page(ctx, r, "console_account", std::move(data), status);
    }
    log::info("staff.password_changed",
              {{"request_id", r.http.request_id}, {"user_id", r.session.user.id}, {"sessions_ended", result.sessions_ended}});
    co_return console_redirect("/console/account?fatto=password");
  });

  add_console_page(routes, ctx, "GET", std::string(totp_enrolment_path), staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    const auto secret = crypto::new_totp_secret(ctx.login->totp().algorithm);
    co_return enrolment_page(ctx, r, secret, "", 200);
  });

  add_console_page(routes, ctx, "POST", std::string(totp_enrolment_path), staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    const auto b32 = r.form.get("segreto");
    const auto secret = crypto::base32_decode(b32);
    if (!secret || secret->size() < 16 || !csrf_valid(ctx.csrf, signed_text(r.token, b32), r.form.get("firma")))
      co_return console_error(ctx, &r, 400, "Modulo non valido",
                              "Il codice segreto del modulo non è quello mostrato in questa sessione. Riapri la "
                              "pagina e inquadra il nuovo codice QR.");
    totp_enrolment e;
    e.user_id = r.session.user.id;
    e.email = r.session.user.email;
    e.password = r.form.get("password");
    e.secret = *secret;
    e.code = r.form.get("codice");
    e.address = r.http.remote_address;
    const auto now = ctx.now_ms();
    auto result = co_await ctx.login->enrol_totp(std::move(e), now);
    switch (result.outcome) {
      case totp_enrolment_outcome::enrolled: break;
      case totp_enrolment_outcome::wrong_password:
        co_return enrolment_page(ctx, r, *secret, result.message, 403);
      case totp_enrolment_outcome::throttled:
        co_return enrolment_page(ctx, r, *secret, result.message, 429);
      case totp_enrolment_outcome::wrong_code:
        co_return enrolment_page(ctx, r, *secret, result.message, 422);
    }
    log::info("staff.totp_enrolled", {{"request_id", r.http.request_id}, {"user_id", r.session.user.id}});
    // Shown here once, never again: the page is no-store like every
    // console page, and only the codes' hashes are kept.
    json codes = json::array();
    for (const auto& c : result.recovery_codes) codes.push_back(c);
    json data = {{"title", "Verifica in due passaggi attiva"},
                 {"nav_account", true},
                 {"enrolled", true},
                 {"recovery_codes", std::move(codes)}};
    co_return console_page(ctx, r, "console_account_totp", std::move(data));
  });
}

}  // namespace banditore::app

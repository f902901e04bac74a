// A console over the SQLite engine on an in-memory database (models,
// attachments, alerts, the catalogue: the stores /v1/models and /v1/media
// use), with the staff accounts in the fake store: the model pages' and
// the compose attachment's tests share it.
#pragma once

#include <banditore/app/console.hpp>
#include <banditore/app/console_compose.hpp>
#include <banditore/app/console_models.hpp>
#include <banditore/app/console_session.hpp>
#include <banditore/app/staff_login.hpp>
#include <banditore/crypto/password.hpp>
#include <banditore/store/models.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include "../fake_store.hpp"
#include "route_call.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

namespace banditore::testing {

using namespace banditore::app;

inline constexpr std::int64_t t0 = 1'700'000'000'000;
inline const std::string password = "una frase lunga e strana";

inline std::string form_escape(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

inline std::unique_ptr<SQLite::Database> migrated_memory_database() {
  auto db = store::sqlite::open_database(":memory:");
  store::sqlite::migrate(*db);
  return db;
}

struct console_engine_fixture {
  fake_store accounts;
  std::unique_ptr<store::sqlite::engine> engine = std::make_unique<store::sqlite::engine>(
      migrated_memory_database(), crypto::generate_data_keys(), store::sqlite::engine_options{});
  login_throttle throttle;
  std::int64_t now = t0;
  staff_login_options options = [] {
    staff_login_options o;
    o.cost = crypto::minimum_password_cost();
    o.require_totp = false;
    return o;
  }();
  staff_login login{accounts, throttle, options};
  console_context ctx;
  alerts_context api;
  http::router routes;

  console_engine_fixture() {
    ctx.accounts = &accounts;
    ctx.alerts = engine.get();
    ctx.audience = engine.get();
    ctx.drafts = engine.get();
    ctx.login = &login;
    ctx.csrf.fill(7);
    ctx.limits = options.limits;
    ctx.totp_required = false;
    ctx.now = [this] { return now; };
    api.alerts = engine.get();
    api.models = engine.get();
    api.media = engine.get();
    api.audience = engine.get();
    add_console_routes(routes, ctx);
    add_console_compose_routes(routes, ctx, api);
    add_console_model_routes(routes, ctx, api);
  }

  // A staff member of this role, logged in: their session token.
  std::string member(std::string email, std::string role) {
    accounts.create_user({email, "Maria Rossi", role, {}, crypto::hash_password(password, options.cost)}, "cli", now);
    auto req = make_request("POST", "/console/login",
                            "email=" + form_escape(email) + "&password=" + form_escape(password) + "&next=%2Fconsole%2F");
    const auto res = call(routes, req);
    REQUIRE(res.status == 303);
    const auto cookie = header_of(res, "Set-Cookie");
    REQUIRE(cookie.rfind("banditore_session=", 0) == 0);
    return cookie.substr(18, store::session_token_length);
  }

  std::string csrf(const std::string& token) { return "csrf=" + csrf_token(ctx.csrf, token); }

  http::response get(std::string target, const std::string& token) {
    auto req = make_request("GET", target);
    req.headers.push_back({"Cookie", "banditore_session=" + token});
    return call(routes, req);
  }
  http::response post(std::string target, const std::string& token, std::string body) {
    auto req = make_request("POST", target, std::move(body));
    req.headers.push_back({"Cookie", "banditore_session=" + token});
    req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    return call(routes, req);
  }

  std::vector<store::model_record> models() { return run_blocking(engine->list_models()); }
};

}  // namespace banditore::testing

// The console's message model pages: the staff accounts in the fake store,
// the models in the SQLite engine on an in-memory database (the store
// /v1/models uses), so a page and the API see the same rows.
#include <banditore/app/console_models.hpp>

#include <banditore/app/console.hpp>
#include <banditore/app/console_compose.hpp>
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

using namespace banditore;
using namespace banditore::app;
using banditore::testing::call;
using banditore::testing::header_of;
using banditore::testing::make_request;
using banditore::testing::run_blocking;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;
const std::string password = "una frase lunga e strana";

std::string form_escape(std::string_view s) {
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

std::unique_ptr<SQLite::Database> migrated_memory_database() {
  auto db = store::sqlite::open_database(":memory:");
  store::sqlite::migrate(*db);
  return db;
}

struct fixture {
  testing::fake_store accounts;
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

  fixture() {
    ctx.accounts = &accounts;
    ctx.alerts = engine.get();
    ctx.audience = engine.get();
    ctx.login = &login;
    ctx.csrf.fill(7);
    ctx.limits = options.limits;
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

const std::string water_fields =
    "&nome=Interruzione+idrica&testo=Interruzione+idrica+in+via+___+dalle+___+alle+___&categoria=water&gravita=moderate";

}  // namespace

TEST_CASE("an editor writes a model in the console: stored as /v1/models stores it, listed with its blanks") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  const auto form = f.get("/console/models/new", editor);
  REQUIRE(form.status == 200);
  CHECK(form.body.find("name=\"csrf\" value=\"" + csrf_token(f.ctx.csrf, editor) + "\"") != std::string::npos);
  const auto res = f.post("/console/models", editor, f.csrf(editor) + water_fields);
  REQUIRE(res.status == 303);
  const auto list = f.models();
  REQUIRE(list.size() == 1);
  CHECK(list[0].name == "Interruzione idrica");
  CHECK(list[0].text == "Interruzione idrica in via ___ dalle ___ alle ___");
  CHECK(list[0].category == "water");
  CHECK(list[0].created_by == "staff:editor@comune.it");
  const auto page = f.get("/console/models", editor);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("<td>Interruzione idrica</td><td>3</td><td>acqua</td>") != std::string::npos);
  CHECK(page.body.find("href=\"/console/models/" + std::to_string(list[0].id) + "/use\"") != std::string::npos);
}

TEST_CASE("a model the API would refuse is a 422 page with its reasons, and a name taken a 409 page; nothing stored") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  const auto blank = f.post("/console/models", editor, f.csrf(editor) + "&nome=&testo=x&categoria=water&gravita=moderate");
  CHECK(blank.status == 422);
  CHECK(blank.content_type.find("text/html") == 0);
  CHECK(blank.body.find("role=\"alert\"") != std::string::npos);
  CHECK(f.models().empty());
  const auto severity = f.post("/console/models", editor, f.csrf(editor) + "&nome=A&testo=x&categoria=water&gravita=tremenda");
  CHECK(severity.status == 422);
  CHECK(f.models().empty());
  REQUIRE(f.post("/console/models", editor, f.csrf(editor) + water_fields).status == 303);
  const auto again = f.post("/console/models", editor, f.csrf(editor) + water_fields);
  CHECK(again.status == 409);
  CHECK(again.body.find("Interruzione idrica") != std::string::npos);  // what was typed stays
  CHECK(f.models().size() == 1);
}

TEST_CASE("a model is changed and removed from its page, only with the session's CSRF token") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  REQUIRE(f.post("/console/models", editor, f.csrf(editor) + water_fields).status == 303);
  const auto id = std::to_string(f.models().at(0).id);
  const auto page = f.get("/console/models/" + id, editor);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("action=\"/console/models/" + id + "/remove\"") != std::string::npos);
  const std::string changed = "&nome=Acqua+sospesa&testo=Acqua+sospesa+in+via+___&categoria=water&gravita=severe";
  CHECK(f.post("/console/models/" + id, editor, "csrf=sbagliato" + changed).status == 403);
  CHECK(f.models().at(0).name == "Interruzione idrica");
  REQUIRE(f.post("/console/models/" + id, editor, f.csrf(editor) + changed).status == 303);
  CHECK(f.models().at(0).name == "Acqua sospesa");
  CHECK(f.models().at(0).severity == "severe");
  CHECK(f.post("/console/models/" + id + "/remove", editor, "csrf=sbagliato").status == 403);
  CHECK(f.models().size() == 1);
  REQUIRE(f.post("/console/models/" + id + "/remove", editor, f.csrf(editor)).status == 303);
  CHECK(f.models().empty());
  CHECK(f.get("/console/models/" + id, editor).status == 404);
  CHECK(f.post("/console/models/" + id + "/remove", editor, f.csrf(editor)).status == 404);
  CHECK(f.get("/console/models/nove", editor).status == 404);
}

TEST_CASE("usa modello asks for each blank and opens the compose page filled in, saving nothing") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  REQUIRE(f.post("/console/models", editor, f.csrf(editor) + water_fields).status == 303);
  const auto id = std::to_string(f.models().at(0).id);
  const auto blanks = f.get("/console/models/" + id + "/use", editor);
  REQUIRE(blanks.status == 200);
  CHECK(blanks.body.find("id=\"spazio-3\" name=\"spazio\"") != std::string::npos);
  CHECK(blanks.body.find("id=\"spazio-4\"") == std::string::npos);
  CHECK(blanks.body.find("<script>") == std::string::npos);  // no inline script
  const auto filled =
      f.post("/console/models/" + id + "/use", editor, f.csrf(editor) + "&spazio=Roma&spazio=9&spazio=13");
  REQUIRE(filled.status == 200);
  CHECK(filled.body.find("<h1>Nuovo avviso</h1>") != std::string::npos);
  CHECK(filled.body.find(">Interruzione idrica in via Roma dalle 9 alle 13</textarea>") != std::string::npos);
  CHECK(filled.body.find("value=\"Interruzione idrica\"") != std::string::npos);
  CHECK(filled.body.find("<option value=\"water\" selected>") != std::string::npos);
  CHECK(run_blocking(f.engine->list_drafts("", 0, 10)).empty());
}

TEST_CASE("blanks filled wrongly are a 422 page that keeps what was typed") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  REQUIRE(f.post("/console/models", editor, f.csrf(editor) + water_fields).status == 303);
  const auto id = std::to_string(f.models().at(0).id);
  const auto few = f.post("/console/models/" + id + "/use", editor, f.csrf(editor) + "&spazio=Roma&spazio=9");
  CHECK(few.status == 422);
  CHECK(few.content_type.find("text/html") == 0);
  CHECK(few.body.find("value=\"Roma\"") != std::string::npos);
  const auto empty = f.post("/console/models/" + id + "/use", editor, f.csrf(editor) + "&spazio=Roma&spazio=+&spazio=13");
  CHECK(empty.status == 422);
  const auto nested = f.post("/console/models/" + id + "/use", editor, f.csrf(editor) + "&spazio=Roma&spazio=___&spazio=13");
  CHECK(nested.status == 422);
  CHECK(f.post("/console/models/" + id + "/use", editor, "csrf=no&spazio=a&spazio=b&spazio=c").status == 403);
  CHECK(f.post("/console/models/999/use", editor, f.csrf(editor) + "&spazio=a").status == 404);
}

TEST_CASE("the model pages need a session") {
  fixture f;
  auto req = make_request("GET", "/console/models");
  const auto res = call(f.routes, req);
  CHECK(res.status == 303);
  CHECK(header_of(res, "Location").rfind("/console/login", 0) == 0);
  auto post = make_request("POST", "/console/models", "nome=a&testo=b");
  CHECK(call(f.routes, post).status == 303);
  CHECK(f.models().empty());
}

#include <banditore/app/console_admin.hpp>

#include "route_call.hpp"

#include <banditore/app/console.hpp>
#include <banditore/app/console_session.hpp>
#include <banditore/app/staff_login.hpp>
#include <banditore/config/effective_settings.hpp>
#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/password.hpp>
#include <banditore/domain/replies.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <map>

using namespace banditore;
using namespace banditore::app;
using banditore::testing::call;
using banditore::testing::header_of;
using banditore::testing::make_request;
using banditore::testing::run_blocking;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;
const std::string password = "una frase lunga e strana";
const std::string admin_email = "a.bianchi@comune.it";
// A citizen's number, imported as a subscriber: no admin page may show it.
const std::string citizen_number = "333 765 4321";
// An Italian mobile number: ten digits starting with 3 ("333 765 4321"),
// or twelve with the country code ("39 333 765 4321"), spaces between them
// ignored. A landline in an example ("0776 123456", "+39 0545 123456")
// has a 0 after the country code.
bool phone_like(const std::string& body) {
  std::string digits;
  auto mobile = [&digits] {
    if (digits.size() >= 11 && digits.rfind("39", 0) == 0) return digits[2] == '3';
    return digits.size() >= 10 && digits[0] == '3';
  };
  for (char c : body) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ') {
      if (mobile()) return true;
      digits.clear();
    }
  }
  return mobile();
}

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

// A database file of its own (the audit log is read back through a
// second connection), removed at the end.
struct temp_db {
  std::filesystem::path path;
  temp_db() {
    static std::atomic<int> n{0};
    path = std::filesystem::temp_directory_path() /
           ("banditore-console-admin-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".db");
  }
  ~temp_db() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
};

struct fixture {
  temp_db file;
  std::unique_ptr<store::sqlite::engine> engine;
  login_throttle throttle;
  staff_login_options options = [] {
    staff_login_options o;
    o.cost = crypto::minimum_password_cost();
    o.require_totp = false;
    return o;
  }();
  std::unique_ptr<staff_login> login;
  console_context ctx;
  console_admin_context admin;
  http::router routes;
  std::int64_t now = t0;

  fixture() {
    auto connection = store::sqlite::open_database(file.path.string());
    store::sqlite::migrate(*connection);
    engine = std::make_unique<store::sqlite::engine>(std::move(connection), crypto::generate_data_keys(),
                                                     store::sqlite::engine_options{});
    login = std::make_unique<staff_login>(*engine, throttle, options);
    ctx.accounts = engine.get();
    ctx.audience = engine.get();
    ctx.login = login.get();
    ctx.csrf.fill(9);
    ctx.limits = options.limits;
    ctx.totp_required = false;
    ctx.now = [this] { return now; };
    admin.staff = engine.get();
    admin.keys = engine.get();
    admin.replies = domain::italian_replies("Lugo", {"l'URP, 0545 38111", ""});
    admin.settings = config::effective_settings([](const std::string& name) -> std::optional<std::string> {
      if (name == "BANDITORE_WA_TOKEN") return "EAAG-segretissimo-token";
      if (name == "BANDITORE_CAP_FEEDS") return "https://utente:parolasegreta@allerte.example.it/feed.xml";
      if (name == "BANDITORE_TOWN") return "Lugo";
      return std::nullopt;
    });
    add_console_routes(routes, ctx);
    add_console_admin_routes(routes, ctx, admin);
    store::audience_admin& catalogue = *engine;
    REQUIRE(catalogue.add_entry(domain::town{"lugo", "Comune di Lugo", {}, ""}, {"cli", {}}, now).ok());
    REQUIRE(catalogue.add_entry(domain::town{"cotignola", "Comune di Cotignola", {}, ""}, {"cli", {}}, now).ok());
  }

  std::int64_t add(const std::string& email, const std::string& role, std::string name = "Anna Bianchi") {
    store::staff_admin& staff = *engine;
    return staff.create_user({email, std::move(name), role, {}, crypto::hash_password(password, options.cost)}, "cli",
                             now);
  }

  http::response post_login(const std::string& email, const std::string& pw) {
    auto req = make_request("POST", "/console/login",
                            "email=" + form_escape(email) + "&password=" + form_escape(pw) + "&next=%2Fconsole%2F");
    return call(routes, req);
  }

  std::string log_in(const std::string& email, const std::string& pw = password) {
    const auto res = post_login(email, pw);
    REQUIRE(res.status == 303);
    const auto cookie = header_of(res, "Set-Cookie");
    REQUIRE(cookie.rfind("banditore_session=", 0) == 0);
    return cookie.substr(18, store::session_token_length);
  }

  std::string csrf(const std::string& token) const { return csrf_token(ctx.csrf, token); }

  http::response get(const std::string& target, const std::string& token) {
    auto req = make_request("GET", target);
    req.headers.push_back({"Cookie", "banditore_session=" + token});
    return call(routes, req);
  }
  // A form with this session's CSRF token first.
  http::response post(const std::string& target, const std::string& token, const std::string& fields) {
    return post_raw(target, token, "csrf=" + form_escape(csrf(token)) + (fields.empty() ? "" : "&" + fields));
  }
  http::response post_raw(const std::string& target, const std::string& token, std::string body) {
    auto req = make_request("POST", target, std::move(body));
    req.headers.push_back({"Cookie", "banditore_session=" + token});
    return call(routes, req);
  }

  std::vector<store::staff_user> users() {
    store::staff_admin& staff = *engine;
    return staff.list_users();
  }
  std::optional<store::staff_user> user(const std::string& email) {
    store::staff_admin& staff = *engine;
    return staff.find_user(email);
  }

  // (actor, action) of the audit log, oldest first.
  std::vector<std::pair<std::string, std::string>> audit() {
    SQLite::Database db(file.path.string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT actor, action FROM audit_log ORDER BY id");
    std::vector<std::pair<std::string, std::string>> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    return out;
  }
  bool audited(const std::string& actor, const std::string& action) {
    const auto log = audit();
    return std::find(log.begin(), log.end(), std::make_pair(actor, action)) != log.end();
  }
};

// The value of the read-only field a secret is shown in.
std::string shown_secret(const std::string& body) {
  const std::string marker = "id=\"segreto\" class=\"secret\" type=\"text\" readonly value=\"";
  const auto at = body.find(marker);
  if (at == std::string::npos) return {};
  const auto start = at + marker.size();
  return body.substr(start, body.find('"', start) - start);
}

bool contains(const std::string& body, std::string_view text) { return body.find(text) != std::string::npos; }

const std::vector<std::string> admin_get_pages = {"/console/admin",          "/console/admin/users",
                                                  "/console/admin/keys",     "/console/admin/audience",
                                                  "/console/admin/replies",  "/console/admin/settings"};

}  // namespace

TEST_CASE("the admin pages refuse editors and publishers with an Italian 403 page, and change nothing") {
  fixture f;
  f.add(admin_email, "admin");
  const auto target = f.add("r.verdi@comune.it", "editor", "Rosa Verdi");
  for (const std::string role : {"editor", "publisher"}) {
    CAPTURE(role);
    const std::string email = role + "@comune.it";
    f.add(email, role);
    const auto token = f.log_in(email);
    std::vector<std::string> pages = admin_get_pages;
    pages.push_back("/console/admin/users/" + std::to_string(target));
    for (const auto& page : pages) {
      CAPTURE(page);
      const auto res = f.get(page, token);
      CHECK(res.status == 403);
      CHECK(res.content_type.rfind("text/html", 0) == 0);
      CHECK(contains(res.body, "Il tuo ruolo non permette di usare questa pagina."));
    }
    const auto id = std::to_string(target);
    for (const auto& [path, fields] : std::vector<std::pair<std::string, std::string>>{
             {"/console/admin/users", "email=x%40comune.it&nome=X&ruolo=admin"},
             {"/console/admin/users/" + id + "/access", "ruolo=admin"},
             {"/console/admin/users/" + id + "/disable", ""},
             {"/console/admin/users/" + id + "/password", ""},
             {"/console/admin/keys", "nome=ufficio&ambiti=alerts%3Asend"},
             {"/console/admin/audience/temi", "id=strade&nome=Strade"}}) {
      CAPTURE(path);
      const auto res = f.post(path, token, fields);
      CHECK(res.status == 403);
      CHECK(res.content_type.rfind("text/html", 0) == 0);
    }
  }
  CHECK(f.users().size() == 4);
  CHECK(f.user("r.verdi@comune.it")->role == "editor");
  CHECK_FALSE(f.user("r.verdi@comune.it")->disabled);
  store::api_key_admin& keys = *f.engine;
  CHECK(keys.list_keys().empty());
}

TEST_CASE("an admin form without this session's CSRF token is a 403 page and stores nothing") {
  fixture f;
  f.add(admin_email, "admin");
  const auto token = f.log_in(admin_email);
  const auto other = f.log_in(admin_email);
  for (const auto& body : {std::string("email=n%40comune.it&nome=Nuovo&ruolo=editor"),
                           "csrf=" + form_escape(f.csrf(other)) + "&email=n%40comune.it&nome=Nuovo&ruolo=editor"}) {
    const auto res = f.post_raw("/console/admin/users", token, body);
    CHECK(res.status == 403);
    CHECK(res.content_type.rfind("text/html", 0) == 0);
    CHECK(contains(res.body, "Modulo scaduto o non valido"));
  }
  const auto keys = f.post_raw("/console/admin/keys", token, "nome=ufficio&ambiti=alerts%3Asend");
  CHECK(keys.status == 403);
  CHECK(f.users().size() == 1);
  store::api_key_admin& key_admin = *f.engine;
  CHECK(key_admin.list_keys().empty());
}

TEST_CASE("every admin page answers an admin with its Italian page, no-store, and no phone number") {
  fixture f;
  f.add(admin_email, "admin");
  store::subscriber_admin& subscribers = *f.engine;
  REQUIRE(subscribers.import("number,consent_date\n" + citizen_number + ",2023-01-02\n", {}, f.now).imported == 1);
  const auto token = f.log_in(admin_email);
  REQUIRE(phone_like("<td>" + citizen_number + "</td>"));  // the check below can fail
  for (const auto& page : admin_get_pages) {
    CAPTURE(page);
    const auto res = f.get(page, token);
    REQUIRE(res.status == 200);
    CHECK(header_of(res, "Cache-Control") == "no-store");
    CHECK(contains(res.body, "<html lang=\"it\">"));
    CHECK(contains(res.body, "href=\"/console/admin\" aria-current=\"page\""));
    CHECK_FALSE(contains(res.body, "<script>"));
    CHECK_FALSE(contains(res.body, "7654321"));
    CHECK_FALSE(phone_like(res.body));
  }
}

TEST_CASE("an admin creates an account: its temporary password is shown once, works, and is audited") {
  fixture f;
  f.add(admin_email, "admin");
  const auto token = f.log_in(admin_email);
  const auto res = f.post("/console/admin/users", token,
                          "email=M.Rossi%40Comune.it&nome=Maria+Rossi&ruolo=publisher&comuni=lugo");
  REQUIRE(res.status == 201);
  CHECK(header_of(res, "Cache-Control") == "no-store");
  CHECK(contains(res.body, "Copiala ora: non sarà mostrata di nuovo."));
  const auto temporary = shown_secret(res.body);
  REQUIRE(temporary.size() >= 16);

  const auto made = f.user("m.rossi@comune.it");
  REQUIRE(made);
  CHECK(made->role == "publisher");
  CHECK(made->towns == std::vector<std::string>{"lugo"});
  CHECK(f.audited("staff:" + admin_email, "staff.create"));
  // The password works, and no page shows it again.
  CHECK(f.post_login("m.rossi@comune.it", temporary).status == 303);
  for (const auto& page : {std::string("/console/admin/users"), "/console/admin/users/" + std::to_string(made->id)})
    CHECK_FALSE(contains(f.get(page, token).body, temporary));
  const auto list = f.get("/console/admin/users", token);
  CHECK(contains(list.body, "Maria Rossi"));
  CHECK(contains(list.body, "pubblicatore"));
  CHECK(contains(list.body, "Comune di Lugo"));
}

TEST_CASE("a refused account form comes back with the Italian reason and what was typed, and stores nothing") {
  fixture f;
  f.add(admin_email, "admin");
  const auto token = f.log_in(admin_email);
  struct refusal {
    std::string fields;
    int status;
    std::string message;
  };
  for (const auto& [fields, status, message] : std::vector<refusal>{
           {"email=non-un-indirizzo&nome=Maria+Rossi&ruolo=editor", 422, "L&apos;indirizzo email non è valido."},
           {"email=m.rossi%40comune.it&nome=+&ruolo=editor", 422, "Scrivi il nome della persona."},
           {"email=m.rossi%40comune.it&nome=" + std::string(101, 'x') + "&ruolo=editor", 422, "al massimo 100 caratteri"},
           {"email=m.rossi%40comune.it&nome=Maria+Rossi&ruolo=capo", 422, "Scegli un ruolo"},
           {"email=m.rossi%40comune.it&nome=Maria+Rossi&ruolo=editor&comuni=atlantide", 422,
            "Il comune «atlantide» non esiste."},
           {"email=A.Bianchi%40comune.it&nome=Maria+Rossi&ruolo=editor", 409, "Esiste già un account"}}) {
    CAPTURE(fields);
    const auto res = f.post("/console/admin/users", token, fields);
    CHECK(res.status == status);
    CHECK(res.content_type.rfind("text/html", 0) == 0);
    CHECK(contains(res.body, message));
    CHECK(contains(res.body, "role=\"alert\""));
    CHECK(contains(res.body, "Nuovo account"));  // the form again
    CHECK(shown_secret(res.body).empty());
  }
  // What was typed stays in the form.
  const auto res = f.post("/console/admin/users", f.log_in(admin_email),
                          "email=m.rossi%40comune.it&nome=Maria+Rossi&ruolo=publisher&comuni=atlantide&comuni=lugo");
  CHECK(contains(res.body, "value=\"m.rossi@comune.it\""));
  CHECK(contains(res.body, "value=\"Maria Rossi\""));
  CHECK(contains(res.body, "<option value=\"publisher\" selected>"));
  CHECK(contains(res.body, "value=\"lugo\" checked"));
  CHECK(f.users().size() == 1);
}

TEST_CASE("an admin cannot disable or demote the last enabled admin, themselves included") {
  fixture f;
  const auto me = f.add(admin_email, "admin");
  const auto token = f.log_in(admin_email);
  const auto id = std::to_string(me);
  auto res = f.post("/console/admin/users/" + id + "/disable", token, "");
  CHECK(res.status == 409);
  CHECK(contains(res.body, "Non resterebbe nessun amministratore attivo"));
  res = f.post("/console/admin/users/" + id + "/access", token, "ruolo=editor");
  CHECK(res.status == 409);
  CHECK(contains(res.body, "Non resterebbe nessun amministratore attivo"));
  CHECK(f.user(admin_email)->role == "admin");
  CHECK_FALSE(f.user(admin_email)->disabled);

  // With a second admin the first may step down; the change is audited.
  const auto other = f.add("c.neri@comune.it", "admin", "Carlo Neri");
  res = f.post("/console/admin/users/" + id + "/access", token, "ruolo=publisher&comuni=cotignola");
  CHECK(res.status == 303);
  CHECK(header_of(res, "Location") == "/console/admin/users/" + id);
  CHECK(f.user(admin_email)->role == "publisher");
  CHECK(f.user(admin_email)->towns == std::vector<std::string>{"cotignola"});
  CHECK(f.audited("staff:" + admin_email, "staff.role"));
  CHECK(f.audited("staff:" + admin_email, "staff.towns"));
  // Now the other one is the last admin.
  const auto theirs = f.log_in("c.neri@comune.it");
  CHECK(f.post("/console/admin/users/" + std::to_string(other) + "/disable", theirs, "").status == 409);
}

TEST_CASE("an admin disables and enables an account; disabling ends its sessions") {
  fixture f;
  f.add(admin_email, "admin");
  const auto editor = f.add("r.verdi@comune.it", "editor", "Rosa Verdi");
  const auto token = f.log_in(admin_email);
  const auto theirs = f.log_in("r.verdi@comune.it");
  const auto id = std::to_string(editor);
  auto res = f.post("/console/admin/users/" + id + "/disable", token, "");
  CHECK(res.status == 303);
  CHECK(f.user("r.verdi@comune.it")->disabled);
  CHECK(f.get("/console/", theirs).status == 303);  // back to the login
  CHECK(f.post_login("r.verdi@comune.it", password).status == 401);
  CHECK(f.audited("staff:" + admin_email, "staff.disable"));
  const auto page = f.get("/console/admin/users/" + id, token);
  CHECK(contains(page.body, "Riattiva l'account"));
  res = f.post("/console/admin/users/" + id + "/enable", token, "");
  CHECK(res.status == 303);
  CHECK_FALSE(f.user("r.verdi@comune.it")->disabled);
  CHECK(f.audited("staff:" + admin_email, "staff.enable"));
  CHECK(f.post("/console/admin/users/999/disable", token, "").status == 404);
  CHECK(f.get("/console/admin/users/999", token).status == 404);
  CHECK(f.get("/console/admin/users/abc", token).status == 404);
}

TEST_CASE("an admin resets a password: the new one is shown once, the old one and its sessions end") {
  fixture f;
  f.add(admin_email, "admin");
  const auto editor = f.add("r.verdi@comune.it", "editor", "Rosa Verdi");
  const auto token = f.log_in(admin_email);
  const auto theirs = f.log_in("r.verdi@comune.it");
  const auto res = f.post("/console/admin/users/" + std::to_string(editor) + "/password", token, "");
  REQUIRE(res.status == 200);
  CHECK(header_of(res, "Cache-Control") == "no-store");
  const auto temporary = shown_secret(res.body);
  REQUIRE(temporary.size() >= 16);
  CHECK(f.get("/console/", theirs).status == 303);
  CHECK(f.post_login("r.verdi@comune.it", password).status == 401);
  CHECK(f.post_login("r.verdi@comune.it", temporary).status == 303);
  CHECK(f.audited("staff:" + admin_email, "staff.reset_password"));
  CHECK_FALSE(contains(f.get("/console/admin/users/" + std::to_string(editor), token).body, temporary));
}

TEST_CASE("an API key made in the console is shown once with a copy-it-now message, then never again") {
  fixture f;
  f.add(admin_email, "admin");
  const auto token = f.log_in(admin_email);
  const auto res = f.post("/console/admin/keys", token,
                          "nome=ufficio-stampa&ambiti=alerts%3Asend&ambiti=alerts%3Aread&comuni=lugo");
  REQUIRE(res.status == 201);
  CHECK(header_of(res, "Cache-Control") == "no-store");
  CHECK(contains(res.body, "Copiala ora: non sarà mostrata di nuovo."));
  const auto secret = shown_secret(res.body);
  REQUIRE(store::well_formed_token(secret));

  // It works over the REST API's check, with its scopes and towns.
  const auto key = run_blocking(f.engine->authenticate(secret, f.now));
  REQUIRE(key);
  CHECK(key->name == "ufficio-stampa");
  CHECK(key->scopes == std::vector<std::string>{"alerts:send", "alerts:read"});
  CHECK(key->towns == std::vector<std::string>{"lugo"});
  CHECK(f.audited("staff:" + admin_email, "key.create"));

  // The list names it, its prefix, scopes, towns and use; never the token.
  const auto list = f.get("/console/admin/keys", token);
  REQUIRE(list.status == 200);
  CHECK(header_of(list, "Cache-Control") == "no-store");
  CHECK(contains(list.body, "ufficio-stampa"));
  CHECK(contains(list.body, secret.substr(0, store::token_prefix_length)));
  CHECK(contains(list.body, "inviare avvisi"));
  CHECK(contains(list.body, "Comune di Lugo"));
  CHECK_FALSE(contains(list.body, secret));
  CHECK_FALSE(contains(list.body, secret.substr(store::token_prefix_length)));

  // Revoked: refused from now on, and the list says when.
  const auto revoke = f.post("/console/admin/keys/" + std::to_string(key->id) + "/revoke", token, "");
  CHECK(revoke.status == 303);
  CHECK(run_blocking(f.engine->authenticate(secret, f.now))->revoked());
  CHECK(f.audited("staff:" + admin_email, "key.revoke"));
  CHECK(contains(f.get("/console/admin/keys", token).body, "revocata il"));
  CHECK(f.post("/console/admin/keys/999/revoke", token, "").status == 404);
}

TEST_CASE("a refused key form comes back with the Italian reason, and no key is made") {
  fixture f;
  f.add(admin_email, "admin");
  const auto token = f.log_in(admin_email);
  for (const auto& [fields, message] : std::vector<std::pair<std::string, std::string>>{
           {"nome=ufficio", "Scegli almeno un permesso."},
           {"nome=&ambiti=alerts%3Asend", "Dai un nome alla chiave"},
           {"nome=12345&ambiti=alerts%3Asend", "sole cifre"},
           {"nome=bnd_ufficio&ambiti=alerts%3Asend", "non può cominciare con «bnd_»"},
           {"nome=ufficio&ambiti=alerts%3Awrite", "Permesso sconosciuto: «alerts:write»."},
           {"nome=ufficio&ambiti=alerts%3Asend&comuni=atlantide", "Il comune «atlantide» non esiste."}}) {
    CAPTURE(fields);
    const auto res = f.post("/console/admin/keys", token, fields);
    CHECK(res.status == 422);
    CHECK(res.content_type.rfind("text/html", 0) == 0);
    CHECK(contains(res.body, message));
    CHECK(contains(res.body, "Nuova chiave"));
    CHECK(shown_secret(res.body).empty());
  }
  store::api_key_admin& keys = *f.engine;
  CHECK(keys.list_keys().empty());
}

TEST_CASE("the catalogue in the console: add, update and remove, with the REST API's refusals in Italian") {
  fixture f;
  f.add(admin_email, "admin");
  const auto token = f.log_in(admin_email);
  auto res = f.post("/console/admin/audience/temi", token, "id=strade&nome=Strade+e+viabilit%C3%A0&parole=traffico%2C+lavori&predefinito=1");
  CHECK(res.status == 303);
  res = f.post("/console/admin/audience/zone", token, "id=voltana&nome=Voltana&comune=lugo");
  CHECK(res.status == 303);
  auto catalogue = run_blocking(f.engine->catalogue());
  const auto page = f.get("/console/admin/audience", token);
  CHECK(contains(page.body, "· parole: traffico, lavori"));
  CHECK_FALSE(contains(page.body, "· ISTAT"));  // the towns have no code
  CHECK_FALSE(contains(page.body, "Nessuna zona."));
  REQUIRE(catalogue.topics.size() == 1);
  CHECK(catalogue.topics[0].keywords == std::vector<std::string>{"traffico", "lavori"});
  CHECK(catalogue.topics[0].in_default);
  REQUIRE(catalogue.areas.size() == 1);
  CHECK(f.audited("staff:" + admin_email, "topic.add"));

  // Refusals, each the page again with its reason.
  res = f.post("/console/admin/audience/temi", token, "id=Strade+Bianche&nome=Strade");
  CHECK(res.status == 422);
  CHECK(contains(res.body, "Identificativo: da 1 a 40 lettere minuscole"));
  CHECK(contains(res.body, "value=\"Strade Bianche\""));
  res = f.post("/console/admin/audience/temi", token, "id=strade&nome=Ancora");
  CHECK(res.status == 409);
  CHECK(contains(res.body, "Esiste già un tema con l&apos;identificativo «strade»."));
  res = f.post("/console/admin/audience/zone", token, "id=altrove&nome=Altrove&comune=atlantide");
  CHECK(res.status == 422);
  CHECK(contains(res.body, "Comune: scegli un comune di questa installazione."));
  res = f.post("/console/admin/audience/comuni/lugo/remove", token, "");
  CHECK(res.status == 409);
  CHECK(contains(res.body, "ha ancora delle zone (Voltana): toglile prima."));
  res = f.post("/console/admin/audience/comuni", token, "id=bagnacavallo&nome=Bagnacavallo&istat=12");
  CHECK(res.status == 422);
  CHECK(contains(res.body, "Codice ISTAT: le sei cifre"));
  CHECK(f.post("/console/admin/audience/fiumi", token, "id=po&nome=Po").status == 404);
  CHECK(f.post("/console/admin/audience/temi/nessuno", token, "nome=X").status == 404);

  // Updated, then removed.
  res = f.post("/console/admin/audience/zone/voltana", token, "nome=Voltana+di+Lugo&comune=lugo&parole=Voltana");
  CHECK(res.status == 303);
  catalogue = run_blocking(f.engine->catalogue());
  CHECK(catalogue.areas[0].name == "Voltana di Lugo");
  res = f.post("/console/admin/audience/zone/voltana/remove", token, "");
  CHECK(res.status == 303);
  CHECK(run_blocking(f.engine->catalogue()).areas.empty());
  CHECK(f.audited("staff:" + admin_email, "area.remove"));
}

TEST_CASE("a topic people chose is refused with how many chose it") {
  fixture f;
  f.add(admin_email, "admin");
  const auto token = f.log_in(admin_email);
  REQUIRE(f.post("/console/admin/audience/temi", token, "id=strade&nome=Strade&predefinito=1").status == 303);
  store::subscriber_admin& subscribers = *f.engine;
  REQUIRE(subscribers.import("number,consent_date\n" + citizen_number + ",2023-01-02\n333 765 4322,2023-01-02\n", {},
                             f.now)
              .imported == 2);
  const auto res = f.post("/console/admin/audience/temi/strade/remove", token, "");
  CHECK(res.status == 409);
  CHECK(contains(res.body, "Il tema «Strade» è scelto da 2 iscritti"));
  CHECK_FALSE(contains(res.body, "7654321"));
  REQUIRE(run_blocking(f.engine->catalogue()).topics.size() == 1);
}

TEST_CASE("the reply texts are shown read-only as the phone shows them, and the settings with secrets masked") {
  fixture f;
  f.add(admin_email, "admin");
  const auto token = f.log_in(admin_email);
  const auto replies = f.get("/console/admin/replies", token);
  REQUIRE(replies.status == 200);
  CHECK(contains(replies.body, "Qui si leggono soltanto:"));
  CHECK(contains(replies.body, "BANDITORE_REPLIES_FILE"));
  CHECK(contains(replies.body, "Comune di Lugo"));
  // Read-only: the logout is the page's only form.
  std::size_t forms = 0;
  for (auto at = replies.body.find("<form"); at != std::string::npos; at = replies.body.find("<form", at + 1)) ++forms;
  CHECK(forms == 1);
  const auto settings = f.get("/console/admin/settings", token);
  REQUIRE(settings.status == 200);
  CHECK(contains(settings.body, "BANDITORE_WA_TOKEN"));
  CHECK_FALSE(contains(settings.body, "segretissimo"));
  CHECK_FALSE(contains(settings.body, "parolasegreta"));
  CHECK(contains(settings.body, "https://***@allerte.example.it/feed.xml"));
  CHECK(contains(settings.body, "impostato (nascosto)"));
  CHECK(contains(settings.body, "non impostato"));
}

TEST_CASE("a URL's credentials are masked, wherever they are in a list") {
  CHECK(config::mask_url_credentials("https://a:b@x.it/f,http://y.it/g") == "https://***@x.it/f,http://y.it/g");
  CHECK(config::mask_url_credentials("http://y.it/g@h") == "http://y.it/g@h");
  CHECK(config::mask_url_credentials("plain") == "plain");
  CHECK(config::mask_url_credentials("https://t@x.it https://u:v@z.it") == "https://***@x.it https://***@z.it");
}

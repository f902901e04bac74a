#include <banditore/app/console.hpp>
#include <banditore/app/console_account.hpp>
#include <banditore/app/console_alerts.hpp>
#include <banditore/app/console_compose.hpp>
#include <banditore/app/console_drafts.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/approval_rule.hpp>
#include <banditore/domain/draft_decision.hpp>
#include <banditore/http/stream.hpp>

#include "../fake_store.hpp"
#include "route_call.hpp"
#include "../run_blocking.hpp"

#include <banditore/app/console_session.hpp>
#include <banditore/app/staff_login.hpp>
#include <banditore/crypto/password.hpp>
#include <banditore/crypto/totp.hpp>
#include <banditore/store/alert_trail.hpp>
#include <banditore/store/drafts.hpp>
#include <banditore/store/subscriber_figures.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>

#include <doctest/doctest.h>

using namespace banditore;
using namespace banditore::app;
using banditore::testing::call;
using banditore::testing::fake_store;
using banditore::testing::header_of;
using banditore::testing::make_request;

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

// An alert's trail and timeline as a test sets them.
struct fake_trail final : store::alert_trail {
  std::vector<store::audit_entry> entries;
  std::vector<store::delivery_period> periods;
  boost::asio::awaitable<std::vector<store::audit_entry>> alert_audit(std::int64_t) override { co_return entries; }
  boost::asio::awaitable<std::vector<store::delivery_period>> delivery_timeline(std::int64_t, std::int64_t) override {
    co_return periods;
  }
};

// The dashboard's figures as a test sets them.
struct fake_figures final : store::subscriber_figures {
  std::vector<store::day_change> changes;
  store::audience_figures audience;
  boost::asio::awaitable<std::vector<store::day_change>> subscriber_changes(std::int64_t, std::int64_t) override {
    co_return changes;
  }
  boost::asio::awaitable<store::audience_figures> subscribers_by_audience() override { co_return audience; }
};

// Drafts the console saves, kept in a list, with their states as the
// store's rules (domain/draft_decision) move them.
struct fake_drafts final : store::drafts {
  std::vector<std::pair<store::draft_content, std::string>> saved;  // draft, actor
  std::map<std::int64_t, store::draft_record> records;              // by id
  boost::asio::awaitable<store::news_applied> apply_news(std::string, std::string, std::vector<store::news_item_input>,
                                                         std::int64_t) override {
    co_return store::news_applied{};
  }
  boost::asio::awaitable<store::feed_state> news_feed(std::string) override { co_return store::feed_state{}; }
  boost::asio::awaitable<void> news_feed_polled(std::string, std::string, std::string, std::int64_t) override {
    co_return;
  }
  boost::asio::awaitable<int> news_feed_failed(std::string, std::int64_t) override { co_return 0; }
  boost::asio::awaitable<std::vector<store::draft_record>> list_drafts(std::string state, std::int64_t before,
                                                                       std::size_t limit) override {
    std::vector<store::draft_record> out;
    for (auto it = records.rbegin(); it != records.rend() && out.size() < limit; ++it)
      if ((state.empty() || it->second.state == state) && (before == 0 || it->first < before))
        out.push_back(it->second);
    co_return out;
  }
  boost::asio::awaitable<std::optional<store::draft_record>> draft(std::int64_t id) override {
    auto it = records.find(id);
    if (it == records.end()) co_return std::nullopt;
    co_return it->second;
  }
  // As the store does it: the revision compared in the change's transaction.
  // Someone else's edit landing between the page's read and the store's
  // transaction, when a test sets it.
  std::function<void(store::draft_record&)> racing_edit;
  std::optional<store::draft_change> refused(std::int64_t id, std::optional<std::int64_t> revision) {
    auto it = records.find(id);
    if (it != records.end() && racing_edit) racing_edit(it->second);
    if (it == records.end()) return store::draft_change{store::draft_outcome::not_found, std::nullopt};
    if (revision && *revision != it->second.revision) return store::draft_change{store::draft_outcome::stale, it->second};
    return std::nullopt;
  }
  boost::asio::awaitable<store::draft_change> discard_draft(std::int64_t id, store::actor, std::int64_t,
                                                            std::optional<std::int64_t> revision) override {
    if (auto no = refused(id, revision)) co_return *no;
    auto& r = records.find(id)->second;
    if (r.state != store::draft_open && r.state != store::draft_rejected)
      co_return store::draft_change{store::draft_outcome::wrong_state, r};
    r.state = std::string(store::draft_discarded);
    co_return store::draft_change{store::draft_outcome::done, r};
  }
  boost::asio::awaitable<store::draft_change> create_draft(store::draft_content d, std::string source, store::actor who,
                                                           bool submit, std::int64_t now) override {
    store::draft_record r;
    r.id = static_cast<std::int64_t>(saved.size()) + 1;
    r.source = std::move(source);
    r.category = d.alert.category;
    r.severity = std::string(domain::to_string(d.alert.level));
    r.title = d.alert.title;
    r.text = d.alert.text;
    r.audience = d.audience;
    r.state = std::string(submit ? store::draft_pending : store::draft_open);
    r.author = r.editor = who.name;
    r.created_at = r.updated_at = now;
    r.media_id = d.media_id;
    records[r.id] = r;
    saved.emplace_back(std::move(d), who.name);
    co_return store::draft_change{store::draft_outcome::done, r};
  }
  boost::asio::awaitable<store::draft_change> update_draft(std::int64_t id, store::draft_content d, store::actor who,
                                                           std::int64_t now,
                                                           std::optional<std::int64_t> revision) override {
    if (auto no = refused(id, revision)) co_return *no;
    auto it = records.find(id);
    if (domain::may_submit(it->second.state) != domain::draft_verdict::allowed)
      co_return store::draft_change{store::draft_outcome::wrong_state, it->second};
    auto& r = it->second;
    r.category = d.alert.category;
    r.severity = std::string(domain::to_string(d.alert.level));
    r.title = d.alert.title;
    r.text = d.alert.text;
    r.link = d.alert.link;
    r.audience = d.audience;
    r.media_id = d.media_id;
    r.state = std::string(store::draft_open);
    r.editor = who.name;
    r.updated_at = now;
    ++r.revision;
    co_return store::draft_change{store::draft_outcome::done, r};
  }
  boost::asio::awaitable<store::draft_change> submit_draft(std::int64_t id, store::actor, std::int64_t now,
                                                           std::optional<std::int64_t> revision) override {
    if (auto no = refused(id, revision)) co_return *no;
    auto it = records.find(id);
    if (domain::may_submit(it->second.state) != domain::draft_verdict::allowed)
      co_return store::draft_change{store::draft_outcome::wrong_state, it->second};
    it->second.state = std::string(store::draft_pending);
    it->second.submitted_at = now;
    co_return store::draft_change{store::draft_outcome::done, it->second};
  }
  boost::asio::awaitable<store::draft_change> reject_draft(std::int64_t id, std::string reason, store::actor who,
                                                           std::int64_t now,
                                                           std::optional<std::int64_t> revision) override {
    if (auto no = refused(id, revision)) co_return *no;
    auto it = records.find(id);
    if (domain::may_reject(it->second.state) != domain::draft_verdict::allowed)
      co_return store::draft_change{store::draft_outcome::wrong_state, it->second};
    it->second.state = std::string(store::draft_rejected);
    it->second.reject_reason = std::move(reason);
    it->second.decided_by = who.name;
    it->second.decided_at = now;
    co_return store::draft_change{store::draft_outcome::done, it->second};
  }
};

struct fixture {
  fake_store store;
  fake_drafts drafts;
  fake_trail trail;
  fake_figures figures;
  login_throttle throttle;
  std::int64_t now = t0;
  staff_login_options options;
  staff_login login{store, throttle, options};
  console_context ctx;
  alerts_context api;
  http::router routes;

  static staff_login_options options_for(bool require_totp) {
    staff_login_options o;
    o.cost = crypto::minimum_password_cost();
    o.require_totp = require_totp;
    return o;
  }

  explicit fixture(bool require_totp = false) : options(options_for(require_totp)) {
    ctx.totp_required = require_totp;
    ctx.accounts = &store;
    ctx.alerts = &store;
    ctx.trail = &trail;
    ctx.drafts = &drafts;
    ctx.figures = &figures;
    ctx.audience = &store;
    api.alerts = &store;
    api.audience = &store;
    ctx.login = &login;
    ctx.csrf.fill(7);
    ctx.limits = options.limits;
    ctx.now = [this] { return now; };
    add_console_routes(routes, ctx);
    add_console_account_routes(routes, ctx);
    add_console_alert_routes(routes, ctx);
    add_console_compose_routes(routes, ctx, api);
    add_console_draft_routes(routes, ctx, api);
    add_console_page(routes, ctx, "GET", "/console/admin-only", staff_role::admin,
                     [](console_request&) -> boost::asio::awaitable<http::response> {
                       http::response r;
                       r.body = "admin page";
                       co_return r;
                     });
  }

  // An alert made as the API would make it; returns its id.
  std::int64_t alert(std::string title, std::string severity = "moderate", std::string source = "api",
                     std::optional<std::vector<std::string>> towns = std::nullopt) {
    store::new_alert a;
    a.draft.category = "Infra";
    a.draft.level = *domain::parse_severity(severity);
    a.draft.title = std::move(title);
    a.draft.text = "Testo dell'avviso.";
    a.audience.towns = std::move(towns);
    a.source = std::move(source);
    a.not_before = now;
    const auto made = banditore::testing::run_blocking(store.create(std::move(a), {"cli", {}}, 0, now));
    REQUIRE(made.result.outcome == store::create_outcome::created);
    return made.result.id;
  }

  void add(std::string email, std::string role) {
    store.create_user({email, "Maria Rossi", role, {}, crypto::hash_password(password, options.cost)}, "cli", now);
  }

  http::response post_login(std::string email, std::string pw, std::string code = {}) {
    auto req = make_request("POST", "/console/login",
                            "email=" + form_escape(email) + "&password=" + form_escape(pw) +
                                (code.empty() ? "" : "&code=" + code) + "&next=%2Fconsole%2F");
    return call(routes, req);
  }

  // The session token of a login that passed.
  std::string log_in(std::string email) {
    const auto res = post_login(email, password);
    REQUIRE(res.status == 303);
    const auto cookie = header_of(res, "Set-Cookie");
    REQUIRE(cookie.rfind("banditore_session=", 0) == 0);
    return cookie.substr(18, store::session_token_length);
  }

  http::response get(std::string target, const std::string& token) {
    auto req = make_request("GET", target);
    if (!token.empty()) req.headers.push_back({"Cookie", "banditore_session=" + token});
    return call(routes, req);
  }
  http::response post(std::string target, const std::string& token, std::string body) {
    auto req = make_request("POST", target, std::move(body));
    req.headers.push_back({"Cookie", "banditore_session=" + token});
    return call(routes, req);
  }
};

}  // namespace

TEST_CASE("a console page without a session sends the browser to the login page") {
  fixture f;
  const auto res = f.get("/console/", "");
  CHECK(res.status == 303);
  CHECK(header_of(res, "Location") == "/console/login?next=/console/");
  CHECK(header_of(res, "Cache-Control") == "no-store");
}

TEST_CASE("a login opens a session whose dashboard carries the security headers and no inline script") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto res = f.get("/console/", token);
  REQUIRE(res.status == 200);
  CHECK(res.body.find("Cruscotto") != std::string::npos);
  CHECK(res.body.find("Maria Rossi") != std::string::npos);
  CHECK(res.body.find("<script>") == std::string::npos);
  const auto csp = header_of(res, "Content-Security-Policy");
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(header_of(res, "X-Content-Type-Options") == "nosniff");
  CHECK(header_of(res, "Referrer-Policy") == "no-referrer");
  CHECK(header_of(res, "Cache-Control") == "no-store");
}

TEST_CASE("a session idle past its limit sends the browser back to the login page") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  f.now += f.ctx.limits.idle_ms + 1;
  CHECK(f.get("/console/", token).status == 303);
}

TEST_CASE("a form posted without the session's CSRF token is refused with a 403 page and does nothing") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto res = f.post("/console/logout", token, "");
  CHECK(res.status == 403);
  CHECK(res.content_type.find("text/html") == 0);
  CHECK(f.post("/console/logout", token, "csrf=sbagliato").status == 403);
  CHECK(f.get("/console/", token).status == 200);  // still logged in
  const auto ok = f.post("/console/logout", token, "csrf=" + csrf_token(f.ctx.csrf, token));
  CHECK(ok.status == 303);
  CHECK(f.get("/console/", token).status == 303);  // logged out
}

TEST_CASE("a page for admins refuses an editor and a publisher with a 403 page, and opens for an admin") {
  fixture f;
  f.add("editor@comune.it", "editor");
  f.add("publisher@comune.it", "publisher");
  f.add("admin@comune.it", "admin");
  CHECK(f.get("/console/admin-only", f.log_in("editor@comune.it")).status == 403);
  CHECK(f.get("/console/admin-only", f.log_in("publisher@comune.it")).status == 403);
  CHECK(f.get("/console/admin-only", f.log_in("admin@comune.it")).status == 200);
}

TEST_CASE("wrong passwords repeated are throttled with the same Italian words for an unknown account") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  for (int i = 0; i < 5; ++i) CHECK(f.post_login("m.rossi@comune.it", "sbagliata sbagliata").status == 401);
  const auto known = f.post_login("m.rossi@comune.it", password);
  CHECK(known.status == 429);
  CHECK(known.body.find("Troppi tentativi") != std::string::npos);
  for (int i = 0; i < 5; ++i) f.post_login("nessuno@comune.it", "sbagliata sbagliata");
  const auto unknown = f.post_login("nessuno@comune.it", password);
  CHECK(unknown.status == 429);
  CHECK(unknown.body.find("Troppi tentativi") != std::string::npos);
}

TEST_CASE("an account with a second factor is asked its TOTP code, and the right code opens a session") {
  fixture f;
  f.add("m.rossi@comune.it", "publisher");
  const std::string secret = "12345678901234567890";
  REQUIRE(f.store.enroll_totp("m.rossi@comune.it", secret, {}, "cli", t0));
  const auto first = f.post_login("m.rossi@comune.it", password);
  CHECK(first.status == 200);
  CHECK(first.body.find("name=\"code\"") != std::string::npos);
  CHECK(f.post_login("m.rossi@comune.it", password, "000000").status == 401);
  const auto code = crypto::totp(secret, f.now / 1000);
  CHECK(f.post_login("m.rossi@comune.it", password, code).status == 303);
}

TEST_CASE("the login follows only a path inside the console") {
  fixture f;
  auto req = make_request("GET", "/console/login?next=%2F%2Fevil.example%2F");
  const auto res = call(f.routes, req);
  CHECK(res.body.find("evil.example") == std::string::npos);
}

TEST_CASE("the history lists every alert newest first with links to each, in pages of 25") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  for (int i = 1; i <= 30; ++i) f.alert("Avviso numero " + std::to_string(i));
  const auto first = f.get("/console/alerts", token);
  REQUIRE(first.status == 200);
  CHECK(first.body.find("Avviso numero 30") < first.body.find("Avviso numero 29"));
  CHECK(first.body.find("href=\"/console/alerts/30\"") != std::string::npos);
  CHECK(first.body.find("Avviso numero 5<") == std::string::npos);
  CHECK(first.body.find("prima=6") != std::string::npos);
  const auto second = f.get("/console/alerts?prima=6", token);
  REQUIRE(second.status == 200);
  CHECK(second.body.find("Avviso numero 5<") != std::string::npos);
  CHECK(second.body.find("Avviso numero 6<") == std::string::npos);
  CHECK(second.body.find("rel=\"next\"") == std::string::npos);
}

TEST_CASE("the history filters by title, severity, source, town and day, and keeps the filters on the next page") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  f.alert("Acqua sospesa in via Roma", "minor", "api", std::vector<std::string>{"lugo"});
  f.alert("Allerta meteo rossa", "extreme", "cap");
  f.alert("Strada chiusa", "moderate", "console", std::vector<std::string>{"voltana"});
  auto has = [](const http::response& r, std::string_view s) { return r.body.find(s) != std::string::npos; };

  const auto title = f.get("/console/alerts?q=ACQUA", token);
  CHECK(has(title, "Acqua sospesa"));
  CHECK_FALSE(has(title, "Allerta meteo"));
  const auto severity = f.get("/console/alerts?gravita=extreme", token);
  CHECK(has(severity, "Allerta meteo"));
  CHECK_FALSE(has(severity, "Strada chiusa"));
  const auto source = f.get("/console/alerts?origine=console", token);
  CHECK(has(source, "Strada chiusa"));
  CHECK_FALSE(has(source, "Acqua sospesa"));
  const auto town = f.get("/console/alerts?comune=lugo", token);
  CHECK(has(town, "Acqua sospesa"));
  CHECK_FALSE(has(town, "Strada chiusa"));
  // t0 is 14 November 2023 in Rome.
  CHECK(has(f.get("/console/alerts?dal=2023-11-14&al=2023-11-14", token), "Strada chiusa"));
  CHECK_FALSE(has(f.get("/console/alerts?dal=2023-11-15", token), "Strada chiusa"));
  CHECK_FALSE(has(f.get("/console/alerts?al=2023-11-13", token), "Strada chiusa"));

  for (int i = 0; i < 30; ++i) f.alert("Acqua " + std::to_string(i), "minor");
  const auto paged = f.get("/console/alerts?q=acqua&gravita=minor", token);
  CHECK(has(paged, "q=acqua&amp;gravita=minor&amp;prima="));
}

TEST_CASE("a history filter that cannot be read is a 400 page saying which") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto res = f.get("/console/alerts?dal=14-11-2023&gravita=tremenda", token);
  CHECK(res.status == 400);
  CHECK(res.content_type.find("text/html") == 0);
  CHECK(res.body.find("La gravità scelta non esiste.") != std::string::npos);
  CHECK(res.body.find("La data «dal» non è una data") != std::string::npos);
  CHECK(f.get("/console/alerts?prima=abc", token).status == 400);
}

TEST_CASE("an alert's page shows its counts per state and its trail, and reloads itself only while it goes out") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto id = f.alert("Acqua sospesa in via Roma");
  store::outbox_item item;
  item.alert_id = id;
  item.recipient = "393331234567";
  item.phone_hash = "hash";
  f.store.queue(item);
  f.store.queue(item);
  f.trail.entries.push_back({1, t0, "key:ufficio-stampa", "alert.create", id, 3, ""});
  const auto res = f.get("/console/alerts/" + std::to_string(id), token);
  REQUIRE(res.status == 200);
  CHECK(res.body.find("Acqua sospesa in via Roma") != std::string::npos);
  CHECK(res.body.find("<td data-count=\"queued\">2</td>") != std::string::npos);
  CHECK(res.body.find("chiave API «ufficio-stampa» ha creato l&apos;avviso") != std::string::npos);
  CHECK(res.body.find("3331234567") == std::string::npos);
  CHECK(res.body.find("<noscript><meta http-equiv=\"refresh\"") != std::string::npos);
  CHECK(res.body.find("data-events=\"/console/alerts/" + std::to_string(id) + "/events\"") != std::string::npos);
  CHECK(res.body.find("Annulla l'invio") == std::string::npos);  // an editor cannot cancel

  f.store.alert_rows[id].state = "done";
  const auto done = f.get("/console/alerts/" + std::to_string(id), token);
  CHECK(done.body.find("http-equiv=\"refresh\"") == std::string::npos);
  CHECK(done.body.find("data-events") == std::string::npos);
  CHECK(f.get("/console/alerts/999", token).status == 404);
  CHECK(f.get("/console/alerts/abc", token).status == 404);
}

TEST_CASE("an editor cannot cancel an alert; a publisher can, with the session's CSRF token only") {
  fixture f;
  f.add("editor@comune.it", "editor");
  f.add("publisher@comune.it", "publisher");
  const auto id = f.alert("Strada chiusa");
  const auto target = "/console/alerts/" + std::to_string(id) + "/cancel";
  const auto editor = f.log_in("editor@comune.it");
  CHECK(f.post(target, editor, "csrf=" + csrf_token(f.ctx.csrf, editor)).status == 403);
  CHECK(f.store.alert_rows[id].state == "planning");

  const auto publisher = f.log_in("publisher@comune.it");
  CHECK(f.get("/console/alerts/" + std::to_string(id), publisher).body.find("Annulla l'invio") != std::string::npos);
  CHECK(f.post(target, publisher, "").status == 403);
  CHECK(f.post(target, publisher, "csrf=" + csrf_token(f.ctx.csrf, editor)).status == 403);
  CHECK(f.store.alert_rows[id].state == "planning");
  const auto ok = f.post(target, publisher, "csrf=" + csrf_token(f.ctx.csrf, publisher));
  CHECK(ok.status == 303);
  CHECK(header_of(ok, "Location") == "/console/alerts/" + std::to_string(id));
  CHECK(f.store.alert_rows[id].state == "cancelled");
  CHECK(f.store.audit.back() == std::pair<std::string, std::string>{"staff:publisher@comune.it", "alert.cancel"});
}

TEST_CASE("the delivery report is a CSV of counts per minute, with running totals and no number") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto id = f.alert("Allerta meteo");
  f.trail.periods = {{1'700'000'040'000, 10, 4, 1, 0}, {1'700'000'100'000, 5, 9, 2, 1}};
  const auto res = f.get("/console/alerts/" + std::to_string(id) + "/report.csv", token);
  REQUIRE(res.status == 200);
  CHECK(res.content_type.rfind("text/csv", 0) == 0);
  CHECK(header_of(res, "Content-Disposition").find("attachment") == 0);
  CHECK(res.body.rfind("minuto,inviati,consegnati,letti,non_riusciti,", 0) == 0);
  CHECK(res.body.find("2023-11-14T23:14:00+01:00,10,4,1,0,10,4,1,0\r\n") != std::string::npos);
  CHECK(res.body.find("2023-11-14T23:15:00+01:00,5,9,2,1,15,13,3,1\r\n") != std::string::npos);
  // No run of digits as long as a phone number's.
  int run = 0, longest = 0;
  for (char c : res.body) longest = std::max(longest, run = std::isdigit(static_cast<unsigned char>(c)) ? run + 1 : 0);
  CHECK(longest <= 4);
}

namespace {

// What the server gives a streamed response, collecting what is written;
// its waits end the stream after `waits` of them.
struct collecting_stream final : http::body_stream {
  std::string written;
  int waits = 0, allowed_waits = 0;
  boost::asio::awaitable<bool> write(std::string_view bytes) override {
    written += bytes;
    co_return true;
  }
  boost::asio::awaitable<bool> wait(std::chrono::steady_clock::duration) override {
    co_return ++waits <= allowed_waits;
  }
  void wake() override {}
  bool ended() const override { return waits > allowed_waits; }
};

// The "id: " lines of an event-stream body.
std::vector<std::string> stream_ids(const std::string& body) {
  std::vector<std::string> ids;
  for (auto at = body.find("id: "); at != std::string::npos; at = body.find("\nid: ", at + 1)) {
    const auto start = body.find("id: ", at) + 4;
    ids.push_back(body.substr(start, body.find('\n', start) - start));
  }
  return ids;
}

}  // namespace

TEST_CASE("an alert's events are a held text/event-stream whose first event is its progress") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto id = f.alert("Allerta meteo");
  store::outbox_item item;
  item.alert_id = id;
  item.recipient = "393331234567";
  f.store.queue(item);
  const auto res = f.get("/console/alerts/" + std::to_string(id) + "/events", token);
  REQUIRE(res.status == 200);
  CHECK(res.content_type.rfind("text/event-stream", 0) == 0);
  CHECK(header_of(res, "Cache-Control") == "no-store");
  CHECK(res.heartbeat == ": \n\n");
  REQUIRE(res.stream);
  collecting_stream out;
  testing::run_blocking(res.stream(out));
  CHECK(out.waits == 1);  // still sending: it waited for a change, and the stream ended there
  const auto& body = out.written;
  REQUIRE(body.rfind("retry: 5000\n\nid: ", 0) == 0);
  REQUIRE(body.find("\nevent: progress\ndata: {") != std::string::npos);
  const auto data = body.substr(body.find("data: ") + 6);
  REQUIRE(data.size() > 2);
  CHECK(data.substr(data.size() - 2) == "\n\n");
  const auto progress = nlohmann::json::parse(data.substr(0, data.size() - 2));
  CHECK(progress["counts"]["queued"] == 1);
  CHECK(progress["in_progress"] == true);
  CHECK(progress["live"] == true);
  CHECK(progress.contains("rate_per_second"));
  CHECK(progress.contains("estimated_end"));
  CHECK(body.find("3331234567") == std::string::npos);
  CHECK(f.get("/console/alerts/" + std::to_string(id) + "/events", "").status == 303);
}

TEST_CASE("an alert's event stream writes only changes, ends at the alert's end, and honours Last-Event-ID") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto id = f.alert("Allerta meteo");
  const auto path = "/console/alerts/" + std::to_string(id) + "/events";

  // Three waits without a change: one event only.
  auto res = f.get(path, token);
  REQUIRE(res.stream);
  collecting_stream unchanged;
  unchanged.allowed_waits = 3;
  testing::run_blocking(res.stream(unchanged));
  CHECK(stream_ids(unchanged.written).size() == 1);

  // Ended: one event, then the stream returns without waiting.
  f.store.alert_rows[id].state = "done";
  res = f.get(path, token);
  REQUIRE(res.stream);
  collecting_stream ended;
  ended.allowed_waits = 10;
  testing::run_blocking(res.stream(ended));
  CHECK(ended.waits == 0);
  const auto ids = stream_ids(ended.written);
  REQUIRE(ids.size() == 1);
  CHECK(ids[0].rfind("done.", 0) == 0);

  // A reconnection that has that event: 204, nothing held.
  auto req = make_request("GET", path);
  req.headers.push_back({"Cookie", "banditore_session=" + token});
  req.headers.push_back({"Last-Event-ID", ids[0]});
  const auto again = call(f.routes, req);
  CHECK(again.status == 204);
  CHECK_FALSE(again.stream);
  // One that has an older event: the current one.
  auto older = make_request("GET", path);
  older.headers.push_back({"Cookie", "banditore_session=" + token});
  older.headers.push_back({"Last-Event-ID", "sending.1.0.0.0.0.0.0.0"});
  const auto catch_up = call(f.routes, older);
  REQUIRE(catch_up.stream);
  collecting_stream caught;
  testing::run_blocking(catch_up.stream(caught));
  CHECK(stream_ids(caught.written) == ids);
}

TEST_CASE("the compose page offers the catalogue's towns and topics, and Invia to publishers only") {
  fixture f;
  domain::town lugo;
  lugo.id = "lugo";
  lugo.name = "Comune di Lugo";
  f.store.catalogue_data.towns.push_back(lugo);
  domain::topic water;
  water.id = "acqua";
  water.name = "Acqua";
  f.store.catalogue_data.topics.push_back(water);
  f.add("editor@comune.it", "editor");
  f.add("publisher@comune.it", "publisher");
  const auto editor = f.log_in("editor@comune.it");
  const auto page = f.get("/console/compose", editor);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("name=\"comuni\" id=\"comune-lugo\" value=\"lugo\"") != std::string::npos);
  CHECK(page.body.find("name=\"temi\" id=\"tema-acqua\" value=\"acqua\"") != std::string::npos);
  CHECK(page.body.find("name=\"csrf\" value=\"" + csrf_token(f.ctx.csrf, editor) + "\"") != std::string::npos);
  CHECK(page.body.find("value=\"invia\"") == std::string::npos);
  const auto publisher = f.log_in("publisher@comune.it");
  CHECK(f.get("/console/compose", publisher).body.find("value=\"invia\"") != std::string::npos);
}

TEST_CASE("Anteprima shows the phone's text with WhatsApp's formatting, its counter and the recipients") {
  fixture f;
  f.store.add_subscriber();
  f.store.add_subscriber();
  f.add("editor@comune.it", "editor");
  const auto token = f.log_in("editor@comune.it");
  const auto csrf = "csrf=" + csrf_token(f.ctx.csrf, token);
  CHECK(f.post("/console/compose", token, "categoria=water&gravita=moderate&titolo=Acqua&testo=x").status == 403);
  const auto res = f.post("/console/compose", token,
                          csrf + "&categoria=water&gravita=moderate&titolo=Acqua+sospesa&testo=Da+*domani*+alle+8"
                                 "&azione=anteprima");
  REQUIRE(res.status == 200);
  CHECK(res.body.find("<strong>domani</strong>") != std::string::npos);
  CHECK(res.body.find("di 4096 caratteri") != std::string::npos);
  CHECK(res.body.find("<dt>Destinatari</dt><dd>2 ") != std::string::npos);
  CHECK(res.body.find("value=\"Acqua sospesa\"") != std::string::npos);  // what was typed stays
  CHECK(f.store.alert_rows.empty());
}

TEST_CASE("with several numbers Anteprima shows each number's share and each portfolio's limit, use and wait") {
  fixture f;
  f.add("editor@comune.it", "editor");
  // Three numbers: Lugo and Bagnacavallo of portfolio 900 (2,000 a day,
  // 1,900 used today), Conselice of 901 (250, none used).
  f.api.numbers = {{"lugo", "100", "900", 80, 2000}, {"bagnacavallo", "200", "900", 40, 2000},
                   {"conselice", "300", "901", 80, 250}};
  store::alert_preview_counts counts;
  counts.audience.recipients = 900;
  counts.audience.outside_window = 600;
  counts.audience.numbers = {{"bagnacavallo", 300, 200}, {"conselice", 200, 200}, {"lugo", 400, 200}};
  counts.usage.used = 1900;
  counts.portfolios = {{"900", 1900, f.now + 3600'000}};
  f.store.preview_counts = counts;
  const auto token = f.log_in("editor@comune.it");
  const auto res = f.post("/console/compose", token,
                          "csrf=" + csrf_token(f.ctx.csrf, token) +
                              "&categoria=water&gravita=moderate&titolo=Acqua+sospesa&testo=x&azione=anteprima");
  REQUIRE(res.status == 200);
  const auto& page = res.body;
  CHECK(page.find("<dt>Destinatari</dt><dd>900 (600 con il modello, 300 come testo)</dd>") != std::string::npos);
  CHECK(page.find("<dt>Per numero</dt>") != std::string::npos);
  // 300 at 40 a second: 7.5 s; numbers send in parallel.
  CHECK(page.find("<strong>bagnacavallo</strong>: 300 destinatari (200 con il modello), circa un minuto") !=
        std::string::npos);
  CHECK(page.find("<strong>lugo</strong>: 400 destinatari (200 con il modello)") != std::string::npos);
  // Portfolio 900: 100 of room for 400 outside the window; 901 has room.
  CHECK(page.find("Portafoglio <strong>900</strong>: limite 2000 al giorno, già raggiunti 1900, fuori finestra 400; "
                  "in attesa 300, i primi partono ") != std::string::npos);
  CHECK(page.find("Portafoglio <strong>901</strong>: limite 250 al giorno, già raggiunti 0, fuori finestra 200; "
                  "nessuno in attesa") != std::string::npos);
  CHECK(page.find("<dt>In attesa del limite di WhatsApp</dt><dd>300") != std::string::npos);
}

TEST_CASE("with one number Anteprima shows no per-number figures") {
  fixture f;
  f.store.add_subscriber();
  f.add("editor@comune.it", "editor");
  const auto token = f.log_in("editor@comune.it");
  const auto res = f.post("/console/compose", token,
                          "csrf=" + csrf_token(f.ctx.csrf, token) +
                              "&categoria=water&gravita=moderate&titolo=Acqua&testo=x&azione=anteprima");
  REQUIRE(res.status == 200);
  CHECK(res.body.find("Per numero") == std::string::npos);
  CHECK(res.body.find("portafoglio") == std::string::npos);
}

TEST_CASE("a compose form POST /v1/alerts would refuse is a 422 page with the API's reasons") {
  fixture f;
  f.add("publisher@comune.it", "publisher");
  const auto token = f.log_in("publisher@comune.it");
  const auto csrf = "csrf=" + csrf_token(f.ctx.csrf, token);
  const auto res = f.post("/console/compose", token, csrf + "&categoria=water&gravita=moderate&titolo=&testo=x&azione=invia");
  CHECK(res.status == 422);
  CHECK(res.content_type.find("text/html") == 0);
  const auto api = domain::validate_alert(nlohmann::json{{"category", "water"}, {"severity", "moderate"},
                                                         {"title", ""}, {"text", "x"}},
                                          f.api.limits, f.now);
  REQUIRE_FALSE(api.errors.empty());
  CHECK(res.body.find(api.errors.front().field + " " + api.errors.front().reason) != std::string::npos);
  CHECK(f.store.alert_rows.empty());
  const auto unknown = f.post("/console/compose", token,
                              csrf + "&categoria=water&gravita=moderate&titolo=T&testo=x&comuni=atlantide&azione=anteprima");
  CHECK(unknown.status == 422);
}

TEST_CASE("Invia sends the alert as POST /v1/alerts does, for a publisher only, audited as the staff member") {
  fixture f;
  f.add("editor@comune.it", "editor");
  f.add("publisher@comune.it", "publisher");
  const std::string fields = "&categoria=roads&gravita=severe&titolo=Strada+chiusa&testo=Via+Roma&azione=invia";
  const auto editor = f.log_in("editor@comune.it");
  CHECK(f.post("/console/compose", editor, "csrf=" + csrf_token(f.ctx.csrf, editor) + fields).status == 403);
  CHECK(f.store.alert_rows.empty());
  const auto publisher = f.log_in("publisher@comune.it");
  const auto res = f.post("/console/compose", publisher, "csrf=" + csrf_token(f.ctx.csrf, publisher) + fields);
  REQUIRE(res.status == 303);
  REQUIRE(f.store.alert_rows.size() == 1);
  const auto& a = f.store.alert_rows.begin()->second;
  CHECK(header_of(res, "Location") == "/console/alerts/" + std::to_string(a.id));
  CHECK(a.source == "console");
  CHECK(a.severity == "severe");
  CHECK(a.title == "Strada chiusa");
  CHECK(f.store.audit.back() == std::pair<std::string, std::string>{"staff:publisher@comune.it", "alert.create"});
  // The same again at once is the API's duplicate: refused, not sent twice.
  const auto again = f.post("/console/compose", publisher, "csrf=" + csrf_token(f.ctx.csrf, publisher) + fields);
  CHECK(again.status == 409);
  CHECK(f.store.alert_rows.size() == 1);
}

TEST_CASE("Invia follows the approval rule: a publisher is sent to the draft's approval, an admin's bypass is audited as one") {
  fixture f;
  f.api.approval = *domain::parse_approval_rule("all").rule;
  f.add("publisher@comune.it", "publisher");
  f.add("admin@comune.it", "admin");
  const std::string fields = "&categoria=roads&gravita=severe&titolo=Strada+chiusa&testo=Via+Roma&azione=invia";
  const auto publisher = f.log_in("publisher@comune.it");
  const auto refused = f.post("/console/compose", publisher, "csrf=" + csrf_token(f.ctx.csrf, publisher) + fields);
  CHECK(refused.status == 403);
  CHECK(refused.body.find("seconda persona") != std::string::npos);
  CHECK(f.store.alert_rows.empty());
  const auto admin = f.log_in("admin@comune.it");
  const auto sent = f.post("/console/compose", admin, "csrf=" + csrf_token(f.ctx.csrf, admin) + fields);
  CHECK(sent.status == 303);
  CHECK(f.store.alert_rows.size() == 1);
  CHECK(f.store.audit.back() == std::pair<std::string, std::string>{"staff:admin@comune.it", "draft.bypass"});
}

TEST_CASE("the dashboard draws 90 days of subscribers as an SVG with a title, a description and a table, and counts per town and topic") {
  fixture f;
  domain::town lugo;
  lugo.id = "lugo";
  lugo.name = "Comune di Lugo";
  f.store.catalogue_data.towns.push_back(lugo);
  f.figures.audience.subscribers = 12;
  f.figures.audience.towns = {{"lugo", 9}};
  f.figures.audience.topics = {{"acqua", 4}};
  // t0 is 14 November 2023 in Rome: day 19675 since 1970.
  f.figures.changes = {{19675, 5, 1}, {19670, 8, 0}};
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto res = f.get("/console/", token);
  REQUIRE(res.status == 200);
  auto has = [&res](std::string_view s) { return res.body.find(s) != std::string::npos; };
  CHECK(has("<svg class=\"growth\""));
  CHECK(has("role=\"img\" aria-labelledby=\"crescita-titolo crescita-desc\""));
  CHECK(has("<title id=\"crescita-titolo\">Iscritti negli ultimi 90 giorni</title>"));
  CHECK(has("Da 0 iscritti il 17/08/2023 a 12 il 14/11/2023; al massimo 12."));
  CHECK(has("<tr><th scope=\"row\">14/11/2023</th><td>5</td><td>1</td><td>12</td></tr>"));
  CHECK(has("<tr><th scope=\"row\">13/11/2023</th><td>0</td><td>0</td><td>8</td></tr>"));
  CHECK(has("<tr><th scope=\"row\">09/11/2023</th><td>8</td><td>0</td><td>8</td></tr>"));
  CHECK(has("<tr><th scope=\"row\">08/11/2023</th><td>0</td><td>0</td><td>0</td></tr>"));
  CHECK(has("<tr><th scope=\"row\">Comune di Lugo</th><td>9</td></tr>"));
  CHECK(has("<tr><th scope=\"row\">acqua</th><td>4</td></tr>"));
  CHECK(res.body.find("<script>") == std::string::npos);
}

TEST_CASE("Salva bozza keeps the alert as a draft for an editor, audited as them, and sends nothing") {
  fixture f;
  f.add("editor@comune.it", "editor");
  const auto token = f.log_in("editor@comune.it");
  const std::string fields = "&categoria=water&gravita=minor&titolo=Lavori&testo=Acqua+sospesa&azione=bozza";
  CHECK(f.post("/console/compose", token, "csrf=sbagliato" + fields).status == 403);
  CHECK(f.drafts.saved.empty());
  const auto res = f.post("/console/compose", token, "csrf=" + csrf_token(f.ctx.csrf, token) + fields);
  CHECK(res.status == 303);
  REQUIRE(f.drafts.saved.size() == 1);
  CHECK(f.drafts.saved[0].first.alert.title == "Lavori");
  CHECK(f.drafts.saved[0].first.alert.level == domain::severity::minor);
  CHECK(f.drafts.saved[0].second == "staff:editor@comune.it");
  CHECK(f.store.alert_rows.empty());
}

TEST_CASE("a publisher limited to a town cancels only the alerts of that town") {
  fixture f;
  f.store.create_user({"lugo@comune.it", "Luca Bianchi", "publisher", {"lugo"},
                       crypto::hash_password(password, f.options.cost)}, "cli", f.now);
  const auto token = f.log_in("lugo@comune.it");
  const auto csrf = "csrf=" + csrf_token(f.ctx.csrf, token);
  const auto everyone = f.alert("Per tutti");
  const auto other = f.alert("Voltana", "moderate", "api", std::vector<std::string>{"voltana"});
  const auto own = f.alert("Lugo", "moderate", "api", std::vector<std::string>{"lugo"});
  CHECK(f.get("/console/alerts/" + std::to_string(everyone), token).body.find("Annulla l'invio") == std::string::npos);
  CHECK(f.post("/console/alerts/" + std::to_string(everyone) + "/cancel", token, csrf).status == 403);
  CHECK(f.post("/console/alerts/" + std::to_string(other) + "/cancel", token, csrf).status == 404);  // not theirs to see
  CHECK(f.store.alert_rows[everyone].state == "planning");
  CHECK(f.store.alert_rows[other].state == "planning");
  CHECK(f.get("/console/alerts/" + std::to_string(own), token).body.find("Annulla l'invio") != std::string::npos);
  CHECK(f.post("/console/alerts/" + std::to_string(own) + "/cancel", token, csrf).status == 303);
  CHECK(f.store.alert_rows[own].state == "cancelled");
}

namespace {

// A draft written by author in the compose form and submitted for
// approval from its page; returns its id.
std::int64_t pending_draft(fixture& f, const std::string& author_token) {
  const std::string fields = "&categoria=roads&gravita=severe&titolo=Strada+chiusa&testo=Via+Roma&azione=bozza";
  const auto saved = f.post("/console/compose", author_token, "csrf=" + csrf_token(f.ctx.csrf, author_token) + fields);
  REQUIRE(saved.status == 303);
  const auto id = static_cast<std::int64_t>(f.drafts.saved.size());
  const auto submitted = f.post("/console/drafts/" + std::to_string(id) + "/submit", author_token,
                                "csrf=" + csrf_token(f.ctx.csrf, author_token) + "&revisione=1");
  REQUIRE(submitted.status == 303);
  REQUIRE(f.drafts.records.at(id).state == "pending");
  return id;
}

std::string approve_form(const fixture& f, const std::string& token, std::int64_t revision = 1) {
  return "csrf=" + csrf_token(f.ctx.csrf, token) + "&revisione=" + std::to_string(revision);
}

}  // namespace

TEST_CASE("the drafts page lists what waits for approval first, with its author and a link to each") {
  fixture f;
  f.add("editor@comune.it", "editor");
  const auto editor = f.log_in("editor@comune.it");
  const auto id = pending_draft(f, editor);
  const auto res = f.get("/console/drafts", editor);
  REQUIRE(res.status == 200);
  CHECK(res.body.find("href=\"/console/drafts/" + std::to_string(id) + "\"") != std::string::npos);
  CHECK(res.body.find("editor@comune.it") != std::string::npos);
  CHECK(res.body.find("Strada chiusa") != std::string::npos);
  CHECK(res.body.find("href=\"/console/drafts\"") != std::string::npos);  // in the navigation
  CHECK(f.get("/console/drafts?stato=rejected", editor).body.find("Strada chiusa") == std::string::npos);
  CHECK(f.get("/console/drafts?stato=sent", editor).status == 400);
  // The dashboard counts and links it.
  const auto dashboard = f.get("/console/", editor);
  CHECK(dashboard.body.find("Da approvare") != std::string::npos);
  CHECK(dashboard.body.find("/console/drafts/" + std::to_string(id)) != std::string::npos);
}

TEST_CASE("a draft's page shows the phone's preview, and Approva e invia only to a publisher who did not write it") {
  fixture f;
  f.add("author@comune.it", "publisher");
  f.add("second@comune.it", "publisher");
  f.add("editor@comune.it", "editor");
  const auto author = f.log_in("author@comune.it");
  const auto id = pending_draft(f, author);
  const auto path = "/console/drafts/" + std::to_string(id);
  const auto own = f.get(path, author);
  REQUIRE(own.status == 200);
  CHECK(own.body.find("class=\"bubble\"") != std::string::npos);
  CHECK(own.body.find("Approva e invia") == std::string::npos);
  CHECK(own.body.find("un'altra persona") != std::string::npos);
  const auto second = f.get(path, f.log_in("second@comune.it"));
  CHECK(second.body.find("Approva e invia") != std::string::npos);
  CHECK(second.body.find("name=\"revisione\" value=\"1\"") != std::string::npos);
  CHECK(second.body.find("Rifiuta") != std::string::npos);
  const auto editor = f.get(path, f.log_in("editor@comune.it"));
  CHECK(editor.body.find("Approva e invia") == std::string::npos);
  CHECK(editor.body.find("Rifiuta") == std::string::npos);
  CHECK(f.get("/console/drafts/99", author).status == 404);
}

TEST_CASE("the author of a draft cannot approve it: a 403 page, and no alert") {
  fixture f;
  f.add("author@comune.it", "publisher");
  const auto author = f.log_in("author@comune.it");
  const auto id = pending_draft(f, author);
  const auto res = f.post("/console/drafts/" + std::to_string(id) + "/approve", author, approve_form(f, author));
  CHECK(res.status == 403);
  CHECK(res.content_type.find("text/html") == 0);
  CHECK(res.body.find("seconda persona") != std::string::npos);
  CHECK(f.store.alert_rows.empty());
}

TEST_CASE("a second publisher approves a draft: one alert of its text, audited as them, then the alert's page") {
  fixture f;
  f.add("author@comune.it", "editor");
  f.add("second@comune.it", "publisher");
  const auto id = pending_draft(f, f.log_in("author@comune.it"));
  const auto second = f.log_in("second@comune.it");
  const auto res = f.post("/console/drafts/" + std::to_string(id) + "/approve", second, approve_form(f, second));
  REQUIRE(res.status == 303);
  REQUIRE(f.store.alert_rows.size() == 1);
  const auto& a = f.store.alert_rows.begin()->second;
  CHECK(header_of(res, "Location") == "/console/alerts/" + std::to_string(a.id));
  CHECK(a.title == "Strada chiusa");
  CHECK(a.severity == "severe");
  CHECK(a.source == "console");
  CHECK(f.store.audit.back() == std::pair<std::string, std::string>{"staff:second@comune.it", "draft.approve"});
}

TEST_CASE("an editor cannot approve or reject a draft") {
  fixture f;
  f.add("author@comune.it", "editor");
  f.add("editor@comune.it", "editor");
  const auto id = pending_draft(f, f.log_in("author@comune.it"));
  const auto editor = f.log_in("editor@comune.it");
  const auto base = "/console/drafts/" + std::to_string(id);
  CHECK(f.post(base + "/approve", editor, approve_form(f, editor)).status == 403);
  CHECK(f.post(base + "/reject", editor, approve_form(f, editor) + "&motivo=no").status == 403);
  CHECK(f.store.alert_rows.empty());
  CHECK(f.drafts.records.at(id).state == "pending");
}

TEST_CASE("rejecting a draft needs a reason, which its page then shows") {
  fixture f;
  f.add("author@comune.it", "editor");
  f.add("second@comune.it", "publisher");
  const auto id = pending_draft(f, f.log_in("author@comune.it"));
  const auto second = f.log_in("second@comune.it");
  const auto base = "/console/drafts/" + std::to_string(id);
  const auto none = f.post(base + "/reject", second, approve_form(f, second) + "&motivo=+++");
  CHECK(none.status == 422);
  CHECK(none.content_type.find("text/html") == 0);
  CHECK(f.drafts.records.at(id).state == "pending");
  const auto res = f.post(base + "/reject", second, approve_form(f, second) + "&motivo=Manca+la+durata");
  CHECK(res.status == 303);
  CHECK(f.drafts.records.at(id).state == "rejected");
  CHECK(f.get(base, second).body.find("Manca la durata") != std::string::npos);
}

TEST_CASE("a decision on a draft without the CSRF token is a 403 page and changes nothing") {
  fixture f;
  f.add("author@comune.it", "editor");
  f.add("second@comune.it", "publisher");
  const auto id = pending_draft(f, f.log_in("author@comune.it"));
  const auto second = f.log_in("second@comune.it");
  const auto base = "/console/drafts/" + std::to_string(id);
  CHECK(f.post(base + "/approve", second, "revisione=1").status == 403);
  CHECK(f.post(base + "/reject", second, "revisione=1&motivo=no").status == 403);
  CHECK(f.store.alert_rows.empty());
  CHECK(f.drafts.records.at(id).state == "pending");
}

TEST_CASE("approving or rejecting a revision other than the draft's is a 409 page and sends nothing") {
  fixture f;
  f.add("author@comune.it", "editor");
  f.add("second@comune.it", "publisher");
  const auto id = pending_draft(f, f.log_in("author@comune.it"));
  f.drafts.records.at(id).revision = 2;  // changed after the page was read
  const auto second = f.log_in("second@comune.it");
  const auto base = "/console/drafts/" + std::to_string(id);
  const auto res = f.post(base + "/approve", second, approve_form(f, second, 1));
  CHECK(res.status == 409);
  CHECK(res.content_type.find("text/html") == 0);
  CHECK(res.body.find("revisione 2") != std::string::npos);
  CHECK(f.store.alert_rows.empty());
  CHECK(f.post(base + "/reject", second, approve_form(f, second, 1) + "&motivo=no").status == 409);
  CHECK(f.drafts.records.at(id).state == "pending");
}

TEST_CASE("a draft no longer pending cannot be approved: a 409 page, and no alert") {
  fixture f;
  f.add("author@comune.it", "editor");
  f.add("second@comune.it", "publisher");
  const auto id = pending_draft(f, f.log_in("author@comune.it"));
  const auto second = f.log_in("second@comune.it");
  const auto base = "/console/drafts/" + std::to_string(id);
  REQUIRE(f.post(base + "/reject", second, approve_form(f, second) + "&motivo=Manca+la+durata").status == 303);
  const auto res = f.post(base + "/approve", second, approve_form(f, second));
  CHECK(res.status == 409);
  CHECK(res.content_type.find("text/html") == 0);
  CHECK(f.store.alert_rows.empty());
  CHECK(f.post("/console/drafts/99/approve", second, approve_form(f, second)).status == 404);
}

TEST_CASE("a publisher limited to a town cannot approve a draft for every town") {
  fixture f;
  f.add("author@comune.it", "editor");
  f.store.create_user({"lugo@comune.it", "Luca Bianchi", "publisher", {"lugo"},
                       crypto::hash_password(password, f.options.cost)}, "cli", f.now);
  const auto id = pending_draft(f, f.log_in("author@comune.it"));
  const auto lugo = f.log_in("lugo@comune.it");
  const auto res = f.post("/console/drafts/" + std::to_string(id) + "/approve", lugo, approve_form(f, lugo));
  CHECK(res.status == 403);
  CHECK(res.body.find("tuoi comuni") != std::string::npos);
  CHECK(f.store.alert_rows.empty());
}

namespace {

// The value of the form field `name` in a page.
std::string field_value(const std::string& body, const std::string& name) {
  const auto at = body.find("name=\"" + name + "\" value=\"");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 15;
  return body.substr(start, body.find('"', start) - start);
}

std::string password_form(const fixture& f, const std::string& token, const std::string& current,
                          const std::string& chosen, const std::string& repeated) {
  return "csrf=" + csrf_token(f.ctx.csrf, token) + "&attuale=" + form_escape(current) + "&nuova=" + form_escape(chosen) +
         "&ripeti=" + form_escape(repeated);
}

}  // namespace

TEST_CASE("every staff user has an account page with the password form and the second factor's state") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto res = f.get("/console/account", token);
  REQUIRE(res.status == 200);
  CHECK(res.body.find("Il mio account") != std::string::npos);
  CHECK(res.body.find("m.rossi@comune.it") != std::string::npos);
  CHECK(res.body.find("action=\"/console/account/password\"") != std::string::npos);
  CHECK(res.body.find("name=\"csrf\" value=\"" + csrf_token(f.ctx.csrf, token) + "\"") != std::string::npos);
  CHECK(res.body.find("href=\"/console/account/totp\"") != std::string::npos);
  CHECK(header_of(res, "Cache-Control") == "no-store");
  CHECK(f.get("/console/account", "").status == 303);
}

TEST_CASE("a password change needs the current password, ends every other session of the user and is audited") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  f.add("altro@comune.it", "editor");
  const auto here = f.log_in("m.rossi@comune.it");
  const auto phone = f.log_in("m.rossi@comune.it");
  const auto someone_else = f.log_in("altro@comune.it");
  const std::string chosen = "cavolfiore viola sul balcone";
  const auto res = f.post("/console/account/password", here, password_form(f, here, password, chosen, chosen));
  REQUIRE(res.status == 303);
  CHECK(header_of(res, "Location") == "/console/account?fatto=password");
  CHECK(f.get("/console/account?fatto=password", here).body.find("Password cambiata") != std::string::npos);
  CHECK(f.get("/console/", here).status == 200);          // this session stays
  CHECK(f.get("/console/", phone).status == 303);         // the other one has ended
  CHECK(f.get("/console/", someone_else).status == 200);  // another user's is untouched
  CHECK(std::find(f.store.audit.begin(), f.store.audit.end(),
                  std::pair<std::string, std::string>{"m.rossi@comune.it", "staff.password"}) != f.store.audit.end());
  CHECK(f.post_login("m.rossi@comune.it", password).status == 401);
  CHECK(f.post_login("m.rossi@comune.it", chosen).status == 303);
}

TEST_CASE("a password change is refused without the CSRF token, with a wrong current password or a weak new one") {
  fixture f;
  f.add("m.rossi@comune.it", "editor");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto other = f.log_in("m.rossi@comune.it");
  const std::string chosen = "cavolfiore viola sul balcone";
  const auto body = "attuale=" + form_escape(password) + "&nuova=" + form_escape(chosen) + "&ripeti=" + form_escape(chosen);
  CHECK(f.post("/console/account/password", token, body).status == 403);
  CHECK(f.post("/console/account/password", token, "csrf=" + csrf_token(f.ctx.csrf, other) + "&" + body).status == 403);
  const auto wrong = f.post("/console/account/password", token, password_form(f, token, "non è questa", chosen, chosen));
  CHECK(wrong.status == 403);
  CHECK(wrong.content_type.find("text/html") == 0);
  CHECK(wrong.body.find("password attuale non è corretta") != std::string::npos);
  // The command line's policy: too short, one of the most common, not the same twice.
  CHECK(f.post("/console/account/password", token, password_form(f, token, password, "corta", "corta")).status == 422);
  const auto common = f.post("/console/account/password", token,
                             password_form(f, token, password, "Juventus2024!!!", "Juventus2024!!!"));
  CHECK(common.status == 422);
  CHECK(common.body.find("tra le più usate") != std::string::npos);  // domain/password_policy's words
  CHECK(f.post("/console/account/password", token, password_form(f, token, password, chosen, chosen + "x")).status == 422);
  CHECK(f.get("/console/", other).status == 200);  // nothing changed: the other session lives
  CHECK(f.post_login("m.rossi@comune.it", password).status == 303);
}

TEST_CASE("enrolling a second factor shows a QR code of an otpauth URI and needs a code of it before it is active") {
  fixture f;
  f.add("m.rossi@comune.it", "publisher");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto page = f.get("/console/account/totp", token);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("<svg") != std::string::npos);
  const auto b32 = field_value(page.body, "segreto");
  const auto signature = field_value(page.body, "firma");
  REQUIRE(b32.size() == 32);  // 20 bytes
  CHECK(page.body.find("otpauth://totp/") != std::string::npos);
  const auto secret = *crypto::base32_decode(b32);
  const auto base = "csrf=" + csrf_token(f.ctx.csrf, token) + "&segreto=" + b32 + "&firma=" + form_escape(signature) +
                    "&password=" + form_escape(password);
  // A wrong code: nothing stored, the same secret offered again.
  const auto wrong = f.post("/console/account/totp", token, base + "&codice=000000");
  CHECK(wrong.status == 422);
  CHECK(field_value(wrong.body, "segreto") == b32);
  CHECK_FALSE(f.store.find_user("m.rossi@comune.it")->totp_enrolled);
  // A secret the page did not show in this session is refused.
  const auto forged = "csrf=" + csrf_token(f.ctx.csrf, token) + "&segreto=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&firma=" +
                      form_escape(signature) + "&password=" + form_escape(password) + "&codice=" +
                      crypto::totp("12345678901234567890", f.now / 1000);
  CHECK(f.post("/console/account/totp", token, forged).status == 400);
  CHECK(f.post("/console/account/totp", token, base.substr(base.find('&') + 1) + "&codice=" +
                                                    crypto::totp(secret, f.now / 1000)).status == 403);  // no CSRF token
  const auto code = crypto::totp(secret, f.now / 1000);
  const auto done = f.post("/console/account/totp", token, base + "&codice=" + code);
  REQUIRE(done.status == 200);
  CHECK(done.body.find("Codici di recupero") != std::string::npos);
  CHECK(header_of(done, "Cache-Control") == "no-store");
  const auto user = f.store.find_user("m.rossi@comune.it");
  CHECK(user->totp_enrolled);
  CHECK(user->recovery_codes_left == 10);
  CHECK(f.store.audit.back() == std::pair<std::string, std::string>{"m.rossi@comune.it", "staff.totp_enroll"});
  // The login now asks for a code; the one typed at enrolment is used up.
  CHECK(f.post_login("m.rossi@comune.it", password).body.find("name=\"code\"") != std::string::npos);
  CHECK(f.post_login("m.rossi@comune.it", password, code).status == 401);
  // A recovery code shown once works once.
  const auto first_code = done.body.find("<li><code>");
  REQUIRE(first_code != std::string::npos);
  const auto recovery = done.body.substr(first_code + 10, 19);
  CHECK(f.post_login("m.rossi@comune.it", password, recovery).status == 303);
  CHECK(f.post_login("m.rossi@comune.it", password, recovery).status == 401);
}

TEST_CASE("enrolment accepts the code RFC 6238 gives for its own SHA-1 test secret") {
  fixture f;
  f.now = 1'234'567'890'000;  // T = 1234567890, RFC 6238 appendix B: 89005924 (8 digits), 005924 in 6
  f.add("m.rossi@comune.it", "admin");
  const auto token = f.log_in("m.rossi@comune.it");
  const auto b32 = crypto::base32_encode("12345678901234567890");
  const auto body = "csrf=" + csrf_token(f.ctx.csrf, token) + "&segreto=" + b32 + "&firma=" +
                    form_escape(totp_enrolment_signature(f.ctx, token, b32)) + "&password=" + form_escape(password);
  CHECK(f.post("/console/account/totp", token, body + "&codice=005924&").status == 200);
  CHECK(f.store.find_user("m.rossi@comune.it")->totp_enrolled);
  // and the wrong password first would have stored nothing
  fixture g;
  g.now = f.now;
  g.add("m.rossi@comune.it", "admin");
  const auto t = g.log_in("m.rossi@comune.it");
  const auto bad = "csrf=" + csrf_token(g.ctx.csrf, t) + "&segreto=" + b32 + "&firma=" +
                   form_escape(totp_enrolment_signature(g.ctx, t, b32)) + "&password=sbagliata&codice=005924";
  CHECK(g.post("/console/account/totp", t, bad).status == 403);
  CHECK_FALSE(g.store.find_user("m.rossi@comune.it")->totp_enrolled);
}

TEST_CASE("where the deployment requires a second factor, a publisher without one is sent to enrol it first") {
  fixture f(true);
  f.add("pub@comune.it", "publisher");
  f.add("red@comune.it", "editor");
  const auto login = f.post_login("pub@comune.it", password);
  REQUIRE(login.status == 303);
  CHECK(header_of(login, "Location") == "/console/account/totp");
  const auto token = header_of(login, "Set-Cookie").substr(18, store::session_token_length);
  const auto dashboard = f.get("/console/", token);
  CHECK(dashboard.status == 303);
  CHECK(header_of(dashboard, "Location") == "/console/account/totp");
  CHECK(f.post("/console/compose", token, "csrf=" + csrf_token(f.ctx.csrf, token) + "&azione=anteprima").status == 303);
  CHECK(f.get("/console/account", token).status == 200);
  const auto page = f.get("/console/account/totp", token);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("obbligatoria") != std::string::npos);
  const auto b32 = field_value(page.body, "segreto");
  const auto code = crypto::totp(*crypto::base32_decode(b32), f.now / 1000);
  const auto body = "csrf=" + csrf_token(f.ctx.csrf, token) + "&segreto=" + b32 + "&firma=" +
                    form_escape(field_value(page.body, "firma")) + "&password=" + form_escape(password) + "&codice=" + code;
  REQUIRE(f.post("/console/account/totp", token, body).status == 200);
  CHECK(f.get("/console/", token).status == 200);
  // An editor needs none.
  CHECK(header_of(f.post_login("red@comune.it", password), "Location") == "/console/");
}

TEST_CASE("a draft's edit page is the compose form filled with it, saved at the revision read") {
  fixture f;
  f.add("author@comune.it", "editor");
  f.add("second@comune.it", "editor");
  const auto author = f.log_in("author@comune.it");
  const std::string fields = "&categoria=roads&gravita=severe&titolo=Strada+chiusa&testo=Via+Roma&azione=bozza";
  REQUIRE(f.post("/console/compose", author, "csrf=" + csrf_token(f.ctx.csrf, author) + fields).status == 303);
  const std::int64_t id = 1;
  const auto base = "/console/drafts/" + std::to_string(id);
  CHECK(f.get(base, author).body.find("href=\"" + base + "/edit\"") != std::string::npos);
  const auto second = f.log_in("second@comune.it");
  const auto page = f.get(base + "/edit", second);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("action=\"" + base + "/edit\"") != std::string::npos);
  CHECK(page.body.find("value=\"Strada chiusa\"") != std::string::npos);
  CHECK(page.body.find("<option value=\"severe\" selected>") != std::string::npos);
  CHECK(page.body.find("name=\"revisione\" value=\"1\"") != std::string::npos);
  CHECK(page.body.find("value=\"invia\"") == std::string::npos);
  const auto csrf = "csrf=" + csrf_token(f.ctx.csrf, second);
  const std::string edited = "&categoria=roads&gravita=moderate&titolo=Strada+riaperta&testo=Via+Roma+riaperta";
  // The compose form's checks: no title is a 422 page, nothing saved.
  const auto invalid = f.post(base + "/edit", second, csrf + "&revisione=1&categoria=roads&gravita=moderate&titolo=&testo=x&azione=salva");
  CHECK(invalid.status == 422);
  CHECK(f.drafts.records.at(id).title == "Strada chiusa");
  // Anteprima shows the phone, saves nothing.
  const auto preview = f.post(base + "/edit", second, csrf + "&revisione=1" + edited + "&azione=anteprima");
  CHECK(preview.status == 200);
  CHECK(preview.body.find("class=\"bubble\"") != std::string::npos);
  CHECK(f.drafts.records.at(id).revision == 1);
  // Without the CSRF token: 403, nothing saved.
  CHECK(f.post(base + "/edit", second, "revisione=1" + edited + "&azione=salva").status == 403);
  const auto saved = f.post(base + "/edit", second, csrf + "&revisione=1" + edited + "&azione=salva");
  REQUIRE(saved.status == 303);
  CHECK(header_of(saved, "Location") == base);
  const auto& d = f.drafts.records.at(id);
  CHECK(d.title == "Strada riaperta");
  CHECK(d.severity == "moderate");
  CHECK(d.revision == 2);
  CHECK(d.editor == "staff:second@comune.it");
  // The page read at revision 1 is stale now: a 409 page, nothing saved.
  const auto stale = f.post(base + "/edit", second, csrf + "&revisione=1&categoria=roads&gravita=minor&titolo=Altro&testo=x&azione=salva");
  CHECK(stale.status == 409);
  CHECK(stale.content_type.find("text/html") == 0);
  CHECK(stale.body.find("revisione 2") != std::string::npos);
  CHECK(f.drafts.records.at(id).title == "Strada riaperta");
  CHECK(f.get("/console/drafts/99/edit", second).status == 404);
}

TEST_CASE("a website news draft is edited like any other and keeps its link") {
  fixture f;
  f.add("red@comune.it", "editor");
  store::draft_record news;
  news.id = 7;
  news.source = "news";
  news.town_id = "lugo";
  news.title = "Lavori in piazza";
  news.text = "Dal 3 dicembre la piazza è chiusa.";
  news.link = "https://www.comune.lugo.ra.it/notizie/1";
  news.state = "draft";
  f.drafts.records[7] = news;
  const auto token = f.log_in("red@comune.it");
  const auto page = f.get("/console/drafts/7/edit", token);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("value=\"https://www.comune.lugo.ra.it/notizie/1\"") != std::string::npos);
  CHECK(page.body.find("value=\"Lavori in piazza\"") != std::string::npos);
  const auto body = "csrf=" + csrf_token(f.ctx.csrf, token) +
                    "&revisione=1&categoria=roads&gravita=minor&titolo=Lavori+in+piazza&testo=Piazza+chiusa" +
                    "&collegamento=https%3A%2F%2Fwww.comune.lugo.ra.it%2Fnotizie%2F1&azione=salva";
  REQUIRE(f.post("/console/drafts/7/edit", token, body).status == 303);
  CHECK(f.drafts.records.at(7).category == "roads");
  CHECK(f.drafts.records.at(7).link == "https://www.comune.lugo.ra.it/notizie/1");
  const auto bad_link = "csrf=" + csrf_token(f.ctx.csrf, token) +
                        "&revisione=2&categoria=roads&gravita=minor&titolo=T&testo=x&collegamento=javascript%3Aalert(1)&azione=salva";
  CHECK(f.post("/console/drafts/7/edit", token, bad_link).status == 422);
}

TEST_CASE("a pending draft cannot be edited: a 409 page") {
  fixture f;
  f.add("author@comune.it", "editor");
  const auto author = f.log_in("author@comune.it");
  const auto id = pending_draft(f, author);
  CHECK(f.get("/console/drafts/" + std::to_string(id) + "/edit", author).status == 409);
  const auto res = f.post("/console/drafts/" + std::to_string(id) + "/edit", author,
                          "csrf=" + csrf_token(f.ctx.csrf, author) +
                              "&revisione=1&categoria=roads&gravita=minor&titolo=T&testo=x&azione=salva");
  CHECK(res.status == 409);
  CHECK(f.drafts.records.at(id).title == "Strada chiusa");
}

TEST_CASE("Scarta asks for confirmation, then discards the draft; others' drafts only for a publisher") {
  fixture f;
  f.add("author@comune.it", "editor");
  f.add("other@comune.it", "editor");
  f.add("pub@comune.it", "publisher");
  const auto author = f.log_in("author@comune.it");
  const std::string fields = "&categoria=roads&gravita=severe&titolo=Strada+chiusa&testo=Via+Roma&azione=bozza";
  REQUIRE(f.post("/console/compose", author, "csrf=" + csrf_token(f.ctx.csrf, author) + fields).status == 303);
  REQUIRE(f.post("/console/compose", author, "csrf=" + csrf_token(f.ctx.csrf, author) + fields).status == 303);
  CHECK(f.get("/console/drafts/1", author).body.find("href=\"/console/drafts/1/discard\"") != std::string::npos);
  const auto confirm = f.get("/console/drafts/1/discard", author);
  REQUIRE(confirm.status == 200);
  CHECK(confirm.body.find("Sì, scarta la bozza") != std::string::npos);
  CHECK(f.drafts.records.at(1).state == "draft");  // asking changes nothing
  CHECK(f.post("/console/drafts/1/discard", author, "revisione=1").status == 403);  // no CSRF token
  const auto other = f.log_in("other@comune.it");
  CHECK(f.get("/console/drafts/1/discard", other).status == 403);
  CHECK(f.post("/console/drafts/1/discard", other, "csrf=" + csrf_token(f.ctx.csrf, other) + "&revisione=1").status == 403);
  CHECK(f.post("/console/drafts/1/discard", author, "csrf=" + csrf_token(f.ctx.csrf, author) + "&revisione=9").status == 409);
  CHECK(f.drafts.records.at(1).state == "draft");
  const auto done = f.post("/console/drafts/1/discard", author, "csrf=" + csrf_token(f.ctx.csrf, author) + "&revisione=1");
  CHECK(done.status == 303);
  CHECK(f.drafts.records.at(1).state == "discarded");
  CHECK(f.post("/console/drafts/1/discard", author, "csrf=" + csrf_token(f.ctx.csrf, author) + "&revisione=1").status == 409);
  const auto pub = f.log_in("pub@comune.it");
  CHECK(f.post("/console/drafts/2/discard", pub, "csrf=" + csrf_token(f.ctx.csrf, pub) + "&revisione=1").status == 303);
  CHECK(f.drafts.records.at(2).state == "discarded");
}

TEST_CASE("submitting, rejecting or discarding a draft changed after the form's revision was checked is refused by the store") {
  fixture f;
  f.add("author@comune.it", "editor");
  f.add("second@comune.it", "publisher");
  const auto author = f.log_in("author@comune.it");
  const auto id = pending_draft(f, author);
  const auto second = f.log_in("second@comune.it");
  // An edit lands between the page's check and the store's transaction.
  f.drafts.racing_edit = [](store::draft_record& d) { d.revision = 2; };
  const auto res = f.post("/console/drafts/" + std::to_string(id) + "/reject", second,
                          approve_form(f, second) + "&motivo=No");
  CHECK(res.status == 409);
  CHECK(res.body.find("revisione 2") != std::string::npos);
  CHECK(f.drafts.records.at(id).state == "pending");
  f.drafts.racing_edit = nullptr;
  REQUIRE(f.post("/console/drafts/" + std::to_string(id) + "/reject", second, approve_form(f, second, 2) + "&motivo=No").status == 303);
  f.drafts.racing_edit = [](store::draft_record& d) { d.revision = 3; };
  CHECK(f.post("/console/drafts/" + std::to_string(id) + "/submit", author, approve_form(f, author, 2)).status == 409);
  CHECK(f.drafts.records.at(id).state == "rejected");
  // Discarding too: the store compares the revision the form carried.
  f.drafts.racing_edit = [](store::draft_record& d) { d.revision = 4; };
  CHECK(f.post("/console/drafts/" + std::to_string(id) + "/discard", author, approve_form(f, author, 3)).status == 409);
  CHECK(f.drafts.records.at(id).state == "rejected");
  f.drafts.racing_edit = nullptr;
  CHECK(f.post("/console/drafts/" + std::to_string(id) + "/discard", author, approve_form(f, author, 4)).status == 303);
  CHECK(f.drafts.records.at(id).state == "discarded");
}

TEST_CASE("the drafts list pages beyond 50 per state with a keyset link") {
  fixture f;
  f.add("red@comune.it", "editor");
  for (std::int64_t i = 1; i <= 60; ++i) {
    store::draft_record d;
    d.id = i;
    d.source = "staff";
    d.title = "Bozza numero " + std::to_string(i) + ".";
    d.state = "draft";
    d.author = "staff:red@comune.it";
    f.drafts.records[i] = d;
  }
  const auto token = f.log_in("red@comune.it");
  const auto first = f.get("/console/drafts?stato=draft", token);
  REQUIRE(first.status == 200);
  CHECK(first.body.find("Bozza numero 60.") != std::string::npos);
  CHECK(first.body.find("Bozza numero 11.") != std::string::npos);
  CHECK(first.body.find("Bozza numero 10.") == std::string::npos);
  CHECK(first.body.find("href=\"/console/drafts?stato=draft&amp;prima=11\"") != std::string::npos);
  const auto second = f.get("/console/drafts?stato=draft&prima=11", token);
  REQUIRE(second.status == 200);
  CHECK(second.body.find("Bozza numero 10.") != std::string::npos);
  CHECK(second.body.find("Bozza numero 1.") != std::string::npos);
  CHECK(second.body.find("Bozza numero 11.") == std::string::npos);
  CHECK(second.body.find("rel=\"next\"") == std::string::npos);
  CHECK(f.get("/console/drafts?stato=draft&prima=abc", token).status == 400);
}

TEST_CASE("a user limited to towns sees in the history and opens only the alerts of their towns and those for every town") {
  fixture f;
  f.store.create_user({"lugo@comune.it", "Luca Bianchi", "editor", {"lugo"},
                       crypto::hash_password(password, f.options.cost)}, "cli", f.now);
  f.add("tutti@comune.it", "editor");
  const auto everyone = f.alert("Per tutti i comuni");
  const auto other = f.alert("Solo Voltana", "moderate", "api", std::vector<std::string>{"voltana"});
  const auto own = f.alert("Solo Lugo", "moderate", "api", std::vector<std::string>{"lugo"});
  const auto both = f.alert("Lugo e Voltana", "moderate", "api", std::vector<std::string>{"voltana", "lugo"});
  const auto token = f.log_in("lugo@comune.it");
  const auto history = f.get("/console/alerts", token);
  REQUIRE(history.status == 200);
  CHECK(history.body.find("Per tutti i comuni") != std::string::npos);
  CHECK(history.body.find("Solo Lugo") != std::string::npos);
  CHECK(history.body.find("Lugo e Voltana") != std::string::npos);
  CHECK(history.body.find("Solo Voltana") == std::string::npos);
  // Filtering by another town does not widen it.
  CHECK(f.get("/console/alerts?comune=voltana", token).body.find("Solo Voltana") == std::string::npos);
  for (const auto id : {everyone, own, both}) {
    CHECK(f.get("/console/alerts/" + std::to_string(id), token).status == 200);
  }
  const auto base = "/console/alerts/" + std::to_string(other);
  const auto hidden = f.get(base, token);
  CHECK(hidden.status == 404);
  CHECK(hidden.content_type.find("text/html") == 0);
  CHECK(hidden.body.find("Solo Voltana") == std::string::npos);
  CHECK(f.get(base + "/report.csv", token).status == 404);
  CHECK(f.get(base + "/events", token).status == 404);
  // The dashboard's alerts in progress too.
  const auto dashboard = f.get("/console/", token);
  CHECK(dashboard.body.find("Solo Lugo") != std::string::npos);
  CHECK(dashboard.body.find("Solo Voltana") == std::string::npos);
  // A user of every town sees everything.
  const auto all = f.log_in("tutti@comune.it");
  CHECK(f.get("/console/", all).body.find("Solo Voltana") != std::string::npos);
  CHECK(f.get("/console/alerts", all).body.find("Solo Voltana") != std::string::npos);
  CHECK(f.get(base, all).status == 200);
}

TEST_CASE("a time typed on the compose page is read as Rome's clock and the alert waits for it, scheduled") {
  fixture f;
  f.add("publisher@comune.it", "publisher");
  const auto publisher = f.log_in("publisher@comune.it");
  const auto csrf = "csrf=" + csrf_token(f.ctx.csrf, publisher);
  const std::string fields = "&categoria=roads&gravita=moderate&titolo=Mercato+spostato&testo=In+piazza+Mazzini";
  // t0 is 14 November 2023, 23:13 in Rome: 10:30 the next morning is 09:30 UTC.
  const auto res = f.post("/console/compose", publisher, csrf + fields + "&invio=2023-11-15T10%3A30&azione=invia");
  REQUIRE(res.status == 303);
  REQUIRE(f.store.alert_rows.size() == 1);
  const auto& a = f.store.alert_rows.begin()->second;
  CHECK(a.state == "scheduled");
  CHECK(a.send_at == 1'700'040'600'000);
  CHECK(f.store.audit.back() == std::pair<std::string, std::string>{"staff:publisher@comune.it", "alert.schedule"});
  // Its page says when it leaves and lets a publisher cancel it; its events follow it.
  const auto page = f.get("/console/alerts/" + std::to_string(a.id), publisher);
  CHECK(page.body.find("partirà 15/11/2023 alle 10:30") != std::string::npos);
  CHECK(page.body.find("/console/alerts/" + std::to_string(a.id) + "/cancel") != std::string::npos);
  CHECK(page.body.find("data-events=") != std::string::npos);
  // The dashboard lists it among the scheduled alerts.
  const auto dashboard = f.get("/console/", publisher);
  CHECK(dashboard.body.find("Mercato spostato</a> — partirà 15/11/2023 alle 10:30") != std::string::npos);

  // What is not a time, or a time past, is refused in words and sends nothing.
  const auto garbled = f.post("/console/compose", publisher, csrf + fields + "&invio=domani&azione=invia");
  CHECK(garbled.status == 422);
  CHECK(garbled.body.find("aaaa-mm-gg e hh:mm, ora di Roma") != std::string::npos);
  const auto past = f.post("/console/compose", publisher, csrf + fields + "&invio=2023-11-14T10%3A30&azione=invia");
  CHECK(past.status == 422);
  CHECK(past.body.find("Invio programmato") != std::string::npos);
  const auto late = f.post("/console/compose", publisher,
                           csrf + fields + "&invio=2023-11-15T10%3A30&scadenza=2023-11-15T09%3A00&azione=invia");
  CHECK(late.status == 422);
  CHECK(f.store.alert_rows.size() == 1);
}

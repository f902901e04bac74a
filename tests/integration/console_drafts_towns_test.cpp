// The console's draft pages for a staff user limited to towns, over real
// loopback: the drafts of other towns, and those for every town, are not
// listed and each of their pages and actions is a 403 page that changes
// nothing, as the alert pages and the approval already judge.
#include "harness.hpp"

#include <doctest/doctest.h>

using namespace harness;

namespace {

const std::vector<banditore::http::header_field> form_type = {
    {"Content-Type", "application/x-www-form-urlencoded"}};

struct towns_world : alert_world {
  towns_world()
      : alert_world(std::map<std::string, std::string>{{"BANDITORE_TOWN", "Lugo"},
                                                       {"BANDITORE_CONSOLE_TOTP", "optional"}}) {
    cli({"towns", "add", "cotignola", "--name", "Comune di Cotignola"});
    cli({"areas", "add", "voltana", "--town", "lugo", "--name", "Voltana"});
    writer = app.create_key("redazione", "drafts:write,alerts:read");
  }

  void cli(const std::vector<std::string>& args) {
    auto r = run_cli(dir.path, args, app.env);
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
  }

  // A draft written over the REST API with this audience; its id.
  std::int64_t draft(const std::string& title, const json& audience, bool submit = false) {
    json body = {{"category", "water"}, {"severity", "moderate"}, {"title", title},
                 {"text", "Pressione bassa fino a sera."}, {"submit", submit}};
    for (const auto& [k, v] : audience.items()) body[k] = v;
    const auto r = app.api("POST", "/v1/drafts", writer, body.dump());
    INFO("body: " << r.body);
    REQUIRE(r.status == 201);
    return json::parse(r.body)["id"].get<std::int64_t>();
  }

  std::string draft_state(std::int64_t id) {
    return json::parse(app.api("GET", "/v1/drafts/" + std::to_string(id), token).body)["state"];
  }

  // A session cookie ("name=value") of a new user with this role and towns
  // ("" for every town), logged in through the form.
  std::string log_in(const std::string& email, const std::string& role, const std::string& towns) {
    std::vector<std::string> args = {"users", "create", "--email", email, "--name", "Elena Bianchi", "--role", role};
    if (!towns.empty()) {
      args.push_back("--towns");
      args.push_back(towns);
    }
    const auto created = run_cli(dir.path, args, app.env);
    REQUIRE(created.exit_code == 0);
    auto password = created.out;
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    password = password.substr(password.rfind('\n') + 1);
    std::string at_escaped = email;
    at_escaped.replace(at_escaped.find('@'), 1, "%40");
    const auto r = call(app.base, "POST", "/console/login", "email=" + at_escaped + "&password=" + password, form_type);
    REQUIRE(r.status == 303);
    const std::string cookie(r.header("Set-Cookie"));
    return cookie.substr(0, cookie.find(';'));
  }

  banditore::http::client_response get(const std::string& cookie, const std::string& path) {
    return call(app.base, "GET", path, {}, {{"Cookie", cookie}});
  }
  banditore::http::client_response post(const std::string& cookie, const std::string& path, const std::string& body) {
    return call(app.base, "POST", path, body, {{"Cookie", cookie}, form_type[0]});
  }

  std::string writer;
};

// The value of the hidden csrf field of a console page.
std::string csrf_of(const std::string& page) {
  const std::string marker = "name=\"csrf\" value=\"";
  const auto at = page.find(marker);
  REQUIRE(at != std::string::npos);
  const auto from = at + marker.size();
  return page.substr(from, page.find('"', from) - from);
}

bool links_to(const std::string& page, std::int64_t id) {
  return page.find("href=\"/console/drafts/" + std::to_string(id) + "\"") != std::string::npos;
}

}  // namespace

TEST_CASE("a staff user limited to a town lists and opens only its drafts, never another town's or one for every town") {
  towns_world w;
  const auto lugo = w.draft("Acqua a Lugo", {{"towns", {"lugo"}}});
  const auto voltana = w.draft("Acqua a Voltana", {{"areas", {"voltana"}}});
  const auto cotignola = w.draft("Acqua a Cotignola", {{"towns", {"cotignola"}}});
  const auto everyone = w.draft("Acqua ovunque", json::object());
  const auto both = w.draft("Acqua a Lugo e Cotignola", {{"towns", {"lugo", "cotignola"}}});
  const auto pending_lugo = w.draft("In attesa a Lugo", {{"towns", {"lugo"}}}, true);
  const auto pending_cotignola = w.draft("In attesa a Cotignola", {{"towns", {"cotignola"}}}, true);

  const auto limited = w.log_in("l.neri@comune.example.it", "publisher", "lugo");
  const auto open = w.get(limited, "/console/drafts?stato=draft");
  REQUIRE(open.status == 200);
  CHECK(links_to(open.body, lugo));
  CHECK(links_to(open.body, voltana));
  CHECK_FALSE(links_to(open.body, cotignola));
  CHECK_FALSE(links_to(open.body, everyone));
  CHECK_FALSE(links_to(open.body, both));
  CHECK(open.body.find("Acqua a Cotignola") == std::string::npos);
  const auto pending = w.get(limited, "/console/drafts?stato=pending");
  REQUIRE(pending.status == 200);
  CHECK(links_to(pending.body, pending_lugo));
  CHECK_FALSE(links_to(pending.body, pending_cotignola));
  // The dashboard's lists of drafts say no more than the drafts page.
  const auto dashboard = w.get(limited, "/console/");
  REQUIRE(dashboard.status == 200);
  CHECK(dashboard.body.find("In attesa a Lugo") != std::string::npos);
  CHECK(dashboard.body.find("In attesa a Cotignola") == std::string::npos);
  CHECK(dashboard.body.find("Acqua ovunque") == std::string::npos);

  CHECK(w.get(limited, "/console/drafts/" + std::to_string(lugo)).status == 200);
  CHECK(w.get(limited, "/console/drafts/" + std::to_string(voltana)).status == 200);
  for (const auto id : {cotignola, everyone, both, pending_cotignola}) {
    const auto base = "/console/drafts/" + std::to_string(id);
    INFO("draft " << id);
    const auto page = w.get(limited, base);
    CHECK(page.status == 403);
    CHECK(page.body.find("Acqua a Cotignola") == std::string::npos);
    CHECK(page.body.find("Acqua ovunque") == std::string::npos);
    CHECK(w.get(limited, base + "/edit").status == 403);
    CHECK(w.get(limited, base + "/discard").status == 403);
  }

  // A user of every town sees them all: the filter is the towns', not the list's.
  const auto everywhere = w.log_in("m.rossi@comune.example.it", "editor", "");
  const auto all = w.get(everywhere, "/console/drafts?stato=draft");
  for (const auto id : {lugo, voltana, cotignola, everyone, both}) CHECK(links_to(all.body, id));
  CHECK(w.get(everywhere, "/console/drafts/" + std::to_string(everyone)).status == 200);
}

TEST_CASE("a staff user limited to a town cannot edit, submit, discard, reject or approve another town's draft") {
  towns_world w;
  const auto cotignola = w.draft("Acqua a Cotignola", {{"towns", {"cotignola"}}});
  const auto everyone = w.draft("Acqua ovunque", json::object());
  const auto pending = w.draft("In attesa a Cotignola", {{"towns", {"cotignola"}}}, true);
  const auto lugo_pending = w.draft("In attesa a Lugo", {{"towns", {"lugo"}}}, true);

  const auto limited = w.log_in("l.neri@comune.example.it", "publisher", "lugo");
  const auto csrf = csrf_of(w.get(limited, "/console/compose").body);
  const std::string fields = "csrf=" + csrf + "&revisione=1";

  for (const auto id : {cotignola, everyone}) {
    const auto base = "/console/drafts/" + std::to_string(id);
    INFO("draft " << id);
    CHECK(w.post(limited, base + "/edit",
                 fields + "&azione=salva&categoria=water&gravita=minor&titolo=Cambiato&testo=Cambiato&comuni=lugo")
              .status == 403);
    CHECK(w.post(limited, base + "/submit", fields).status == 403);
    CHECK(w.post(limited, base + "/discard", fields).status == 403);
    CHECK(w.draft_state(id) == "draft");
  }
  const auto changed = json::parse(w.app.api("GET", "/v1/drafts/" + std::to_string(cotignola), w.token).body);
  CHECK(changed["title"] == "Acqua a Cotignola");
  CHECK(changed["revision"] == 1);

  const auto base = "/console/drafts/" + std::to_string(pending);
  CHECK(w.post(limited, base + "/reject", fields + "&motivo=No").status == 403);
  CHECK(w.post(limited, base + "/approve", fields).status == 403);
  CHECK(w.draft_state(pending) == "pending");
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);

  // Their own town's draft they decide on as before.
  CHECK(w.post(limited, "/console/drafts/" + std::to_string(lugo_pending) + "/reject", fields + "&motivo=Rileggi")
            .status == 303);
  CHECK(w.draft_state(lugo_pending) == "rejected");
}

TEST_CASE("a staff user limited to a town opens the attachments of its drafts and of alerts it sees, not another town's") {
  towns_world w;
  // Four distinct images (the store keeps one row per content).
  auto upload = [&](char mark) {
    const std::string png = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0D" "IHDR", 16) + std::string(200, mark);
    const auto r = call(w.app.base, "POST", "/v1/media", png,
                        {{"Authorization", "Bearer " + w.token}, {"Content-Type", "image/png"}});
    REQUIRE(r.status == 201);
    return json::parse(r.body)["id"].get<std::int64_t>();
  };
  const auto theirs = upload('a');
  const auto ours = upload('b');
  const auto loose = upload('c');
  const auto public_one = upload('d');
  w.draft("Mappa di Cotignola", {{"towns", {"cotignola"}}, {"media", theirs}});
  w.draft("Mappa di Voltana", {{"areas", {"voltana"}}, {"media", ours}});
  w.post_alert({{"category", "roads"}, {"severity", "moderate"}, {"title", "Mappa per tutti"},
                {"text", "Deviazioni in tutta l'Unione."}, {"media", public_one}});

  const auto limited = w.log_in("l.neri@comune.example.it", "editor", "lugo");
  const auto media = [](std::int64_t id) { return "/console/media/" + std::to_string(id); };
  const auto refused = w.get(limited, media(theirs));
  CHECK(refused.status == 404);  // as another town's alert: it does not exist for them
  CHECK(refused.body.find("PNG") == std::string::npos);
  CHECK(w.get(limited, media(ours)).status == 200);
  CHECK(w.get(limited, media(loose)).status == 200);       // carried by nothing yet: an upload being composed
  CHECK(w.get(limited, media(public_one)).status == 200);  // an alert for every town reached Lugo too

  const auto everywhere = w.log_in("m.rossi@comune.example.it", "editor", "");
  const auto whole = w.get(everywhere, media(theirs));
  CHECK(whole.status == 200);
  CHECK(whole.header("Content-Type") == "image/png");
}

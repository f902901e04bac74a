// Several business numbers end to end: two towns, each on its own number
// (BANDITORE_NUMBERS_FILE), wa-sim serving both with a token each. Replies
// leave from the number written to, an alert to both towns from each
// citizen's own town's number, the two numbers in parallel, each at its
// own rate; a notification for a number not configured is not acted on.
// Then the messaging limit per business portfolio (numbers of one share
// it, of two do not), in the preview, the console and the senders, and
// every number's credentials checked with its own token.
#include "harness.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

using namespace harness;

namespace {

const std::string lugo_number = sim_phone_number_id;  // wa-sim's main number
const std::string bagna_number = "200000000000002";
const std::string bagna_token = "bagna-token";
const std::string stranger_number = "300000000000003";  // same app, not configured here
constexpr int lugo_rate = 5;
constexpr int bagna_rate = 3;
constexpr int per_town = 6;

struct numbers_world {
  temp_dir dir;
  wa_sim sim{dir.path, {"--number", bagna_number + ":" + bagna_token + ":390545000002"}};
  banditore_server app{dir.path, sim};
  std::vector<std::string> lugo_phones, bagna_phones;

  numbers_world() {
    {
      std::ofstream(dir.path / "bagna.token") << bagna_token << "\n";
      json numbers = {{"numbers",
                       {{{"id", "lugo"}, {"phone_number_id", lugo_number}, {"token_env", "LUGO_WA_TOKEN"},
                         {"display_number", "+39 0545 38111"}, {"rate", lugo_rate}, {"tier", "unlimited"},
                         {"portfolio", "900"}, {"towns", {"lugo"}}},
                        {{"id", "bagnacavallo"}, {"phone_number_id", bagna_number},
                         {"token_file", (dir.path / "bagna.token").string()}, {"display_number", "+39 0545 280811"},
                         {"rate", bagna_rate}, {"tier", "unlimited"}, {"portfolio", "900"},
                         {"towns", {"bagnacavallo"}}}}}};
      std::ofstream(dir.path / "numbers.json") << numbers.dump(2);
    }
    app.env.erase("BANDITORE_WA_PHONE_NUMBER_ID");
    app.env.erase("BANDITORE_WA_TOKEN");
    app.env["BANDITORE_NUMBERS_FILE"] = (dir.path / "numbers.json").string();
    app.env["LUGO_WA_TOKEN"] = sim_token;
    app.env["BANDITORE_TOWN"] = "Lugo";
    app.env["BANDITORE_LOG_LEVEL"] = "info";
    // The towns exist before the service starts: it checks the file's towns
    // against them.
    REQUIRE(run_cli(dir.path, {"towns", "list"}, app.env).exit_code == 0);
    auto added = run_cli(dir.path, {"towns", "add", "bagnacavallo", "--name", "Comune di Bagnacavallo"}, app.env);
    INFO("stderr: " << added.err);
    REQUIRE(added.exit_code == 0);
    app.start();
    sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}, {"statuses", false}});
    for (int i = 0; i < per_town; ++i) {
      lugo_phones.push_back("39347100000" + std::to_string(i));
      bagna_phones.push_back("39347200000" + std::to_string(i));
    }
  }

  // Citizens write to one business number, one webhook each.
  void write(const std::vector<std::string>& phones, const std::string& text, const std::string& to_number) {
    json messages = json::array();
    for (const auto& p : phones) messages.push_back({{"from", p}, {"text", text}});
    json body = {{"messages", messages}, {"to", to_number}};
    auto r = call(sim.base, "POST", "/sim/citizens/messages", body.dump());
    REQUIRE(r.status == 200);
    const auto answer = json::parse(r.body);
    for (const auto& s : answer["webhook_status"]) REQUIRE(s == 200);
  }

  // The messages of a phone whose text holds marker.
  std::vector<json> messages_with(const std::string& phone, const std::string& marker) {
    std::vector<json> out;
    const auto box = sim.inbox(phone);
    for (const auto& m : box["messages"])
      if (m.dump().find(marker) != std::string::npos) out.push_back(m);
    return out;
  }

  std::size_t inbox_size(const std::string& phone) { return sim.inbox(phone)["messages"].size(); }
};

// Arrival times (ms, wa-sim's clock) of the accepted sends of one number
// to the given phones, in order.
std::vector<std::int64_t> arrivals(const json& requests, const std::string& number,
                                   const std::vector<std::string>& phones) {
  std::vector<std::int64_t> at;
  for (const auto& r : requests["requests"])
    if (r["phone_number_id"] == number && r["status"] == 200 &&
        std::find(phones.begin(), phones.end(), r["to"].get<std::string>()) != phones.end())
      at.push_back(r["at"].get<std::int64_t>());
  std::sort(at.begin(), at.end());
  return at;
}

}  // namespace

TEST_CASE("two towns on two numbers: replies from the number written to, an alert from each town's own number, in parallel at each rate") {
  numbers_world w;

  // Subscribing: each citizen writes a plain "Attiva" to their town's
  // number (one town each, so none is asked which town) and the
  // confirmation comes from that number.
  w.write(w.lugo_phones, "Attiva", lugo_number);
  w.write(w.bagna_phones, "Attiva", bagna_number);
  REQUIRE(wait_until([&] { return count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 2 * per_town; }));
  auto replied = [&](const std::vector<std::string>& phones, std::size_t n) {
    return std::all_of(phones.begin(), phones.end(), [&](const auto& p) { return w.inbox_size(p) >= n; });
  };
  REQUIRE(wait_until([&] { return replied(w.lugo_phones, 1) && replied(w.bagna_phones, 1); }));
  for (const auto& p : w.lugo_phones) CHECK(w.sim.inbox(p)["messages"][0]["from_number"] == lugo_number);
  for (const auto& p : w.bagna_phones) CHECK(w.sim.inbox(p)["messages"][0]["from_number"] == bagna_number);
  // Each confirmation names the town of the number written to, not the
  // deployment's BANDITORE_TOWN.
  for (const auto& p : w.lugo_phones) CHECK(w.sim.inbox(p)["messages"][0].dump().find("Comune di Lugo") != std::string::npos);
  for (const auto& p : w.bagna_phones) {
    const auto confirmation = w.sim.inbox(p)["messages"][0].dump();
    CHECK(confirmation.find("Comune di Bagnacavallo") != std::string::npos);
    CHECK(confirmation.find("Comune di Lugo") == std::string::npos);
  }
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'lugo'") == per_town);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'bagnacavallo'") == per_town);
  // Each number's 24-hour window is its own.
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM number_windows WHERE number_id = 'lugo'") == per_town);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM number_windows WHERE number_id = 'bagnacavallo'") == per_town);

  // An alert to both towns: each citizen gets it once, from their town's
  // number, and the two numbers send at the same time, each at its rate.
  const auto token = w.app.create_key("unione", "alerts:send,alerts:read");
  json alert = {{"category", "water"}, {"severity", "severe"}, {"title", "Guasto acquedotto MARCA-14"},
                {"text", "Acqua sospesa fino alle 18."}, {"towns", {"lugo", "bagnacavallo"}}};
  // The preview counts each number's share at its own pace; the numbers
  // send in parallel, so the whole takes the slowest one's time.
  auto preview = w.app.api("POST", "/v1/alerts/preview", token, alert.dump());
  REQUIRE(preview.status == 200);
  const auto plan = json::parse(preview.body);
  CHECK(plan["recipients"] == 2 * per_town);
  REQUIRE(plan["numbers"].size() == 2);
  for (const auto& n : plan["numbers"]) {
    CHECK(n["recipients"] == per_town);
    CHECK(n["portfolio"] == "900");
    const double rate = n["number"] == "lugo" ? lugo_rate : bagna_rate;
    CHECK(n["messages_per_second"] == rate);
    CHECK(n["seconds"].get<double>() == doctest::Approx(per_town / rate).epsilon(0.05));
  }
  CHECK(plan["seconds"].get<double>() == doctest::Approx(double(per_town) / bagna_rate).epsilon(0.05));
  REQUIRE(plan["messaging_limit"]["portfolios"].size() == 1);
  const auto& portfolio = plan["messaging_limit"]["portfolios"][0];
  CHECK(portfolio["portfolio"] == "900");
  CHECK(portfolio["tier"] == "unlimited");
  CHECK(portfolio["will_wait"] == 0);  // an unlimited tier holds nobody back
  auto posted = w.app.api("POST", "/v1/alerts", token, alert.dump());
  REQUIRE(posted.status == 202);
  const auto id = json::parse(posted.body)["id"].get<std::int64_t>();
  auto report = w.app.await_alert(token, id, "done", std::chrono::seconds(120));
  REQUIRE(report["state"] == "done");
  for (const auto& p : w.lugo_phones) {
    auto got = w.messages_with(p, "MARCA-14");
    REQUIRE(got.size() == 1);
    CHECK(got[0]["from_number"] == lugo_number);
  }
  for (const auto& p : w.bagna_phones) {
    auto got = w.messages_with(p, "MARCA-14");
    REQUIRE(got.size() == 1);
    CHECK(got[0]["from_number"] == bagna_number);
  }
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE alert_id = " + std::to_string(id) +
                                 " AND number_id = 'bagnacavallo'") == per_town);

  const auto requests = json::parse(call(w.sim.base, "GET", "/sim/requests").body);
  // The alert's sends are the last accepted ones to each phone: the
  // replies came before the alert was posted.
  auto lugo_at = arrivals(requests, lugo_number, w.lugo_phones);
  auto bagna_at = arrivals(requests, bagna_number, w.bagna_phones);
  REQUIRE(lugo_at.size() == 2 * per_town);  // the confirmations, then the alert
  REQUIRE(bagna_at.size() == 2 * per_town);
  lugo_at.erase(lugo_at.begin(), lugo_at.begin() + per_town);
  bagna_at.erase(bagna_at.begin(), bagna_at.begin() + per_town);
  // Each number's pace: n sends at r a second span at least (n - 1) / r
  // seconds; one interval of slack for the first send's start from idle
  // and the network's jitter. A loaded machine only spreads them more.
  auto span_ms = [](const std::vector<std::int64_t>& at) { return at.back() - at.front(); };
  CHECK(span_ms(lugo_at) >= (per_town - 2) * 1000 / lugo_rate);
  CHECK(span_ms(bagna_at) >= (per_town - 2) * 1000 / bagna_rate);
  // In parallel: each number's sends began before the other's ended.
  CHECK(lugo_at.front() < bagna_at.back());
  CHECK(bagna_at.front() < lugo_at.back());

  // A reply leaves from the number written to, even a citizen of Lugo
  // writing to Bagnacavallo's number.
  const auto before = w.inbox_size(w.lugo_phones[0]);
  w.write({w.lugo_phones[0]}, "Stato", bagna_number);
  REQUIRE(wait_until([&] { return w.inbox_size(w.lugo_phones[0]) > before; }));
  CHECK(w.sim.inbox(w.lugo_phones[0])["messages"][before]["from_number"] == bagna_number);

  // A notification for a number of the same app that is not configured
  // here: answered 200 (Meta would retry otherwise) and not acted on. A
  // message written after it to a configured number is answered, so the
  // first was handled by then.
  const std::string stranger = "393473000001";
  const auto bagna_before = w.inbox_size(w.bagna_phones[0]);
  w.write({stranger}, "Attiva", stranger_number);
  w.write({w.bagna_phones[0]}, "Stato", bagna_number);
  REQUIRE(wait_until([&] { return w.inbox_size(w.bagna_phones[0]) > bagna_before; }));
  REQUIRE(wait_until([&] { return read_file(w.app.log_file).find("webhook.unknown_number") != std::string::npos; }));
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 2 * per_town);
  CHECK(w.inbox_size(stranger) == 0);

  // wa-sim, as Meta: a token is good for its own number only.
  json text = {{"messaging_product", "whatsapp"}, {"to", "393471000000"}, {"type", "text"}, {"text", {{"body", "x"}}}};
  auto wrong = call(w.sim.base, "POST", "/v24.0/" + bagna_number + "/messages", text.dump(),
                    {{"Authorization", "Bearer " + sim_token}, {"Content-Type", "application/json"}});
  CHECK(wrong.status == 401);
  CHECK(json::parse(wrong.body)["error"]["code"] == 190);
  CHECK(w.sim.stats()["rejected_wrong_number"] == 1);
}

TEST_CASE("a numbers file naming a town the deployment does not have stops the service at start") {
  temp_dir dir;
  wa_sim sim(dir.path);
  banditore_server app(dir.path, sim);
  json numbers = {{"numbers",
                   {{{"id", "lugo"}, {"phone_number_id", lugo_number}, {"token_env", "LUGO_WA_TOKEN"},
                     {"display_number", "+39 0545 38111"}, {"portfolio", "900"}, {"towns", {"lugo", "conselice"}}}}}};
  std::ofstream(dir.path / "numbers.json") << numbers.dump();
  app.env.erase("BANDITORE_WA_PHONE_NUMBER_ID");
  app.env.erase("BANDITORE_WA_TOKEN");
  app.env["BANDITORE_NUMBERS_FILE"] = (dir.path / "numbers.json").string();
  app.env["LUGO_WA_TOKEN"] = sim_token;
  app.env["BANDITORE_TOWN"] = "Lugo";
  auto r = run_cli(dir.path, {"serve"}, app.env);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("BANDITORE_NUMBERS_FILE") != std::string::npos);
  INFO("stderr: " << r.err);
  CHECK(r.err.find("conselice") != std::string::npos);
  CHECK(r.err.find(sim_token) == std::string::npos);
}

namespace {

// Writes to the service's database from outside, as another process would
// (WAL: the service keeps running). Only to move time: a day later.
void exec_sql(const fs::path& db, const std::string& sql) {
  SQLite::Database conn(db.string(), SQLite::OPEN_READWRITE);
  conn.setBusyTimeout(5000);
  conn.exec(sql);
}

// Two towns on two numbers with Meta's smallest messaging limit (250
// people a day outside their window), unpaced, in one business portfolio
// or in two; 200 subscribers a town who last wrote two days ago.
constexpr int limit_per_town = 200;

struct limit_world {
  temp_dir dir;
  wa_sim sim{dir.path, {"--number", bagna_number + ":" + bagna_token + ":390545000002"}};
  banditore_server app{dir.path, sim, {{"BANDITORE_CONSOLE_TOTP", "optional"}}};

  explicit limit_world(bool one_portfolio) {
    json numbers = {{"numbers",
                     {{{"id", "lugo"}, {"phone_number_id", lugo_number}, {"token_env", "LUGO_WA_TOKEN"},
                       {"display_number", "+39 0545 38111"}, {"rate", 0}, {"tier", 250},
                       {"portfolio", "900"}, {"towns", {"lugo"}}},
                      {{"id", "bagnacavallo"}, {"phone_number_id", bagna_number}, {"token_env", "BAGNA_WA_TOKEN"},
                       {"display_number", "+39 0545 280811"}, {"rate", 0}, {"tier", 250},
                       {"portfolio", one_portfolio ? "900" : "901"}, {"towns", {"bagnacavallo"}}}}}};
    std::ofstream(dir.path / "numbers.json") << numbers.dump(2);
    app.env.erase("BANDITORE_WA_PHONE_NUMBER_ID");
    app.env.erase("BANDITORE_WA_TOKEN");
    app.env["BANDITORE_NUMBERS_FILE"] = (dir.path / "numbers.json").string();
    app.env["LUGO_WA_TOKEN"] = sim_token;
    app.env["BAGNA_WA_TOKEN"] = bagna_token;
    app.env["BANDITORE_TOWN"] = "Lugo";
    REQUIRE(run_cli(dir.path, {"towns", "list"}, app.env).exit_code == 0);
    REQUIRE(run_cli(dir.path, {"towns", "add", "bagnacavallo", "--name", "Comune di Bagnacavallo"}, app.env).exit_code == 0);
    app.start();
    sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}, {"statuses", false}});
    const auto before = sim.stats().value("accepted", 0);
    subscribe("39347100", lugo_number);
    subscribe("39347200", bagna_number);
    REQUIRE(wait_until([&] { return count(app.db_file, "SELECT COUNT(*) FROM subscribers") == 2 * limit_per_town; }));
    // The confirmations have left (replies: inside the window, not counted).
    REQUIRE(wait_until([&] { return sim.stats().value("accepted", 0) >= before + 2 * limit_per_town; }));
    // Two days later: nobody has written since, every window is closed.
    exec_sql(app.db_file, "UPDATE number_windows SET last_inbound_at = last_inbound_at - 2 * 86400000");
    exec_sql(app.db_file, "UPDATE contacts SET last_inbound_at = last_inbound_at - 2 * 86400000");
  }

  void subscribe(const std::string& prefix, const std::string& to_number) {
    for (int at = 0; at < limit_per_town; at += 100) {
      json messages = json::array();
      for (int i = at; i < at + 100; ++i) {
        const auto digits = std::to_string(i);
        messages.push_back({{"from", prefix + std::string(4 - digits.size(), '0') + digits}, {"text", "Attiva"}});
      }
      auto r = call(sim.base, "POST", "/sim/citizens/messages",
                    json{{"messages", messages}, {"to", to_number}, {"batch", true}}.dump());
      REQUIRE(r.status == 200);
    }
  }

  // A /metrics sample's value; -1 when the series is absent.
  double metric(const std::string& series) {
    const auto text = app.api("GET", "/metrics", "").body;
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
  }

  // The console's compose preview of the alert, as an editor sees it.
  std::string console_preview(const std::string& title) {
    const auto created = run_cli(dir.path, {"users", "create", "--email", "m.rossi@unione.example.it", "--name",
                                            "Maria Rossi", "--role", "editor"},
                                 database_env(dir.path));
    REQUIRE(created.exit_code == 0);
    auto password = created.out.substr(created.out.find_last_of('\n', created.out.size() - 2) + 1);
    password = password.substr(0, password.find('\n'));
    const auto login = call(app.base, "POST", "/console/login",
                            "email=m.rossi%40unione.example.it&password=" + password + "&next=%2Fconsole%2F",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
    REQUIRE(login.status == 303);
    const std::string set_cookie(login.header("Set-Cookie"));
    const auto cookie = set_cookie.substr(0, set_cookie.find(';'));
    const auto form = call(app.base, "GET", "/console/compose", {}, {{"Cookie", cookie}});
    REQUIRE(form.status == 200);
    const std::string marker = "name=\"csrf\" value=\"";
    const auto from = form.body.find(marker) + marker.size();
    const auto csrf = form.body.substr(from, form.body.find('"', from) - from);
    const auto preview =
        call(app.base, "POST", "/console/compose",
             "csrf=" + csrf + "&categoria=water&gravita=severe&titolo=" + title +
                 "&testo=Acqua+sospesa&comuni=lugo&comuni=bagnacavallo&azione=anteprima",
             {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}});
    REQUIRE(preview.status == 200);
    return preview.body;
  }
};

json union_alert(const std::string& title) {
  return {{"category", "water"}, {"severity", "severe"}, {"title", title},
          {"text", "Acqua sospesa fino alle 18."}, {"towns", {"lugo", "bagnacavallo"}}};
}

std::int64_t alert_rows(const limit_world& w, std::int64_t id, const std::string& where) {
  return count(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE alert_id = " + std::to_string(id) + " AND " + where);
}

}  // namespace

TEST_CASE("two portfolios have a messaging limit each: 200 and 200 outside their window under 250 each, nobody waits") {
  limit_world w(false);
  const auto token = w.app.create_key("unione", "alerts:send,alerts:read");

  auto preview = w.app.api("POST", "/v1/alerts/preview", token, union_alert("Guasto LIM-2").dump());
  REQUIRE(preview.status == 200);
  const auto plan = json::parse(preview.body);
  INFO(plan.dump());
  CHECK(plan["outside_window"] == 2 * limit_per_town);
  CHECK(plan["messaging_limit"]["will_wait"] == 0);
  REQUIRE(plan["messaging_limit"]["portfolios"].size() == 2);
  for (const auto& p : plan["messaging_limit"]["portfolios"]) {
    CHECK(p["tier"] == 250);
    CHECK(p["used"] == 0);
    CHECK(p["outside_window"] == limit_per_town);
    CHECK(p["will_wait"] == 0);
    CHECK(p["first_frees_at"].is_null());
  }

  // The console's compose page shows the same, per number and portfolio.
  const auto page = w.console_preview("Guasto+LIM-2");
  CHECK(page.find("<dt>Per numero</dt>") != std::string::npos);
  CHECK(page.find("<strong>lugo</strong>: 200 destinatari (200 con il modello)") != std::string::npos);
  CHECK(page.find("<strong>bagnacavallo</strong>: 200 destinatari (200 con il modello)") != std::string::npos);
  CHECK(page.find("Portafoglio <strong>900</strong>: limite 250 al giorno, già raggiunti 0, fuori finestra 200; "
                  "nessuno in attesa") != std::string::npos);
  CHECK(page.find("Portafoglio <strong>901</strong>: limite 250 al giorno, già raggiunti 0, fuori finestra 200; "
                  "nessuno in attesa") != std::string::npos);
  CHECK(page.find("In attesa del limite di WhatsApp") == std::string::npos);

  // The senders count each portfolio apart: all 400 leave, none waits.
  auto posted = w.app.api("POST", "/v1/alerts", token, union_alert("Guasto LIM-2").dump());
  REQUIRE(posted.status == 202);
  const auto id = json::parse(posted.body)["id"].get<std::int64_t>();
  REQUIRE(wait_until([&] { return alert_rows(w, id, "state = 'sent'") == 2 * limit_per_town; }, std::chrono::seconds(120)));
  CHECK(alert_rows(w, id, "state = 'queued'") == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM portfolio_contacts WHERE portfolio = '900'") == limit_per_town);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM portfolio_contacts WHERE portfolio = '901'") == limit_per_town);

  // Each number's series in /metrics, by the deployment's id for it.
  CHECK(w.metric(R"(banditore_sends_total{kind="delivery",verdict="accepted",number="lugo"})") == limit_per_town);
  CHECK(w.metric(R"(banditore_sends_total{kind="delivery",verdict="accepted",number="bagnacavallo"})") ==
        limit_per_town);
  CHECK(w.metric(R"(banditore_messaging_limit{number="lugo"})") == 250);
  CHECK(w.metric(R"(banditore_messaging_limit_used{number="lugo"})") == limit_per_town);
  CHECK(w.metric(R"(banditore_messaging_limit_used{number="bagnacavallo"})") == limit_per_town);
  CHECK(w.metric(R"(banditore_sender_rounds_total{number="bagnacavallo"})") > 0);
  const auto text = w.app.api("GET", "/metrics", "").body;
  CHECK(text.find("banditore_send_latency_seconds_count{number=\"lugo\"}") != std::string::npos);
  CHECK(text.find(lugo_number) == std::string::npos);  // Meta's ids and the numbers stay out
  CHECK(text.find("393471000000") == std::string::npos);
}

TEST_CASE("one portfolio's two numbers share its limit: of 400 outside their window under 250, 150 wait") {
  limit_world w(true);
  const auto token = w.app.create_key("unione", "alerts:send,alerts:read");

  auto preview = w.app.api("POST", "/v1/alerts/preview", token, union_alert("Guasto LIM-1").dump());
  REQUIRE(preview.status == 200);
  const auto plan = json::parse(preview.body);
  INFO(plan.dump());
  CHECK(plan["messaging_limit"]["will_wait"] == 150);
  REQUIRE(plan["messaging_limit"]["portfolios"].size() == 1);
  const auto& p = plan["messaging_limit"]["portfolios"][0];
  CHECK(p["portfolio"] == "900");
  CHECK(p["outside_window"] == 2 * limit_per_town);
  CHECK(p["will_wait"] == 150);
  CHECK(p["first_frees_at"].is_string());
  CHECK(p["all_sent_by"].is_string());

  const auto page = w.console_preview("Guasto+LIM-1");
  CHECK(page.find("Portafoglio <strong>900</strong>: limite 250 al giorno, già raggiunti 0, fuori finestra 400; "
                  "in attesa 150, i primi partono ") != std::string::npos);
  CHECK(page.find("<dt>In attesa del limite di WhatsApp</dt><dd>150") != std::string::npos);

  // Two senders, one count: 250 leave between them, 150 wait for the day.
  auto posted = w.app.api("POST", "/v1/alerts", token, union_alert("Guasto LIM-1").dump());
  REQUIRE(posted.status == 202);
  const auto id = json::parse(posted.body)["id"].get<std::int64_t>();
  // The answer tells what the preview told: the portfolio's tier, not
  // BANDITORE_WA_TIER, and who waits.
  const auto limit = json::parse(posted.body)["messaging_limit"];
  INFO(limit.dump());
  CHECK(limit["tier"] == 250);
  CHECK(limit["will_wait"] == 150);
  CHECK(limit["recipients_outside_window"] == 2 * limit_per_town);
  CHECK(limit["portfolios"][0]["will_wait"] == 150);
  const std::string waiting = "state = 'queued' AND error_title = 'waiting for the messaging limit'";
  REQUIRE(wait_until([&] { return alert_rows(w, id, waiting) == 150; }, std::chrono::seconds(120)));
  REQUIRE(wait_until([&] { return alert_rows(w, id, "state = 'sent'") == 250; }, std::chrono::seconds(60)));
  CHECK(alert_rows(w, id, "state = 'sending'") == 0);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM portfolio_contacts WHERE portfolio = '900'") == 250);
  // The portfolio's use is shared: each of its numbers shows all of it.
  CHECK(w.metric(R"(banditore_messaging_limit_used{number="lugo"})") == 250);
  CHECK(w.metric(R"(banditore_messaging_limit_used{number="bagnacavallo"})") == 250);

  // A preview now sees the portfolio's limit used up by its two numbers.
  preview = w.app.api("POST", "/v1/alerts/preview", token, union_alert("Guasto LIM-1b").dump());
  const auto after = json::parse(preview.body);
  CHECK(after["messaging_limit"]["portfolios"][0]["used"] == 250);
  CHECK(after["messaging_limit"]["portfolios"][0]["first_frees_at"].is_string());

  const auto stats_key = w.app.create_key("dashboard", "stats:read");
  const auto stats = json::parse(w.app.api("GET", "/v1/stats", stats_key).body)["messaging_limit"];
  INFO(stats.dump());
  CHECK(stats["tier"] == 250);
  CHECK(stats["used_last_24h"] == 250);
  REQUIRE(stats["portfolios"].size() == 1);
  CHECK(stats["portfolios"][0]["portfolio"] == "900");
  CHECK(stats["portfolios"][0]["used_last_24h"] == 250);
  CHECK(stats["portfolios"][0]["next_capacity_at"].is_string());
}

TEST_CASE("every number's credentials are checked: a token Meta refuses on the second number shows by its id") {
  temp_dir dir;
  wa_sim sim{dir.path, {"--number", bagna_number + ":" + bagna_token + ":390545000002"}};
  banditore_server app{dir.path, sim, {{"BANDITORE_WA_CHECK_SECONDS", "1"}}};
  const std::string stale = "bagna-token-revoked";
  json numbers = {{"numbers",
                   {{{"id", "lugo"}, {"phone_number_id", lugo_number}, {"token_env", "LUGO_WA_TOKEN"},
                     {"display_number", "+39 0545 38111"}, {"portfolio", "900"}, {"towns", {"lugo"}}},
                    {{"id", "bagnacavallo"}, {"phone_number_id", bagna_number}, {"token_env", "BAGNA_WA_TOKEN"},
                     {"display_number", "+39 0545 280811"}, {"portfolio", "900"}, {"towns", {"bagnacavallo"}}}}}};
  std::ofstream(dir.path / "numbers.json") << numbers.dump(2);
  app.env.erase("BANDITORE_WA_PHONE_NUMBER_ID");
  app.env.erase("BANDITORE_WA_TOKEN");
  app.env["BANDITORE_NUMBERS_FILE"] = (dir.path / "numbers.json").string();
  app.env["LUGO_WA_TOKEN"] = sim_token;
  app.env["BAGNA_WA_TOKEN"] = stale;  // not the token wa-sim (Meta) knows for that number
  app.env["BANDITORE_TOWN"] = "Lugo";
  REQUIRE(run_cli(dir.path, {"towns", "list"}, app.env).exit_code == 0);
  REQUIRE(run_cli(dir.path, {"towns", "add", "bagnacavallo", "--name", "Comune di Bagnacavallo"}, app.env).exit_code == 0);
  app.start();

  json ready;
  auto readiness = [&] {
    auto r = call(app.base, "GET", "/readyz");
    ready = json::parse(r.body, nullptr, false);
    ready["http_status"] = r.status;
    return ready;
  };
  REQUIRE(wait_until([&] { return readiness().value("whatsapp_credentials", "") == "rejected"; }, std::chrono::seconds(30)));
  INFO(ready.dump());
  CHECK(ready["http_status"] == 503);
  CHECK(ready["whatsapp_number"] == "bagnacavallo");
  CHECK(ready["whatsapp_error_code"] == 190);
  REQUIRE(ready["whatsapp_numbers"].size() == 2);
  CHECK(ready["whatsapp_numbers"][0]["number"] == "lugo");
  CHECK(ready["whatsapp_numbers"][0]["credentials"] == "ok");
  CHECK(ready["whatsapp_numbers"][1]["number"] == "bagnacavallo");
  CHECK(ready["whatsapp_numbers"][1]["credentials"] == "rejected");
  CHECK(ready["whatsapp_numbers"][1]["error_code"] == 190);
  REQUIRE(wait_until([&] { return read_file(app.log_file).find("\"whatsapp.credentials_rejected\"") != std::string::npos; }));
  const auto log = read_file(app.log_file);
  const auto line_at = log.find("\"whatsapp.credentials_rejected\"");
  const auto line = log.substr(log.rfind('\n', line_at) + 1, log.find('\n', line_at) - log.rfind('\n', line_at) - 1);
  CHECK(json::parse(line)["number"] == "bagnacavallo");
  // Neither token appears anywhere.
  for (const auto& token : {sim_token, stale, bagna_token}) {
    CHECK(log.find(token) == std::string::npos);
    CHECK(ready.dump().find(token) == std::string::npos);
  }

  // Meta is given the token the deployment holds: the next check sees it.
  sim.configure({{"numbers", {{{"phone_number_id", bagna_number}, {"token", stale}, {"display_number", "390545000002"}}}}});
  REQUIRE(wait_until([&] { return readiness().value("whatsapp_credentials", "") == "ok"; }, std::chrono::seconds(30)));
  CHECK(ready["http_status"] == 200);
  CHECK(ready["whatsapp_numbers"][1]["credentials"] == "ok");
  CHECK_FALSE(ready.contains("whatsapp_number"));
}

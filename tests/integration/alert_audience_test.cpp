// Alerts for an audience end to end: the real binary plans a targeted
// alert through the choice tables and wa-sim's inboxes show who got it.
// Choices are written into the database directly: how citizens make them
// on WhatsApp is tested with the inbound path.
#include "harness.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <set>

using namespace harness;

namespace {

struct choice {
  std::vector<std::string> towns, topics, areas;
  bool only_severe = false;
};

// Lugo and Cotignola with an area each (and San Bernardino in Lugo);
// subscribers 1 to 8 choose as listed.
const std::vector<choice> choices = {
    {{"lugo"}, {"acqua", "emergenze"}, {}},
    {{"lugo"}, {"strade"}, {}},
    {{"lugo"}, {"acqua"}, {"voltana"}},
    {{"lugo"}, {"acqua"}, {}, true},
    {{"cotignola"}, {"acqua"}, {}},
    {{"cotignola"}, {"strade"}, {"barbiano"}},
    {{"lugo", "cotignola"}, {"strade"}, {"voltana"}},
    {{"lugo"}, {"acqua"}, {"san-bernardino"}},
};

struct world : alert_world {
  std::vector<std::string> phones;

  world() : alert_world(std::map<std::string, std::string>{{"BANDITORE_TOWN", "Lugo"}}) {
    // One at a time, so subscriber ids follow the phones' order; they
    // join with Lugo (the only town yet) and the default topics.
    for (std::size_t i = 0; i < choices.size(); ++i) {
      const auto phone = "39347000000" + std::to_string(i);
      sim.citizen_says(phone, "Attiva");
      REQUIRE(wait_until([&] { return count(app.db_file, "SELECT COUNT(*) FROM subscribers") == int(i + 1); }));
      phones.push_back(phone);
    }
    cli({"towns", "add", "cotignola", "--name", "Comune di Cotignola"});
    cli({"areas", "add", "voltana", "--town", "lugo", "--name", "Voltana"});
    cli({"areas", "add", "san-bernardino", "--town", "lugo", "--name", "San Bernardino"});
    cli({"areas", "add", "barbiano", "--town", "cotignola", "--name", "Barbiano"});
    SQLite::Database db(app.db_file.string(), SQLite::OPEN_READWRITE);
    db.setBusyTimeout(10000);
    db.exec("BEGIN IMMEDIATE");
    db.exec("DELETE FROM subscriber_towns; DELETE FROM subscriber_topics; DELETE FROM subscriber_areas");
    for (std::size_t i = 0; i < choices.size(); ++i) {
      const auto id = static_cast<std::int64_t>(i + 1);
      auto insert = [&](const char* sql, const std::string& key) {
        SQLite::Statement st(db, sql);
        st.bind(1, key);
        st.bind(2, id);
        st.exec();
      };
      for (const auto& t : choices[i].towns) insert("INSERT INTO subscriber_towns VALUES (?, ?)", t);
      for (const auto& t : choices[i].topics) insert("INSERT INTO subscriber_topics VALUES (?, ?)", t);
      for (const auto& a : choices[i].areas) insert("INSERT INTO subscriber_areas VALUES (?, ?)", a);
      SQLite::Statement floor(db, "UPDATE subscribers SET only_severe = ? WHERE id = ?");
      floor.bind(1, choices[i].only_severe ? 1 : 0);
      floor.bind(2, id);
      floor.exec();
    }
    db.exec("COMMIT");
  }

  void cli(const std::vector<std::string>& args) {
    auto r = run_cli(dir.path, args, app.env);
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
  }

  // Subscribers (1-based, in phone order) whose inbox holds the marker,
  // each checked to hold it at most once.
  std::set<int> reached(const std::string& marker) {
    std::set<int> out;
    for (std::size_t i = 0; i < phones.size(); ++i) {
      int n = 0;
      const auto box = sim.inbox(phones[i]);
      for (const auto& m : box["messages"]) {
        if (m.dump().find(marker) != std::string::npos) ++n;
      }
      CHECK_MESSAGE(n <= 1, "subscriber " << i + 1 << " got " << marker << " " << n << " times");
      if (n > 0) out.insert(static_cast<int>(i + 1));
    }
    return out;
  }

  std::set<int> send(json audience, const std::string& severity, const std::string& marker) {
    json body = {{"category", "other"}, {"severity", severity}, {"title", marker},
                 {"text", "Prova di un avviso mirato."}};
    for (const auto& [k, v] : audience.items()) body[k] = v;
    // The preview counts what the planner will select, and creates nothing.
    const auto alerts_before = count(app.db_file, "SELECT COUNT(*) FROM alerts");
    auto preview = app.api("POST", "/v1/alerts/preview", token, body.dump());
    REQUIRE(preview.status == 200);
    CHECK(count(app.db_file, "SELECT COUNT(*) FROM alerts") == alerts_before);
    const auto id = post_alert(body)["id"].get<std::int64_t>();
    const auto report = await_state(id, "done");
    auto got = reached(marker);
    CHECK(report["recipients"] == static_cast<std::int64_t>(got.size()));
    CHECK(json::parse(preview.body)["recipients"] == static_cast<std::int64_t>(got.size()));
    CHECK(report["audience"] == json({{"towns", audience.value("towns", json(nullptr))},
                                      {"topics", audience.value("topics", json(nullptr))},
                                      {"areas", audience.value("areas", json(nullptr))}}));
    return got;
  }
};

}  // namespace

TEST_CASE("alerts targeted by town, topic, area and severity reach exactly the matching inboxes, once each") {
  world w;
  CHECK(w.send({{"towns", {"cotignola"}}}, "moderate", "AVVISO-COTIGNOLA") == std::set<int>{5, 6, 7});
  CHECK(w.send({{"topics", {"strade"}}}, "severe", "AVVISO-STRADE") == std::set<int>{2, 6, 7});
  // Voltana: who chose it, and Lugo's people with no area of Lugo (4 only
  // wants severe alerts; 8 chose San Bernardino).
  CHECK(w.send({{"areas", {"voltana"}}}, "moderate", "AVVISO-VOLTANA") == std::set<int>{1, 2, 3, 7});
  CHECK(w.send(json::object(), "minor", "AVVISO-TUTTI-MINORE") == std::set<int>{1, 2, 3, 5, 6, 7, 8});
  CHECK(w.send({{"towns", {"lugo"}}, {"topics", {"acqua"}}}, "extreme", "AVVISO-LUGO-ACQUA") ==
        std::set<int>{1, 3, 4, 8});
  // Several matching rows (two towns, two topics) still make one message.
  CHECK(w.send({{"towns", {"lugo", "cotignola"}}, {"topics", {"strade", "acqua"}}}, "severe", "AVVISO-DOPPIO") ==
        std::set<int>{1, 2, 3, 4, 5, 6, 7, 8});
}

TEST_CASE("an alert naming an unknown town is refused 422 and sends nothing") {
  world w;
  auto r = w.app.api("POST", "/v1/alerts", w.token,
                     json({{"category", "other"}, {"severity", "severe"}, {"title", "X"}, {"text", "Y"},
                           {"towns", {"imola"}}})
                         .dump());
  CHECK(r.status == 422);
  CHECK(json::parse(r.body)["errors"][0]["field"] == "towns");
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);
}

TEST_CASE("a key limited to a town sends there by default and is refused 403 elsewhere") {
  world w;
  auto created = run_cli(w.dir.path,
                         {"keys", "create", "--name", "ufficio-stampa-lugo", "--scopes", "alerts:send,alerts:read",
                          "--towns", "lugo"},
                         w.app.env);
  INFO("stderr: " << created.err);
  REQUIRE(created.exit_code == 0);
  const auto lugo_key = created.out.substr(0, created.out.find('\n'));
  auto listed = run_cli(w.dir.path, {"keys", "list"}, w.app.env);
  CHECK(listed.out.find("ufficio-stampa-lugo") != std::string::npos);
  CHECK(listed.out.find(" lugo ") != std::string::npos);

  // No town named: the key's own.
  json body = {{"category", "other"}, {"severity", "moderate"}, {"title", "AVVISO-CHIAVE-LUGO"},
               {"text", "Prova di un avviso da una chiave limitata."}};
  auto res = w.app.api("POST", "/v1/alerts", lugo_key, body.dump());
  REQUIRE(res.status == 202);
  const auto id = json::parse(res.body)["id"].get<std::int64_t>();
  CHECK(json::parse(res.body)["audience"]["towns"] == json::array({"lugo"}));
  w.await_state(id, "done");
  CHECK(w.reached("AVVISO-CHIAVE-LUGO") == std::set<int>{1, 2, 3, 7, 8});

  // Another town, or an area of another town: 403, nothing created.
  const auto before = count(w.app.db_file, "SELECT COUNT(*) FROM alerts");
  for (const auto& audience : {json{{"towns", {"cotignola"}}}, json{{"towns", {"lugo", "cotignola"}}},
                               json{{"areas", {"barbiano"}}}}) {
    CAPTURE(audience.dump());
    auto other = body;
    other["title"] = "AVVISO-ALTROVE";
    for (const auto& [k, v] : audience.items()) other[k] = v;
    auto refused = w.app.api("POST", "/v1/alerts", lugo_key, other.dump());
    CHECK(refused.status == 403);
    CHECK(refused.header("Content-Type") == "application/problem+json");
    CHECK(json::parse(refused.body)["detail"].get<std::string>().find("lugo") != std::string::npos);
  }
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM alerts") == before);
  // An area of its own town is allowed.
  auto voltana = body;
  voltana["title"] = "AVVISO-CHIAVE-VOLTANA";
  voltana["areas"] = {"voltana"};
  CHECK(w.app.api("POST", "/v1/alerts", lugo_key, voltana.dump()).status == 202);
  // The union's key, without towns, still sends anywhere.
  CHECK(w.send({{"towns", {"cotignola"}}}, "severe", "AVVISO-UNIONE") == std::set<int>{5, 6, 7});

  auto unknown = run_cli(w.dir.path, {"keys", "create", "--name", "x", "--scopes", "alerts:send", "--towns", "imola"},
                         w.app.env);
  CHECK(unknown.exit_code != 0);
  CHECK(unknown.err.find("imola") != std::string::npos);
}

#include <banditore/store/sqlite/alerts.hpp>

#include <banditore/domain/alert_audience.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

const std::int64_t now = *domain::parse_rfc3339("2026-03-01T12:00:00Z");

using ids = std::vector<std::string>;

struct subscriber {
  std::int64_t id;
  ids towns, topics, areas;
  bool only_severe = false;
  std::int64_t subscribed_at = 0;
};

// Two towns with areas, three topics, and people who chose in every way
// the rule distinguishes: no area, an area, areas in two towns, several
// topics, the severity floor, and one who joined after the alerts.
const std::vector<subscriber> people = {
    {1, {"lugo"}, {"emergenze", "acqua"}, {}},
    {2, {"lugo"}, {"strade"}, {}},
    {3, {"lugo"}, {"acqua"}, {"voltana"}},
    {4, {"lugo"}, {"acqua", "strade"}, {"san-bernardino"}, true},
    {5, {"cotignola"}, {"acqua"}, {}},
    {6, {"cotignola"}, {"emergenze"}, {"barbiano"}},
    {7, {"lugo", "cotignola"}, {"acqua", "emergenze", "strade"}, {"voltana", "barbiano"}},
    {8, {"cotignola"}, {"acqua"}, {}, true},
    {9, {"lugo"}, {"acqua"}, {}, false, now + 1000},
    {10, {"lugo", "cotignola"}, {"strade"}, {"barbiano"}},
    {11, {}, {"acqua"}, {"voltana"}},  // an area chosen without its town row
};

const std::vector<std::pair<std::string, std::string>> area_towns = {
    {"voltana", "lugo"}, {"san-bernardino", "lugo"}, {"barbiano", "cotignola"}};

std::string town_of(const std::string& area) {
  for (const auto& [a, t] : area_towns)
    if (a == area) return t;
  return {};
}

bool has(const ids& list, const std::string& id) { return std::find(list.begin(), list.end(), id) != list.end(); }

bool any_of(const ids& mine, const std::optional<ids>& wanted) {
  return std::any_of(mine.begin(), mine.end(), [&](const std::string& id) { return has(*wanted, id); });
}

// The rule of domain/alert_audience.hpp, written again plainly over the
// people above, as the planner's answer must be.
std::set<std::int64_t> expected(const domain::alert_audience& a, domain::severity level) {
  std::set<std::int64_t> out;
  for (const auto& p : people) {
    if (p.subscribed_at > now) continue;
    if (p.only_severe && !domain::reaches_only_severe(level)) continue;
    if (a.topics && !any_of(p.topics, a.topics)) continue;
    if (a.towns || a.areas) {
      bool in_place = false;
      for (const auto& town : p.towns) {
        const bool narrowed = a.areas && std::any_of(a.areas->begin(), a.areas->end(),
                                                     [&](const std::string& x) { return town_of(x) == town; });
        if (narrowed) {
          const bool chose_area_here = std::any_of(p.areas.begin(), p.areas.end(),
                                                   [&](const std::string& x) { return town_of(x) == town; });
          if (!chose_area_here) in_place = true;
        } else if (a.towns && has(*a.towns, town)) {
          in_place = true;
        }
      }
      if (a.areas && any_of(p.areas, a.areas)) in_place = true;
      if (!in_place) continue;
    }
    out.insert(p.id);
  }
  return out;
}

domain::audience_catalogue catalogue() {
  domain::audience_catalogue c;
  for (const auto* id : {"lugo", "cotignola"}) {
    domain::town t;
    t.id = id;
    t.name = id;
    c.towns.push_back(t);
  }
  for (const auto* id : {"emergenze", "acqua", "strade"}) {
    domain::topic t;
    t.id = id;
    t.name = id;
    c.topics.push_back(t);
  }
  for (const auto& [area, town] : area_towns) {
    domain::area a;
    a.id = area;
    a.town_id = town;
    a.name = area;
    c.areas.push_back(a);
  }
  return c;
}

struct fixture {
  std::unique_ptr<SQLite::Database> db;
  std::unique_ptr<alert_store> alerts;
  fixture() {
    db = open_database(":memory:");
    migrate(*db);
    db->exec("INSERT INTO towns (id, name) VALUES ('lugo', 'Comune di Lugo'), ('cotignola', 'Comune di Cotignola')");
    db->exec("INSERT INTO topics (id, name) VALUES ('emergenze', 'Emergenze'), ('acqua', 'Acqua'), "
             "('strade', 'Strade')");
    for (const auto& [area, town] : area_towns)
      db->exec("INSERT INTO areas (id, town_id, name) VALUES ('" + area + "', '" + town + "', '" + area + "')");
    for (const auto& p : people) {
      SQLite::Statement s(*db, "INSERT INTO subscribers (id, phone_hash, phone_cipher, subscribed_at, only_severe) "
                               "VALUES (?, ?, x'00', ?, ?)");
      s.bind(1, p.id);
      s.bind(2, "hash-" + std::to_string(p.id));
      s.bind(3, p.subscribed_at);
      s.bind(4, p.only_severe ? 1 : 0);
      s.exec();
      const auto id = std::to_string(p.id);
      for (const auto& t : p.towns) db->exec("INSERT INTO subscriber_towns VALUES ('" + t + "', " + id + ")");
      for (const auto& t : p.topics) db->exec("INSERT INTO subscriber_topics VALUES ('" + t + "', " + id + ")");
      for (const auto& a : p.areas) db->exec("INSERT INTO subscriber_areas VALUES ('" + a + "', " + id + ")");
    }
    alerts = std::make_unique<alert_store>(*db);
  }

  // Creates the alert and plans it to the end in steps of batch.
  std::int64_t send(const domain::alert_audience& audience, domain::severity level, std::size_t batch) {
    new_alert a;
    a.draft.category = "water";
    a.draft.level = level;
    a.draft.title = "Guasto";
    a.draft.text = "Acqua sospesa";
    a.audience = audience;
    const auto id = alerts->create(a, now).id;
    for (int steps = 0; steps < 100; ++steps) {
      auto step = alerts->plan_next(batch, now);
      REQUIRE(step);
      if (step->finished_planning) return id;
    }
    FAIL("planning never finished");
    return id;
  }

  std::set<std::int64_t> recipients(std::int64_t alert) {
    std::set<std::int64_t> out;
    SQLite::Statement q(*db, "SELECT subscriber_id FROM outbox WHERE alert_id = ?");
    q.bind(1, alert);
    while (q.executeStep()) out.insert(q.getColumn(0).getInt64());
    return out;
  }
  std::int64_t rows(std::int64_t alert) {
    return db->execAndGet("SELECT COUNT(*) FROM outbox WHERE alert_id = " + std::to_string(alert)).getInt64();
  }
};

std::string describe(const domain::alert_audience& a, domain::severity level) {
  auto list = [](const std::optional<ids>& l) {
    if (!l) return std::string("all");
    std::string out;
    for (const auto& id : *l) out += (out.empty() ? "" : "+") + id;
    return out;
  };
  return "towns " + list(a.towns) + ", topics " + list(a.topics) + ", areas " + list(a.areas) + ", " +
         std::string(domain::to_string(level));
}

}  // namespace

TEST_CASE("a targeted alert reaches exactly its audience, once each, whatever the batch size") {
  const std::vector<std::optional<ids>> towns = {std::nullopt, ids{"lugo"}, ids{"cotignola"}, ids{"lugo", "cotignola"}};
  const std::vector<std::optional<ids>> topics = {std::nullopt, ids{"acqua"}, ids{"strade", "emergenze"}};
  const std::vector<std::optional<ids>> areas = {std::nullopt, ids{"voltana"}, ids{"barbiano", "san-bernardino"}};
  int checked = 0;
  for (const auto& tw : towns)
    for (const auto& tp : topics)
      for (const auto& ar : areas)
        for (auto level : {domain::severity::minor, domain::severity::severe}) {
          domain::alert_audience a{tw, tp, ar};
          // An area outside the alert's towns is refused by the API.
          if (!domain::check_alert_audience(a, catalogue()).empty())
            continue;
          for (std::size_t batch : {1, 2, 5000}) {
            fixture f;
            CAPTURE(describe(a, level));
            CAPTURE(batch);
            const auto id = f.send(a, level, batch);
            const auto want = expected(a, level);
            CHECK(f.recipients(id) == want);
            CHECK(f.rows(id) == static_cast<std::int64_t>(want.size()));
            CHECK(f.alerts->get(id)->planned_count == static_cast<std::int64_t>(want.size()));
            const auto counted = f.alerts->count_audience(a, level, now);
            CHECK(counted.recipients == static_cast<std::int64_t>(want.size()));
            ++checked;
          }
        }
  CHECK(checked > 100);
}

TEST_CASE("the rule, spelled out: areas narrow their town, no area means the whole town, the floor holds") {
  fixture f;
  using domain::severity;
  // To Lugo: everyone with Lugo, whatever area they chose; 4 only wants severe.
  CHECK(f.recipients(f.send({ids{"lugo"}, {}, {}}, severity::moderate, 3)) == std::set<std::int64_t>{1, 2, 3, 7, 10});
  CHECK(f.recipients(f.send({ids{"lugo"}, {}, {}}, severity::extreme, 3)) ==
        std::set<std::int64_t>{1, 2, 3, 4, 7, 10});
  // To Voltana: who chose it, and Lugo's people who chose no area of Lugo
  // (10 chose Barbiano, an area of Cotignola only).
  CHECK(f.recipients(f.send({{}, {}, ids{"voltana"}}, severity::severe, 3)) ==
        std::set<std::int64_t>{1, 2, 3, 7, 10, 11});
  // Acqua anywhere, below severe.
  CHECK(f.recipients(f.send({{}, ids{"acqua"}, {}}, severity::minor, 2)) == std::set<std::int64_t>{1, 3, 5, 7, 11});
}

TEST_CASE("an alert to everyone below severe skips those who asked for severe alerts only") {
  fixture f;
  const auto minor = f.send({}, domain::severity::minor, 4);
  CHECK(f.recipients(minor) == std::set<std::int64_t>{1, 2, 3, 5, 6, 7, 10, 11});
  const auto severe = f.send({}, domain::severity::severe, 4);
  CHECK(f.recipients(severe).size() == 10);  // all but 9, who joined later
  CHECK(f.alerts->count_audience({}, domain::severity::minor, now).recipients == 8);
}

TEST_CASE("the audience is stored with the alert and read back; absent lists stay absent") {
  fixture f;
  new_alert a;
  a.draft.category = "roads";
  a.draft.title = "Strada chiusa";
  a.draft.text = "Via Roma chiusa";
  a.audience = {ids{"lugo"}, std::nullopt, ids{"voltana"}};
  const auto id = f.alerts->create(a, now).id;
  const auto got = f.alerts->get(id);
  REQUIRE(got);
  CHECK(got->audience == a.audience);
  CHECK(f.alerts->list(0, 10).front().audience == a.audience);
  // The same words to another audience is another alert, not a double click.
  a.duplicate_since = now - 1000;
  a.audience.towns = ids{"cotignola"};
  a.audience.areas.reset();
  CHECK(f.alerts->create(a, now).outcome == create_outcome::created);
  CHECK(f.alerts->create(a, now).outcome == create_outcome::duplicate);
}

TEST_CASE("a targeted step reads the choice tables by key and never scans the subscribers") {
  fixture f;
  SQLite::Statement q(*f.db, "EXPLAIN QUERY PLAN " + alert_store::targeted_plan_sql());
  std::string plan;
  while (q.executeStep()) plan += q.getColumn(3).getString() + "\n";
  CAPTURE(plan);
  CHECK(plan.find("SCAN s") == std::string::npos);
  CHECK(plan.find("SCAN subscriber_") == std::string::npos);
  CHECK(plan.find("SEARCH subscriber_towns USING PRIMARY KEY") != std::string::npos);
  CHECK(plan.find("SEARCH subscriber_topics USING PRIMARY KEY") != std::string::npos);
  CHECK(plan.find("SEARCH subscriber_areas USING PRIMARY KEY") != std::string::npos);
}

TEST_CASE("with several numbers each planned delivery carries the number of the first of its towns the alert is for") {
  fixture f;
  f.alerts->set_number_routes(R"({"cotignola": "cotignola-number"})", "lugo-number");
  auto numbers = [&](std::int64_t alert) {
    std::map<std::int64_t, std::string> out;
    SQLite::Statement q(*f.db, "SELECT subscriber_id, number_id FROM outbox WHERE alert_id = ?");
    q.bind(1, alert);
    while (q.executeStep()) out[q.getColumn(0).getInt64()] = q.getColumn(1).isNull() ? "NULL" : q.getColumn(1).getString();
    return out;
  };
  // To everyone, in small steps: a subscriber in both towns goes on the
  // first town by id (cotignola); one without a town on the first number.
  auto everyone = numbers(f.send({}, domain::severity::severe, 3));
  CHECK(everyone.at(1) == "lugo-number");
  CHECK(everyone.at(5) == "cotignola-number");
  CHECK(everyone.at(7) == "cotignola-number");
  CHECK(everyone.at(11) == "lugo-number");
  // To Lugo: those in both towns hear it from Lugo's number.
  domain::alert_audience lugo;
  lugo.towns = ids{"lugo"};
  auto to_lugo = numbers(f.send(lugo, domain::severity::severe, 2));
  CHECK(to_lugo.at(7) == "lugo-number");
  CHECK(to_lugo.at(10) == "lugo-number");
  // To an area: its town's number.
  domain::alert_audience barbiano;
  barbiano.areas = ids{"barbiano"};
  auto to_barbiano = numbers(f.send(barbiano, domain::severity::severe, 50));
  CHECK(to_barbiano.at(6) == "cotignola-number");
  CHECK(to_barbiano.at(10) == "cotignola-number");
  for (const auto& [subscriber, number] : to_barbiano) CHECK(number != "NULL");
}

TEST_CASE("with one number planned deliveries carry none") {
  fixture f;
  const auto id = f.send({}, domain::severity::severe, 50);
  CHECK(f.rows(id) > 0);
  CHECK(f.db->execAndGet("SELECT COUNT(*) FROM outbox WHERE number_id IS NOT NULL").getInt() == 0);
}

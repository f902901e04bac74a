// CAP ingestion end to end: the real binary, a civil-protection system
// pushing documents to POST /v1/cap, and a feed served by the test itself
// that banditore polls. Outcomes are read from the database, read-only.
#include "harness.hpp"
#include "loopback_site.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <atomic>
#include <sstream>
#include <thread>

using namespace harness;
using banditore::http::header_field;

namespace {

std::string fixture(const std::string& name) { return read_file(fs::path(BANDITORE_FIXTURES) / "cap" / name); }

// The fixtures are real documents of 2024: their expiry is moved to 2099 so
// the policy sees them as current. Every other date stays as sent, so
// references between them still match.
std::string current(const std::string& name) {
  auto text = fixture(name);
  const std::string from = "<expires>2024-", to = "<expires>2099-";
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::int64_t query_int(const fs::path& db, const std::string& sql) {
  SQLite::Database conn(db.string(), SQLite::OPEN_READONLY);
  conn.setBusyTimeout(5000);
  return conn.execAndGet(sql).getInt64();
}

std::string query_text(const fs::path& db, const std::string& sql) {
  SQLite::Database conn(db.string(), SQLite::OPEN_READONLY);
  conn.setBusyTimeout(5000);
  return conn.execAndGet(sql).getString();
}

// `banditore keys create`, as the operator runs it; the token is the last
// line of stdout.
std::string create_key(const temp_dir& dir, const std::string& name, const std::string& scopes) {
  const auto r = run_cli(dir.path, {"keys", "create", "--name", name, "--scopes", scopes}, database_env(dir.path));
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(r.out);
  std::string token;
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) token = line;
  REQUIRE(token.rfind("bnd_", 0) == 0);
  return token;
}

// Milano, in Lombardia.
const std::map<std::string, std::string> milano = {{"BANDITORE_CAP_REGIONS", "IT003"},
                                                   {"BANDITORE_CAP_ISTAT", "015146"}};

struct world {
  temp_dir dir;
  std::string token = create_key(dir, "civil-protection", "cap:ingest");
  std::string press_token = create_key(dir, "press-office", "alerts:send");
  wa_sim sim{dir.path};
  banditore_server app;

  explicit world(std::map<std::string, std::string> env = milano) : app(dir.path, sim, std::move(env)) { app.start(); }

  banditore::http::client_response post(const std::string& xml, const std::string& content_type = "application/cap+xml",
                                        const std::string& bearer = "use-token") {
    std::vector<header_field> headers{{"Content-Type", content_type}};
    const auto& key = bearer == "use-token" ? token : bearer;
    if (!key.empty()) headers.push_back({"Authorization", "Bearer " + key});
    return call(app.base, "POST", "/v1/cap", xml, headers);
  }
};

json body_of(const banditore::http::client_response& r) {
  INFO("body: " << r.body);
  return json::parse(r.body);
}

const std::string orange = "meteoalarm_it_orange_thunderstorm_lombardia.xml";

}  // namespace

TEST_CASE("an orange warning for our region is accepted and becomes a cap alert") {
  world w;
  auto r = w.post(current(orange));
  INFO(r.body);
  REQUIRE(r.status == 202);
  auto body = body_of(r);
  CHECK(body["verdict"] == "broadcast");
  const auto id = body["alert_id"].get<std::int64_t>();
  CHECK(r.header("Location") == "/v1/alerts/" + std::to_string(id));
  const auto where = " FROM alerts WHERE id = " + std::to_string(id);
  CHECK(query_text(w.app.db_file, "SELECT source" + where) == "cap");
  CHECK(query_text(w.app.db_file, "SELECT category" + where) == "weather");
  CHECK(query_text(w.app.db_file, "SELECT title" + where) == "Allerta arancione per temporali - Lombardia");
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM audit_log WHERE action = 'alert.create' AND alert_id = " +
                                     std::to_string(id)) == 1);
}

TEST_CASE("a yellow warning is answered below_threshold and creates no alert") {
  world w;
  auto r = w.post(current("meteoalarm_it_yellow_wind_lombardia.xml"));
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["verdict"] == "below_threshold");
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM cap_alerts WHERE verdict = 'below_threshold'") == 1);
}

TEST_CASE("an exercise is answered record_only") {
  world w;
  auto r = w.post(current("italert_exercise_lombardia.xml"));
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["verdict"] == "record_only");
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);
}

TEST_CASE("a warning for another region is answered outside_territory") {
  world w(std::map<std::string, std::string>{{"BANDITORE_CAP_REGIONS", "IT001"}});
  auto r = w.post(current(orange));
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["verdict"] == "outside_territory");
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);
}

TEST_CASE("an expired warning is answered expired") {
  world w;
  auto r = w.post(fixture(orange));  // as sent in 2024
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["verdict"] == "expired");
}

TEST_CASE("the same warning twice is a duplicate naming the first alert") {
  world w;
  auto first = w.post(current(orange));
  REQUIRE(first.status == 202);
  auto again = w.post(current(orange));
  REQUIRE(again.status == 200);
  auto body = body_of(again);
  CHECK(body["verdict"] == "duplicate");
  CHECK(body["alert_id"] == body_of(first)["alert_id"]);
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 1);
}

TEST_CASE("malformed XML is refused with 400 naming the document") {
  world w;
  auto r = w.post("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>");
  REQUIRE(r.status == 400);
  CHECK(r.header("Content-Type") == "application/problem+json");
  auto body = body_of(r);
  CHECK(body["element"] == "document");
  CHECK_FALSE(body["reason"].get<std::string>().empty());
}

TEST_CASE("a document with invalid UTF-8 is refused with 400, nothing is stored and the API still reads") {
  world w;
  auto text = current(orange);
  const auto at = text.find("Allerta arancione");
  REQUIRE(at != std::string::npos);
  text.insert(at, "\xC3\x28\xFF");
  auto r = w.post(text);
  REQUIRE(r.status == 400);
  CHECK(r.header("Content-Type") == "application/problem+json");
  auto body = body_of(r);
  CHECK(body["element"] == "document");
  CHECK(body["reason"].get<std::string>().starts_with("not UTF-8"));
  CHECK(r.body.find('\xFF') == std::string::npos);
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 0);
  const auto reader = create_key(w.dir, "dashboard", "alerts:read");
  auto list = call(w.app.base, "GET", "/v1/alerts", {}, {{"Authorization", "Bearer " + reader}});
  CHECK(list.status == 200);
  // The same document, well-formed, still goes through.
  CHECK(w.post(current(orange)).status == 202);
  CHECK(call(w.app.base, "GET", "/v1/alerts", {}, {{"Authorization", "Bearer " + reader}}).status == 200);
}

TEST_CASE("a document in another namespace is refused with 400 naming the alert element") {
  world w;
  auto r = w.post(fixture("invalid_wrong_namespace.xml"));
  REQUIRE(r.status == 400);
  CHECK(body_of(r)["element"] == "alert");
}

TEST_CASE("a document with a DOCTYPE is refused with 400 before it is parsed") {
  world w;
  auto r = w.post(fixture("invalid_billion_laughs.xml"));
  REQUIRE(r.status == 400);
  auto body = body_of(r);
  CHECK(body["element"] == "document");
  CHECK(body["reason"].get<std::string>().find("DOCTYPE") != std::string::npos);
}

TEST_CASE("a CAP document sent as JSON is refused with 415") {
  world w;
  auto r = w.post(current(orange), "application/json");
  CHECK(r.status == 415);
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM cap_alerts") == 0);
}

TEST_CASE("a CAP document without an API key is refused with 401") {
  world w;
  auto r = w.post(current(orange), "application/cap+xml", "");
  CHECK(r.status == 401);
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM cap_alerts") == 0);
}

TEST_CASE("a key without the cap:ingest scope is refused with 403") {
  world w;
  auto r = w.post(current(orange), "application/cap+xml", w.press_token);
  CHECK(r.status == 403);
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM cap_alerts") == 0);
}

TEST_CASE("a Cancel stops the alert it references") {
  // A few subscribers at a slow pace, so the original is still being sent
  // when the Cancel arrives.
  auto env = milano;
  env["BANDITORE_WA_RATE"] = "2";
  world w(env);
  w.sim.configure({{"webhook_url", w.app.base + "/webhook/whatsapp"}, {"statuses", false}});
  w.sim.subscribe_many(4);
  auto original = w.post(current("civil_protection_milano_flood.xml"));
  REQUIRE(original.status == 202);
  const auto id = body_of(original)["alert_id"].get<std::int64_t>();
  auto cancel = w.post(current("civil_protection_milano_flood_cancel.xml"));
  INFO(cancel.body);
  REQUIRE((cancel.status == 200 || cancel.status == 202));
  auto body = body_of(cancel);
  CHECK(body["cancelled_alert_ids"] == json::array({id}));
  // Nothing of the original is left to send.
  const auto where = " FROM alerts WHERE id = " + std::to_string(id);
  CHECK(query_text(w.app.db_file, "SELECT state" + where) == "cancelled");
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE state = 'queued' AND alert_id = " +
                                     std::to_string(id)) == 0);
}

namespace {

// A CAP publisher on loopback: an Atom feed listing one document (with an
// ETag, answering 304 when it is presented back), the document itself, and
// a feed that always fails.
struct publisher : loopback_site {
  std::string document;
  std::atomic<int> feed_requests{0}, not_modified{0}, document_requests{0}, broken_requests{0};

  explicit publisher(std::string doc) : document(std::move(doc)) {
    routes.add("GET", "/feeds/italy.atom", [this](banditore::http::request& req)
                   -> boost::asio::awaitable<banditore::http::response> {
      ++feed_requests;
      const std::string etag = "\"feed-v1\"";
      if (req.header("If-None-Match") == etag) {
        ++not_modified;
        banditore::http::response unchanged;
        unchanged.status = 304;
        unchanged.content_type.clear();
        co_return unchanged;
      }
      const auto port = std::to_string(server->port());
      banditore::http::response r;
      r.content_type = "application/atom+xml";
      r.headers.push_back({"ETag", etag});
      r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
               "  <id>http://127.0.0.1:" + port + "/feeds/italy.atom</id>\n"
               "  <title>Warnings</title>\n"
               "  <entry>\n"
               "    <link title=\"Lombardia\" href=\"http://127.0.0.1:" + port + "/web/lombardia\"/>\n"
               "    <link type=\"application/cap+xml\" href=\"http://127.0.0.1:" + port + "/cap/orange.xml\"/>\n"
               "    <title>Orange Thunderstorm Warning issued for Italy - Lombardia</title>\n"
               "  </entry>\n"
               "</feed>\n";
      co_return r;
    });
    routes.add("GET", "/cap/orange.xml", [this](banditore::http::request&)
                   -> boost::asio::awaitable<banditore::http::response> {
      ++document_requests;
      banditore::http::response r;
      r.content_type = "application/cap+xml";
      r.body = document;
      co_return r;
    });
    routes.add("GET", "/feeds/broken.atom", [this](banditore::http::request&)
                   -> boost::asio::awaitable<banditore::http::response> {
      ++broken_requests;
      co_return banditore::http::problem(500, "Internal Server Error", "the feed is down");
    });
    start();
  }
  ~publisher() { stop(); }
};

}  // namespace

TEST_CASE("a warning listed in a polled feed becomes an alert, fetched once") {
  publisher pub(current(orange));
  auto env = milano;
  env["BANDITORE_CAP_FEEDS"] = pub.url("/feeds/italy.atom");
  env["BANDITORE_CAP_POLL_SECONDS"] = "1";
  world w(env);
  bool appeared = wait_until([&] {
    return query_int(w.app.db_file, "SELECT COUNT(*) FROM alerts WHERE source = 'cap'") == 1;
  });
  REQUIRE(appeared);
  CHECK(query_text(w.app.db_file, "SELECT title FROM alerts") == "Allerta arancione per temporali - Lombardia");
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM cap_feed_seen") == 1);
  // The next poll presents the ETag and learns nothing changed.
  REQUIRE(wait_until([&] { return pub.not_modified.load() >= 1; }, std::chrono::seconds(30)));
  CHECK(pub.document_requests.load() == 1);
  CHECK(query_int(w.app.db_file, "SELECT COUNT(*) FROM alerts") == 1);
}

TEST_CASE("a failing feed is logged with its URL and does not stop the others") {
  publisher pub(current(orange));
  auto env = milano;
  const auto broken = pub.url("/feeds/broken.atom");
  env["BANDITORE_CAP_FEEDS"] = broken + "," + pub.url("/feeds/italy.atom");
  env["BANDITORE_CAP_POLL_SECONDS"] = "1";
  world w(env);
  REQUIRE(wait_until([&] {
    return query_int(w.app.db_file, "SELECT COUNT(*) FROM alerts WHERE source = 'cap'") == 1;
  }));
  CHECK(pub.broken_requests.load() >= 1);
  REQUIRE(wait_until([&] {
    return query_int(w.app.db_file, "SELECT COUNT(*) FROM cap_feed_state WHERE failures >= 1 AND url = '" + broken + "'") == 1;
  }, std::chrono::seconds(30)));
  const auto log = read_file(w.app.log_file);
  CHECK(log.find("\"cap_feed.failed\"") != std::string::npos);
  CHECK(log.find(broken) != std::string::npos);
  CHECK(log.find("HTTP 500") != std::string::npos);
}

TEST_CASE("a CAP alert is targeted at the town of its ISTAT geocode and at the mapped topic") {
  temp_dir dir;
  auto env = database_env(dir.path);
  env["BANDITORE_TOWN"] = "Milano";
  auto town = run_cli(dir.path, {"towns", "update", "milano", "--istat", "015146"}, env);
  INFO("stderr: " << town.err);
  REQUIRE(town.exit_code == 0);
  REQUIRE(run_cli(dir.path, {"towns", "add", "monza", "--name", "Comune di Monza", "--istat", "108033"}, env)
              .exit_code == 0);
  const auto token = create_key(dir, "civil-protection", "cap:ingest");
  wa_sim sim{dir.path};
  auto app_env = milano;
  app_env["BANDITORE_TOWN"] = "Milano";
  app_env["BANDITORE_CAP_TOPICS"] = "Met=meteo";
  banditore_server app(dir.path, sim, app_env);
  app.start();
  auto r = call(app.base, "POST", "/v1/cap", current("civil_protection_milano_flood.xml"),
                {{"Content-Type", "application/cap+xml"}, {"Authorization", "Bearer " + token}});
  INFO(r.body);
  REQUIRE(r.status == 202);
  const auto id = body_of(r)["alert_id"].get<std::int64_t>();
  CHECK(query_text(app.db_file, "SELECT towns FROM alerts WHERE id = " + std::to_string(id)) == R"(["milano"])");
  CHECK(query_text(app.db_file, "SELECT topics FROM alerts WHERE id = " + std::to_string(id)) == R"(["meteo"])");
}

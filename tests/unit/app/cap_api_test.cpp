#include <banditore/app/cap_api.hpp>

#include <banditore/app/cap_feed.hpp>
#include <banditore/cap/parse.hpp>
#include <banditore/store/sqlite/alerts.hpp>
#include <banditore/store/sqlite/api_keys.hpp>
#include <banditore/store/sqlite/audit.hpp>
#include <banditore/store/sqlite/cap_alerts.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include "../cap/fixtures.hpp"
#include "../run_blocking.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace banditore;
using namespace banditore::app;
using banditore::cap::testing::fixture;

namespace {

std::int64_t at(const char* rfc3339) { return *domain::parse_rfc3339(rfc3339); }

cap::cap_alert load(std::string_view name) {
  auto r = cap::parse_cap(fixture(name));
  REQUIRE_MESSAGE(r.ok(), r.element, ": ", r.reason);
  return *r.alert;
}

std::unique_ptr<SQLite::Database> migrated_memory_database() {
  auto db = store::sqlite::open_database(":memory:");
  store::sqlite::migrate(*db);
  return db;
}

// Milano: the municipality by ISTAT code, Lombardia by EMMA_ID. The store
// is the SQLite engine on an in-memory database; the test reads that
// database between calls, when the engine's thread is idle.
struct world {
  std::unique_ptr<SQLite::Database> connection = migrated_memory_database();
  SQLite::Database* db = connection.get();
  std::int64_t key_id = store::sqlite::api_key_store(*db).create("civil-protection", {"cap:ingest"}, 0).id;
  std::unique_ptr<store::sqlite::engine> engine =
      std::make_unique<store::sqlite::engine>(std::move(connection), crypto::generate_data_keys(),
                                              store::sqlite::engine_options{});
  std::unique_ptr<store::sqlite::alert_store> alerts = std::make_unique<store::sqlite::alert_store>(*db);
  std::unique_ptr<store::sqlite::cap_store> cap = std::make_unique<store::sqlite::cap_store>(*db);
  cap_context ctx;
  cap_origin origin;

  world() {
    origin = {"civil-protection", key_id, {}, {}};
    ctx.policy.where.istat_codes = {"015146"};
    ctx.policy.where.region_codes = {"IT003"};
    ctx.cap = engine.get();
  }

  cap_outcome apply(std::string_view fixture_name, const char* now) {
    const auto alert = load(fixture_name);
    return testing::run_blocking(apply_cap(ctx, alert, origin, at(now)));
  }

  std::int64_t count(const std::string& sql) { return db->execAndGet(sql).getInt64(); }

  // A delivery of the alert that went out to one subscriber.
  void one_sent(std::int64_t alert_id) {
    db->exec("INSERT INTO outbox (priority, state, phone_hash, alert_id, subscriber_id, not_before, created_at, "
             "updated_at) VALUES (20, 'sent', x'00', " + std::to_string(alert_id) + ", 1, 0, 0, 0)");
  }
};

constexpr const char* orange = "meteoalarm_it_orange_thunderstorm_lombardia.xml";
constexpr const char* during_orange = "2024-07-14T14:00:00+00:00";
constexpr const char* flood = "civil_protection_milano_flood.xml";
constexpr const char* flood_update = "civil_protection_milano_flood_update.xml";
constexpr const char* flood_cancel = "civil_protection_milano_flood_cancel.xml";
constexpr const char* during_flood = "2024-05-15T08:00:00+02:00";
constexpr const char* evening_of_flood = "2024-05-15T18:10:00+02:00";

}  // namespace

TEST_CASE("an orange warning for our region becomes a severe weather alert from cap") {
  world w;
  auto out = w.apply(orange, during_orange);
  CHECK(out.verdict == "broadcast");
  REQUIRE(out.created);
  REQUIRE(out.alert_id.has_value());
  auto a = w.alerts->get(*out.alert_id);
  REQUIRE(a.has_value());
  CHECK(a->source == "cap");
  CHECK(a->category == "weather");
  CHECK(a->severity == "severe");
  CHECK(a->title == "Allerta arancione per temporali - Lombardia");
  CHECK(a->state == "planning");
  CHECK(a->api_key_id == w.key_id);
  CHECK(a->expires_at == at("2024-07-15T21:59:00+00:00"));
}

TEST_CASE("a document is recorded with its verdict and the alert it became") {
  world w;
  auto out = w.apply(orange, during_orange);
  CHECK(w.count("SELECT COUNT(*) FROM cap_alerts WHERE verdict = 'broadcast' AND msg_type = 'Alert' AND "
                "status = 'Actual' AND alert_id = " + std::to_string(*out.alert_id)) == 1);
}

TEST_CASE("a broadcast is audited with the actor, the key and the document") {
  world w;
  auto out = w.apply(orange, during_orange);
  auto log = store::sqlite::recent_audit(*w.db, 1);  // the newest entry; the key's creation came before
  REQUIRE(log.size() == 1);
  CHECK(log[0].action == "alert.create");
  CHECK(log[0].actor == "civil-protection");
  CHECK(log[0].alert_id == out.alert_id);
  CHECK(log[0].api_key_id == w.key_id);
  CHECK(log[0].detail.find("2.49.0.0.380.3.IT.240714130211.003") != std::string::npos);
}

TEST_CASE("the same document again is a duplicate naming the earlier alert and creates nothing") {
  world w;
  auto first = w.apply(orange, during_orange);
  auto again = w.apply(orange, during_orange);
  CHECK(again.verdict == "duplicate");
  CHECK_FALSE(again.created);
  CHECK(again.alert_id == first.alert_id);
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 1);
  CHECK(w.count("SELECT COUNT(*) FROM cap_alerts") == 1);
}

TEST_CASE("a yellow warning is recorded below threshold and sends nothing") {
  world w;
  auto out = w.apply("meteoalarm_it_yellow_wind_lombardia.xml", "2024-03-02T10:00:00+00:00");
  CHECK(out.verdict == "below_threshold");
  CHECK_FALSE(out.alert_id.has_value());
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 0);
  CHECK(w.count("SELECT COUNT(*) FROM cap_alerts WHERE verdict = 'below_threshold' AND alert_id IS NULL") == 1);
}

TEST_CASE("an exercise is recorded only") {
  world w;
  auto out = w.apply("italert_exercise_lombardia.xml", "2024-09-19T12:05:00+02:00");
  CHECK(out.verdict == "record_only");
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 0);
}

TEST_CASE("a warning for another region is outside the territory") {
  world w;
  w.ctx.policy.where = {};
  w.ctx.policy.where.region_codes = {"IT001"};
  auto out = w.apply(orange, during_orange);
  CHECK(out.verdict == "outside_territory");
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 0);
}

TEST_CASE("a warning received after it expired is recorded as expired") {
  world w;
  auto out = w.apply(orange, "2024-07-16T00:00:00+00:00");
  CHECK(out.verdict == "expired");
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 0);
}

TEST_CASE("an update is a new alert titled AGGIORNAMENTO that stops the queued original") {
  world w;
  auto original = w.apply(flood, during_flood);
  auto update = w.apply(flood_update, "2024-05-15T09:15:00+02:00");
  CHECK(update.verdict == "broadcast");
  REQUIRE(update.created);
  CHECK(*update.alert_id != *original.alert_id);
  CHECK(w.alerts->get(*update.alert_id)->title.rfind("AGGIORNAMENTO: ", 0) == 0);
  CHECK(update.cancelled_alert_ids == std::vector<std::int64_t>{*original.alert_id});
  CHECK(w.alerts->get(*original.alert_id)->state == "cancelled");
}

TEST_CASE("a cancel of alerts that reached nobody stops them and sends no revocation") {
  world w;
  auto original = w.apply(flood, during_flood);
  auto cancel = w.apply(flood_cancel, evening_of_flood);
  CHECK(cancel.verdict == "cancelled");
  CHECK_FALSE(cancel.created);
  CHECK(cancel.cancelled_alert_ids == std::vector<std::int64_t>{*original.alert_id});
  CHECK(w.alerts->get(*original.alert_id)->state == "cancelled");
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 1);
}

TEST_CASE("a cancel of an alert that reached somebody sends a revocation at the original's severity") {
  world w;
  auto original = w.apply(flood, during_flood);
  w.one_sent(*original.alert_id);
  auto cancel = w.apply(flood_cancel, evening_of_flood);
  CHECK(cancel.verdict == "broadcast");
  REQUIRE(cancel.created);
  auto notice = w.alerts->get(*cancel.alert_id);
  CHECK(notice->title == "REVOCA: Esondazione del Seveso a Niguarda");
  CHECK(notice->severity == "severe");  // the cancel itself says Minor
  CHECK(w.alerts->get(*original.alert_id)->state == "cancelled");
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'alert.cancel'") == 1);
}

TEST_CASE("a cancel whose references were never broadcast here changes nothing") {
  world w;
  auto out = w.apply(flood_cancel, evening_of_flood);
  CHECK(out.verdict == "unknown_reference");
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 0);
  CHECK(w.count("SELECT COUNT(*) FROM cap_alerts WHERE verdict = 'unknown_reference'") == 1);
}

TEST_CASE("a document fetched from a feed is marked seen with its record") {
  world w;
  w.origin = {"cap-feed", std::nullopt, "https://feeds.example.org/it.atom", "https://feeds.example.org/1.xml"};
  w.apply(orange, during_orange);
  CHECK(w.cap->seen("https://feeds.example.org/1.xml"));
  CHECK(w.count("SELECT COUNT(*) FROM alerts WHERE api_key_id IS NULL") == 1);
}

TEST_CASE("a refused document is answered 400 naming the element and the reason") {
  cap_outcome out;
  out.refused = true;
  out.element = "identifier";
  out.reason = "is missing";
  auto r = cap_answer(out);
  CHECK(r.status == 400);
  CHECK(r.content_type == "application/problem+json");
  auto body = nlohmann::json::parse(r.body);
  CHECK(body["element"] == "identifier");
  CHECK(body["reason"] == "is missing");
  CHECK(body["status"] == 400);
}

TEST_CASE("a created alert is answered 202 with its location") {
  cap_outcome out;
  out.verdict = "broadcast";
  out.alert_id = 42;
  out.created = true;
  auto r = cap_answer(out);
  CHECK(r.status == 202);
  CHECK(http::find_header(r.headers, "Location") == "/v1/alerts/42");
  auto body = nlohmann::json::parse(r.body);
  CHECK(body["alert_id"] == 42);
  CHECK(body["verdict"] == "broadcast");
}

TEST_CASE("a document that sends nothing is answered 200 with its verdict and reason") {
  cap_outcome out;
  out.verdict = "below_threshold";
  out.reason = "awareness level 2 is below 3";
  auto r = cap_answer(out);
  CHECK(r.status == 200);
  auto body = nlohmann::json::parse(r.body);
  CHECK(body["verdict"] == "below_threshold");
  CHECK(body["reason"] == "awareness level 2 is below 3");
  CHECK(body["alert_id"].is_null());
}

TEST_CASE("CAP may be posted as cap+xml, application/xml or text/xml, with parameters") {
  CHECK(is_cap_content_type("application/cap+xml"));
  CHECK(is_cap_content_type("Application/XML; charset=utf-8"));
  CHECK(is_cap_content_type("text/xml"));
  CHECK_FALSE(is_cap_content_type("application/json"));
  CHECK_FALSE(is_cap_content_type(""));
}

TEST_CASE("a failing feed waits twice as long each time, at most an hour") {
  using std::chrono::seconds;
  CHECK(feed_backoff(0, seconds(300), seconds(3600)) == seconds(300));
  CHECK(feed_backoff(1, seconds(300), seconds(3600)) == seconds(600));
  CHECK(feed_backoff(3, seconds(300), seconds(3600)) == seconds(2400));
  CHECK(feed_backoff(4, seconds(300), seconds(3600)) == seconds(3600));
  CHECK(feed_backoff(60, seconds(300), seconds(3600)) == seconds(3600));
  CHECK(feed_backoff(2, seconds(7200), seconds(3600)) == seconds(7200));  // never sooner than the interval
}

TEST_CASE("a document URL splits into the origin to connect to and the target to ask for") {
  auto p = split_url("https://feeds.example.org:8443/it/feed.atom?lang=it#top");
  REQUIRE(p.has_value());
  CHECK(p->origin == "https://feeds.example.org:8443");
  CHECK(p->target == "/it/feed.atom?lang=it");
  CHECK(split_url("http://127.0.0.1:9000")->target == "/");
  CHECK(split_url("http://h?x=1")->target == "/?x=1");
  CHECK_FALSE(split_url("ftp://example.org/x").has_value());
}

TEST_CASE("a CAP alert held for a decision becomes a pending draft, answered 202 naming the draft, and sends nothing") {
  world w;
  w.ctx.hold = true;
  auto out = w.apply(orange, during_orange);
  CHECK(out.verdict == "held");
  CHECK_FALSE(out.created);
  CHECK_FALSE(out.alert_id.has_value());
  REQUIRE(out.draft_id.has_value());
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 0);
  CHECK(w.count("SELECT COUNT(*) FROM drafts WHERE source = 'cap' AND state = 'pending' AND category = 'weather' "
                "AND id = " + std::to_string(*out.draft_id)) == 1);
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'draft.create' AND detail LIKE 'draft=" +
                std::to_string(*out.draft_id) + " source=cap submitted%'") == 1);
  const auto res = cap_answer(out);
  CHECK(res.status == 202);
  bool located = false;
  for (const auto& h : res.headers) located |= h.name == "Location" && h.value == "/v1/drafts/" + std::to_string(*out.draft_id);
  CHECK(located);
  CHECK(nlohmann::json::parse(res.body)["draft_id"] == *out.draft_id);
}

TEST_CASE("a held CAP alert approved by a publisher is linked to its document, so the document's Cancel stops it") {
  world w;
  w.ctx.hold = true;
  auto held = w.apply(flood, during_flood);
  REQUIRE(held.draft_id.has_value());
  CHECK(w.count("SELECT COUNT(*) FROM cap_alerts WHERE verdict = 'held' AND draft_id = " +
                std::to_string(*held.draft_id)) == 1);

  auto draft = testing::run_blocking(w.engine->draft(*held.draft_id));
  REQUIRE(draft.has_value());
  store::new_alert a;
  a.draft.category = draft->category;
  a.draft.level = *domain::parse_severity(draft->severity);
  a.draft.title = draft->title;
  a.draft.text = draft->text;
  a.draft.expires_at_ms = draft->expires_at;
  a.audience = draft->audience;
  a.source = "cap";
  a.not_before = at(during_flood);
  a.draft_id = draft->id;
  a.decision = store::new_alert::draft_decision{domain::draft_send::approve, draft->revision};
  store::actor publisher{"key:ufficio-stampa", std::nullopt};
  auto approved = testing::run_blocking(w.engine->create(std::move(a), publisher, 0, at(during_flood)));
  REQUIRE(approved.result.outcome == store::create_outcome::created);
  CHECK(w.count("SELECT alert_id FROM cap_alerts WHERE draft_id = " + std::to_string(*held.draft_id)) ==
        approved.result.id);

  // A Cancel is never held: it stops the approved alert at once.
  auto cancel = w.apply(flood_cancel, evening_of_flood);
  CHECK(cancel.cancelled_alert_ids == std::vector<std::int64_t>{approved.result.id});
  CHECK(w.alerts->get(approved.result.id)->state == "cancelled");
}

#include <banditore/store/sqlite/drafts.hpp>

#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <memory>

using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000;
constexpr std::string_view lugo_feed = "https://www.comune.lugo.example/feed/";

std::unique_ptr<SQLite::Database> fresh() {
  auto d = open_database(":memory:");
  migrate(*d);
  return d;
}

news_item_input item(std::string id, std::string title, std::string summary = "Testo") {
  return {std::move(id), std::move(title), std::move(summary), "https://www.comune.lugo.example/n/1", t0 - 1000};
}

}  // namespace

TEST_CASE("news items become drafts once; a changed item rewrites its draft") {
  auto db = fresh();
  auto first = apply_news_items(*db, lugo_feed, "lugo", {item("a", "Via Mazzini chiusa"), item("b", "Mercato")}, t0);
  CHECK(first.created == 2);
  auto again = apply_news_items(*db, lugo_feed, "lugo", {item("a", "Via Mazzini chiusa"), item("b", "Mercato")}, t0 + 1);
  CHECK(again.created == 0);
  CHECK(again.unchanged == 2);
  auto changed = apply_news_items(*db, lugo_feed, "lugo", {item("a", "Via Mazzini chiusa fino a venerdì")}, t0 + 2);
  CHECK(changed.updated == 1);
  auto list = list_draft_records(*db, draft_open, 0, 10);
  REQUIRE(list.size() == 2);
  CHECK(list[1].title == "Via Mazzini chiusa fino a venerdì");
  CHECK(list[1].town_id == "lugo");
  CHECK(list[1].source == "news");
  CHECK(list[1].published_at == t0 - 1000);
  CHECK(list[1].updated_at == t0 + 2);
  CHECK(list[1].created_at == t0);
  // The same item id in another feed is another item.
  CHECK(apply_news_items(*db, "https://www.comune.cotignola.example/rss.xml", "cotignola", {item("a", "Altro")}, t0)
            .created == 1);
  // Every creation and rewrite is in the audit log.
  CHECK(db->execAndGet("SELECT COUNT(*) FROM audit_log WHERE actor = 'news-feed'").getInt() == 4);
}

TEST_CASE("a draft sent or discarded stays as it is when its item changes") {
  auto db = fresh();
  apply_news_items(*db, lugo_feed, "lugo", {item("a", "Uno"), item("b", "Due")}, t0);
  const auto a = list_draft_records(*db, draft_open, 0, 10).back().id;
  const auto b = list_draft_records(*db, draft_open, 0, 10).front().id;
  db->exec("INSERT INTO alerts (id, category, severity, title, text, priority, not_before, created_at) "
           "VALUES (7, 'other', 'minor', 'Uno', 'Testo', 1, 0, 0)");
  CHECK(draft_is_open(*db, a));
  CHECK(mark_draft_sent(*db, a, 7, t0 + 1));
  CHECK_FALSE(draft_is_open(*db, a));
  CHECK_FALSE(mark_draft_sent(*db, a, 7, t0 + 1));  // at most one alert
  CHECK(mark_draft_discarded(*db, b, t0 + 1));
  CHECK_FALSE(mark_draft_discarded(*db, b, t0 + 2));
  auto later = apply_news_items(*db, lugo_feed, "lugo", {item("a", "Uno, aggiornato"), item("b", "Due, aggiornato")}, t0 + 3);
  CHECK(later.updated == 0);
  CHECK(later.created == 0);
  CHECK(draft_record_of(*db, a)->title == "Uno");
  CHECK(draft_record_of(*db, a)->alert_id == 7);
  CHECK(draft_record_of(*db, b)->state == "discarded");
  CHECK(list_draft_records(*db, draft_open, 0, 10).empty());
  CHECK(list_draft_records(*db, "", 0, 10).size() == 2);
  CHECK(list_draft_records(*db, "", b, 10).size() == 1);
  CHECK_FALSE(draft_record_of(*db, 999));
}

TEST_CASE("an item with text but no title is titled by its first line") {
  auto db = fresh();
  apply_news_items(*db, lugo_feed, "", {item("a", "", "Prima riga\nseconda riga")}, t0);
  auto d = list_draft_records(*db, draft_open, 0, 1).at(0);
  CHECK(d.title == "Prima riga");
  CHECK(d.town_id.empty());
}

TEST_CASE("news feed state: validators kept, failures counted and cleared") {
  auto db = fresh();
  CHECK(news_feed_state_of(*db, lugo_feed).failures == 0);
  CHECK(record_news_feed_failed(*db, lugo_feed, t0) == 1);
  CHECK(record_news_feed_failed(*db, lugo_feed, t0 + 1) == 2);
  record_news_feed_polled(*db, lugo_feed, "\"v1\"", "Tue, 01 Dec 2026 15:30:00 GMT", t0 + 2);
  auto s = news_feed_state_of(*db, lugo_feed);
  CHECK(s.failures == 0);
  CHECK(s.etag == "\"v1\"");
  CHECK(s.last_modified == "Tue, 01 Dec 2026 15:30:00 GMT");
  CHECK(s.last_polled_at == t0 + 2);
}


TEST_CASE("a news draft a person has edited is no longer rewritten by its feed; a rewrite grows the revision") {
  auto db = fresh();
  apply_news_items(*db, lugo_feed, "lugo", {item("a", "Uno"), item("b", "Due")}, t0);
  const auto a = list_draft_records(*db, draft_open, 0, 10).back().id;
  const auto b = list_draft_records(*db, draft_open, 0, 10).front().id;
  draft_content content;
  content.alert.category = "roads";
  content.alert.title = "Uno, riscritto in redazione";
  content.alert.text = "Testo nostro";
  REQUIRE(rewrite_person_draft(*db, a, content, actor{"staff:red@comune.it", std::nullopt}, t0 + 1));
  const auto later = apply_news_items(*db, lugo_feed, "lugo", {item("a", "Uno, aggiornato"), item("b", "Due, aggiornato")}, t0 + 2);
  CHECK(later.updated == 1);
  CHECK(later.unchanged == 1);
  CHECK(draft_record_of(*db, a)->title == "Uno, riscritto in redazione");
  CHECK(draft_record_of(*db, b)->title == "Due, aggiornato");
  CHECK(draft_record_of(*db, b)->revision == 2);
}

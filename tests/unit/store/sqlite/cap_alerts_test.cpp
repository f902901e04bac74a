#include <banditore/store/sqlite/cap_alerts.hpp>

#include <banditore/domain/alert.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

struct fixture {
  std::unique_ptr<SQLite::Database> db = open_database(":memory:");
  std::unique_ptr<cap_store> cap;
  fixture() {
    migrate(*db);
    cap = std::make_unique<cap_store>(*db);
  }
};

std::int64_t at(const char* rfc3339) { return *domain::parse_rfc3339(rfc3339); }

cap_document_row row(std::string identifier, std::optional<std::int64_t> alert_id = std::nullopt) {
  cap_document_row r;
  r.key = {"meteoalarm@example.it", std::move(identifier), at("2024-07-14T13:02:11+00:00")};
  r.status = "Actual";
  r.msg_type = "Alert";
  r.verdict = alert_id ? "broadcast" : "below_threshold";
  r.reason = "why";
  r.alert_id = alert_id;
  return r;
}

}  // namespace

TEST_CASE("a document is recorded once: the second record of the same key is refused") {
  fixture f;
  CHECK(f.cap->record(row("A", 7), 1000).has_value());
  auto second = row("A");
  CHECK_FALSE(f.cap->record(second, 2000).has_value());
  auto found = f.cap->find(row("A").key);
  REQUIRE(found.has_value());
  CHECK(found->verdict == "broadcast");
  CHECK(found->alert_id == 7);
  CHECK(found->received_at == 1000);
}

TEST_CASE("the same sent instant written with another offset names the same document") {
  fixture f;
  f.cap->record(row("A", 7), 1000);
  cap_document_key other{"meteoalarm@example.it", "A", at("2024-07-14T15:02:11+02:00")};
  CHECK(f.cap->find(other).has_value());
  CHECK(f.db->execAndGet("SELECT sent FROM cap_alerts").getString() == "2024-07-14T13:02:11Z");
}

TEST_CASE("another identifier or sender is another document") {
  fixture f;
  f.cap->record(row("A", 7), 1000);
  CHECK_FALSE(f.cap->find(row("B").key).has_value());
  auto key = row("A").key;
  key.sender = "other@example.it";
  CHECK_FALSE(f.cap->find(key).has_value());
}

TEST_CASE("references find the broadcasts of recorded documents only, each once") {
  fixture f;
  f.cap->record(row("A", 7), 1000);
  f.cap->record(row("B"), 1000);  // recorded, never broadcast
  f.cap->record(row("C", 9), 1000);
  auto ids = f.cap->alert_ids_of({row("C").key, row("B").key, row("A").key, row("unknown").key, row("C").key});
  CHECK(ids == std::vector<std::int64_t>{9, 7});
}

TEST_CASE("a feed keeps its validators after a poll and counts failures until the next success") {
  fixture f;
  const std::string url = "https://feeds.example.org/it.atom";
  CHECK(f.cap->feed(url).failures == 0);
  CHECK(f.cap->feed_failed(url, 1000) == 1);
  CHECK(f.cap->feed_failed(url, 2000) == 2);
  f.cap->feed_polled(url, "\"v1\"", "Sun, 14 Jul 2024 13:02:11 GMT", 3000);
  auto s = f.cap->feed(url);
  CHECK(s.failures == 0);
  CHECK(s.etag == "\"v1\"");
  CHECK(s.last_modified == "Sun, 14 Jul 2024 13:02:11 GMT");
  CHECK(s.last_polled_at == 3000);
  CHECK(f.cap->feed_failed(url, 4000) == 1);
  CHECK(f.cap->feed(url).etag == "\"v1\"");  // a failure leaves the validators alone
}

TEST_CASE("fetched document URLs are remembered until forgotten by age") {
  fixture f;
  f.cap->mark_seen("https://x.example/1.xml", 1000);
  f.cap->mark_seen("https://x.example/2.xml", 5000);
  CHECK(f.cap->seen("https://x.example/1.xml"));
  CHECK_FALSE(f.cap->seen("https://x.example/3.xml"));
  CHECK(f.cap->forget_seen_before(2000) == 1);
  CHECK_FALSE(f.cap->seen("https://x.example/1.xml"));
  CHECK(f.cap->seen("https://x.example/2.xml"));
}

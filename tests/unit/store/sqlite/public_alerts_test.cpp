#include <banditore/store/sqlite/public_alerts.hpp>

#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/media.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <memory>
#include <string>

using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

struct fixture {
  std::unique_ptr<SQLite::Database> db = [] {
    auto d = open_database(":memory:");
    migrate(*d);
    return d;
  }();

  // An alert row as the alert paths write it; public as given.
  std::int64_t alert(const std::string& title, const std::string& source = "api", int is_public = 1) {
    SQLite::Statement q(*db, "INSERT INTO alerts (category, severity, title, text, priority, state, source, "
                             "not_before, created_at, public) VALUES ('roads', 'moderate', ?, 'testo', 3, 'done', ?, "
                             "0, 1700000000000, ?)");
    q.bind(1, title);
    q.bind(2, source);
    q.bind(3, is_public);
    q.exec();
    return db->getLastInsertRowid();
  }

  void from_cap(std::int64_t alert_id, const std::string& status) {
    SQLite::Statement q(*db, "INSERT INTO cap_alerts (sender, identifier, sent, status, msg_type, verdict, alert_id, "
                             "received_at) VALUES ('s', ?, '2024-01-01T00:00:00Z', ?, 'Alert', 'broadcast', ?, 0)");
    q.bind(1, "id-" + std::to_string(alert_id));
    q.bind(2, status);
    q.bind(3, alert_id);
    q.exec();
  }
};

std::vector<std::string> titles(const std::vector<public_alert>& list) {
  std::vector<std::string> out;
  for (const auto& a : list) out.push_back(a.title);
  return out;
}

}  // namespace

TEST_CASE("the public archive leaves out hidden alerts, CAP exercises and tests, and import notices") {
  fixture f;
  f.alert("dal portale");
  f.alert("nascosto", "api", 0);
  f.alert("benvenuto", "import");
  const auto actual = f.alert("allerta vera", "cap");
  f.from_cap(actual, "Actual");
  const auto drill = f.alert("esercitazione", "cap");
  f.from_cap(drill, "Exercise");
  const auto test = f.alert("prova tecnica", "cap");
  f.from_cap(test, "Test");
  f.alert("da riga di comando", "cli");

  public_alert_query q;
  CHECK(titles(read_public_alerts(*f.db, q)) ==
        std::vector<std::string>{"da riga di comando", "allerta vera", "dal portale"});
  CHECK(read_public_alert(*f.db, actual));
  CHECK_FALSE(read_public_alert(*f.db, drill));
  CHECK_FALSE(read_public_alert(*f.db, test));
  CHECK_FALSE(read_public_alert(*f.db, 2));  // hidden
  CHECK_FALSE(read_public_alert(*f.db, 3));  // import notice
  CHECK_FALSE(read_public_alert(*f.db, 999));
}

TEST_CASE("the archive pages newest first by keyset, and the version moves with new, cancelled and hidden alerts") {
  fixture f;
  for (int i = 1; i <= 5; ++i) f.alert("avviso " + std::to_string(i));
  public_alert_query q;
  q.limit = 2;
  CHECK(titles(read_public_alerts(*f.db, q)) == std::vector<std::string>{"avviso 5", "avviso 4"});
  q.before_id = 4;
  CHECK(titles(read_public_alerts(*f.db, q)) == std::vector<std::string>{"avviso 3", "avviso 2"});
  q.before_id = 2;
  CHECK(titles(read_public_alerts(*f.db, q)) == std::vector<std::string>{"avviso 1"});

  const auto v0 = read_public_version(*f.db);
  CHECK(read_public_version(*f.db) == v0);
  f.alert("avviso 6");
  const auto v1 = read_public_version(*f.db);
  CHECK(v1 != v0);
  f.db->exec("UPDATE alerts SET cancelled_at = 1700000001000, state = 'cancelled' WHERE id = 3");
  const auto v2 = read_public_version(*f.db);
  CHECK(v2 != v1);
  f.db->exec("UPDATE alerts SET public = 0 WHERE id = 2");
  CHECK(read_public_version(*f.db) != v2);
  auto cancelled = read_public_alert(*f.db, 3);
  REQUIRE(cancelled);
  CHECK(cancelled->cancelled_at == 1'700'000'001'000);
}

TEST_CASE("the archive filtered by town and topic lists the alerts for them, and those for everyone") {
  fixture f;
  f.db->exec("INSERT INTO towns (id, name) VALUES ('lugo', 'Lugo'), ('cotignola', 'Cotignola')");
  f.db->exec("INSERT INTO areas (id, town_id, name) VALUES ('voltana', 'lugo', 'Voltana')");
  f.db->exec("INSERT INTO topics (id, name) VALUES ('acqua', 'Acqua'), ('strade', 'Strade')");
  auto with = [&](const std::string& title, const char* towns, const char* topics, const char* areas) {
    const auto id = f.alert(title);
    SQLite::Statement q(*f.db, "UPDATE alerts SET towns = ?, topics = ?, areas = ? WHERE id = ?");
    if (towns) q.bind(1, towns); else q.bind(1);
    if (topics) q.bind(2, topics); else q.bind(2);
    if (areas) q.bind(3, areas); else q.bind(3);
    q.bind(4, id);
    q.exec();
  };
  with("a tutti", nullptr, nullptr, nullptr);
  with("acqua a Lugo", "[\"lugo\"]", "[\"acqua\"]", nullptr);
  with("strade a Cotignola", "[\"cotignola\"]", "[\"strade\"]", nullptr);
  with("acqua a Voltana", nullptr, "[\"acqua\"]", "[\"voltana\"]");
  auto list = [&](std::string town, std::string topic) {
    public_alert_query q;
    q.town = std::move(town);
    q.topic = std::move(topic);
    return titles(read_public_alerts(*f.db, q));
  };
  using v = std::vector<std::string>;
  CHECK(list("", "") == v{"acqua a Voltana", "strade a Cotignola", "acqua a Lugo", "a tutti"});
  CHECK(list("lugo", "") == v{"acqua a Voltana", "acqua a Lugo", "a tutti"});
  CHECK(list("cotignola", "") == v{"strade a Cotignola", "a tutti"});
  CHECK(list("", "acqua") == v{"acqua a Voltana", "acqua a Lugo", "a tutti"});
  CHECK(list("cotignola", "acqua") == v{"a tutti"});
}

TEST_CASE("an update and the alert it updates link each other when both are public; the updated one is not shown as cancelled") {
  fixture f;
  const auto first = f.alert("chiusura del ponte");
  const auto second = f.alert("chiusura del ponte prorogata");
  f.db->exec("UPDATE alerts SET updates = " + std::to_string(first) + " WHERE id = " + std::to_string(second));
  // The update stopped what was left of the first: cancelled in the store.
  f.db->exec("UPDATE alerts SET state = 'cancelled', cancelled_at = 1700000001000 WHERE id = " + std::to_string(first));
  auto a = read_public_alert(*f.db, first);
  auto b = read_public_alert(*f.db, second);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->updated_by == second);
  CHECK_FALSE(a->cancelled_at);
  CHECK_FALSE(a->updates);
  CHECK(b->updates == first);
  CHECK_FALSE(b->updated_by);
  CHECK(read_public_alerts(*f.db, {}).at(1).updated_by == second);

  // A hidden update is not linked, and the first shows its cancellation.
  f.db->exec("UPDATE alerts SET public = 0 WHERE id = " + std::to_string(second));
  a = read_public_alert(*f.db, first);
  CHECK_FALSE(a->updated_by);
  CHECK(a->cancelled_at == 1'700'000'001'000);
  // An update of a hidden alert does not link back to it.
  const auto hidden = f.alert("riservato", "api", 0);
  const auto third = f.alert("pubblico");
  f.db->exec("UPDATE alerts SET updates = " + std::to_string(hidden) + " WHERE id = " + std::to_string(third));
  CHECK_FALSE(read_public_alert(*f.db, third)->updates);
}

TEST_CASE("a public alert names its attachment, and only a public alert gives its bytes") {
  fixture f;
  new_media upload;
  upload.kind = banditore::domain::media_kind::pdf;
  upload.bytes = "%PDF-1.4\n";
  upload.bytes += '\0';
  upload.bytes += "\xff binary";  // 18 bytes, a NUL among them
  upload.filename = "ordinanza 12.pdf";
  const auto stored = insert_media(*f.db, upload, {"test", {}}, 1700000000000);
  const auto with = f.alert("con allegato");
  const auto hidden = f.alert("nascosto", "api", 0);
  const auto without = f.alert("senza");
  SQLite::Statement link(*f.db, "UPDATE alerts SET media_id = ? WHERE id IN (?, ?)");
  link.bind(1, stored.media.id);
  link.bind(2, with);
  link.bind(3, hidden);
  link.exec();

  const auto a = read_public_alert(*f.db, with);
  REQUIRE(a);
  REQUIRE(a->attachment);
  CHECK(a->attachment->id == stored.media.id);
  CHECK(a->attachment->mime_type == "application/pdf");
  CHECK(a->attachment->filename == "ordinanza 12.pdf");
  CHECK(a->attachment->size == 18);
  CHECK(a->attachment->sha256 == stored.media.sha256);
  const auto list = read_public_alerts(*f.db, {});
  REQUIRE(list.size() == 2);
  CHECK_FALSE(list[0].attachment);  // "senza", the newest
  REQUIRE(list[1].attachment);
  CHECK(list[1].attachment->filename == "ordinanza 12.pdf");

  const auto file = read_public_attachment(*f.db, with);
  REQUIRE(file);
  CHECK(file->bytes == upload.bytes);
  CHECK(file->info.mime_type == "application/pdf");
  CHECK_FALSE(read_public_attachment(*f.db, hidden));
  CHECK_FALSE(read_public_attachment(*f.db, without));
  CHECK_FALSE(read_public_attachment(*f.db, 999));
}

#include <banditore/store/sqlite/retention.hpp>

#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <unistd.h>

using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

constexpr std::int64_t day = 24LL * 3600 * 1000;
constexpr std::int64_t now = 1000 * day;
constexpr std::int64_t ninety_days = 90 * day;

std::unique_ptr<SQLite::Database> fresh() {
  auto db = open_database(":memory:");
  migrate(*db);
  return db;
}

void inbound(SQLite::Database& db, const std::string& id, std::int64_t received_at) {
  SQLite::Statement st(db, "INSERT INTO inbound_messages (message_hash, phone_hash, type, decision, received_at) "
                           "VALUES (:id, x'01', 'text', 'ignored', :at)");
  st.bind(":id", id);
  st.bind(":at", received_at);
  st.exec();
}

void outbox_row(SQLite::Database& db, const std::string& state, std::int64_t updated_at) {
  SQLite::Statement st(db, "INSERT INTO outbox (priority, state, phone_hash, not_before, created_at, updated_at) "
                           "VALUES (0, :state, x'01', 0, 0, :at)");
  st.bind(":state", state);
  st.bind(":at", updated_at);
  st.exec();
}

void early_status(SQLite::Database& db, const std::string& provider, std::int64_t received_at) {
  SQLite::Statement st(db, "INSERT INTO early_statuses (provider_hash, status, at, received_at) "
                           "VALUES (:p, 'delivered', 0, :at)");
  st.bind(":p", provider);
  st.bind(":at", received_at);
  st.exec();
}

int count(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getInt(); }

// An attachment row (its bytes are not read here) created at created_at; its id.
std::int64_t media_row(SQLite::Database& db, const std::string& name, std::int64_t created_at) {
  SQLite::Statement st(db, "INSERT INTO media (mime_type, filename, size, sha256, bytes, created_by, created_at) "
                           "VALUES ('application/pdf', :name, 4, randomblob(32), x'25504446', 'key:anna', :at)");
  st.bind(":name", name);
  st.bind(":at", created_at);
  st.exec();
  return db.getLastInsertRowid();
}

}  // namespace

TEST_CASE("inbound messages older than the window are deleted and newer ones kept") {
  auto db = fresh();
  inbound(*db, "old", now - ninety_days - 1);
  inbound(*db, "new", now - ninety_days + 1);
  auto r = purge_old(*db, ninety_days, now);
  CHECK(r.inbound_deleted == 1);
  CHECK(count(*db, "SELECT COUNT(*) FROM inbound_messages WHERE message_hash = 'new'") == 1);
  CHECK(count(*db, "SELECT COUNT(*) FROM inbound_messages") == 1);
}

TEST_CASE("old outbox rows in every final state are deleted") {
  auto db = fresh();
  for (const char* state : {"sent", "delivered", "read", "failed", "cancelled"})
    outbox_row(*db, state, now - ninety_days - 1);
  auto r = purge_old(*db, ninety_days, now);
  CHECK(r.outbox_deleted == 5);
  CHECK(count(*db, "SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("old outbox rows still queued or sending are kept") {
  auto db = fresh();
  outbox_row(*db, "queued", now - 2 * ninety_days);
  outbox_row(*db, "sending", now - 2 * ninety_days);
  CHECK(purge_old(*db, ninety_days, now).outbox_deleted == 0);
  CHECK(count(*db, "SELECT COUNT(*) FROM outbox") == 2);
}

TEST_CASE("finished outbox rows inside the window are kept") {
  auto db = fresh();
  outbox_row(*db, "delivered", now - ninety_days + 1);
  CHECK(purge_old(*db, ninety_days, now).outbox_deleted == 0);
}

TEST_CASE("early statuses go after seven days whatever the retention window") {
  auto db = fresh();
  early_status(*db, "old", now - 8 * day);
  early_status(*db, "recent", now - 6 * day);
  auto r = purge_old(*db, ninety_days, now);
  CHECK(r.early_statuses_deleted == 1);
  CHECK(count(*db, "SELECT COUNT(*) FROM early_statuses WHERE provider_hash = 'recent'") == 1);
}

TEST_CASE("a purge deletes in batches, one transaction each") {
  auto db = fresh();
  for (int i = 0; i < 5; ++i) inbound(*db, "m" + std::to_string(i), 0);
  auto r = purge_old(*db, ninety_days, now, 2);
  CHECK(r.inbound_deleted == 5);
  // inbound: 2 + 2 + 1; outbox, early statuses, media and portfolio
  // contacts: one empty batch each.
  CHECK(r.transactions == 7);
  CHECK(count(*db, "SELECT COUNT(*) FROM inbound_messages") == 0);
}

TEST_CASE("who a portfolio reached more than a day ago is forgotten, whatever the retention window") {
  auto db = fresh();
  db->exec("INSERT INTO portfolio_contacts (portfolio, phone_hash, last_initiated_at) VALUES "
           "('900', x'01', " + std::to_string(now - day - 1) + "), ('900', x'02', " + std::to_string(now - day + 1) + ")");
  purge_old(*db, ninety_days, now);
  CHECK(count(*db, "SELECT COUNT(*) FROM portfolio_contacts") == 1);
  CHECK(count(*db, "SELECT COUNT(*) FROM portfolio_contacts WHERE phone_hash = x'02'") == 1);
}

TEST_CASE("a purge leaves the consent log alone") {
  auto db = fresh();
  db->exec("INSERT INTO consent_log (phone_hash, event, at) VALUES (x'01', 'subscribe', 0)");
  purge_old(*db, ninety_days, now);
  CHECK(count(*db, "SELECT COUNT(*) FROM consent_log") == 1);
}

TEST_CASE("an attachment no alert and no draft names is deleted after a day; one in use stays, however old") {
  // A database file, as the service keeps it (foreign keys on, WAL).
  const auto path = std::filesystem::temp_directory_path() /
                    ("banditore-retention-media-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto db = open_database(path.string());
    migrate(*db);
    const auto unused_old = media_row(*db, "vecchio.pdf", now - unused_media_keep_ms - 1);
    const auto unused_new = media_row(*db, "recente.pdf", now - unused_media_keep_ms + 60'000);
    const auto of_alert = media_row(*db, "avviso.pdf", now - 400 * day);
    const auto of_draft = media_row(*db, "bozza.pdf", now - 400 * day);
    const auto of_discarded = media_row(*db, "scartata.pdf", now - 400 * day);
    SQLite::Statement alert(*db, "INSERT INTO alerts (category, severity, title, text, priority, not_before, "
                                 "created_at, media_id) VALUES ('roads', 'minor', 't', 'x', 0, 0, 0, :media)");
    alert.bind(":media", of_alert);
    alert.exec();
    SQLite::Statement draft(*db, "INSERT INTO drafts (source, title, text, state, created_at, updated_at, media_id) "
                                 "VALUES ('api', 't', 'x', :state, 0, 0, :media)");
    draft.bind(":state", "draft");
    draft.bind(":media", of_draft);
    draft.exec();
    draft.reset();
    draft.bind(":state", "discarded");
    draft.bind(":media", of_discarded);
    draft.exec();

    const auto r = purge_old(*db, ninety_days, now);
    CHECK(r.media_deleted == 1);
    CHECK(count(*db, "SELECT COUNT(*) FROM media WHERE id = " + std::to_string(unused_old)) == 0);
    for (const auto kept : {unused_new, of_alert, of_draft, of_discarded})
      CHECK(count(*db, "SELECT COUNT(*) FROM media WHERE id = " + std::to_string(kept)) == 1);

    // Once the draft no longer names it, the next pass takes it.
    db->exec("UPDATE drafts SET media_id = NULL WHERE state = 'draft'");
    CHECK(purge_old(*db, ninety_days, now).media_deleted == 1);
    CHECK(count(*db, "SELECT COUNT(*) FROM media WHERE id = " + std::to_string(of_draft)) == 0);
    SQLite::Statement broken(*db, "PRAGMA foreign_key_check");
    CHECK_FALSE(broken.executeStep());
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

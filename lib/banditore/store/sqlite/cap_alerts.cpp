#include <banditore/store/sqlite/cap_alerts.hpp>

#include <banditore/domain/alert.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>

namespace banditore::store::sqlite {

namespace {

void bind_text_or_null(SQLite::Statement& st, const char* name, std::string_view value) {
  if (value.empty()) st.bind(name);
  else st.bind(name, std::string(value));
}

std::string text_or_empty(const SQLite::Column& c) { return c.isNull() ? std::string() : c.getString(); }

}  // namespace

std::string cap_sent_text(std::int64_t sent_ms) { return domain::format_rfc3339_utc(sent_ms); }

struct cap_store::statements {
  explicit statements(SQLite::Database& db)
      : find(db, "SELECT id, verdict, reason, alert_id, received_at FROM cap_alerts "
                 "WHERE sender = :sender AND identifier = :identifier AND sent = :sent"),
        insert(db, "INSERT OR IGNORE INTO cap_alerts (sender, identifier, sent, status, msg_type, verdict, reason, "
                   "alert_id, received_at) VALUES (:sender, :identifier, :sent, :status, :msg_type, :verdict, "
                   ":reason, :alert, :now)"),
        feed(db, "SELECT etag, last_modified, last_polled_at, failures FROM cap_feed_state WHERE url = :url"),
        polled(db, "INSERT INTO cap_feed_state (url, etag, last_modified, last_polled_at, failures) "
                   "VALUES (:url, :etag, :modified, :now, 0) ON CONFLICT (url) DO UPDATE SET "
                   "etag = excluded.etag, last_modified = excluded.last_modified, "
                   "last_polled_at = excluded.last_polled_at, failures = 0"),
        failed(db, "INSERT INTO cap_feed_state (url, last_polled_at, failures) VALUES (:url, :now, 1) "
                   "ON CONFLICT (url) DO UPDATE SET last_polled_at = excluded.last_polled_at, "
                   "failures = failures + 1 RETURNING failures"),
        seen(db, "SELECT 1 FROM cap_feed_seen WHERE url = :url"),
        mark_seen(db, "INSERT INTO cap_feed_seen (url, fetched_at) VALUES (:url, :now) "
                      "ON CONFLICT (url) DO UPDATE SET fetched_at = excluded.fetched_at"),
        forget(db, "DELETE FROM cap_feed_seen WHERE fetched_at < :cutoff") {}

  SQLite::Statement find, insert, feed, polled, failed, seen, mark_seen, forget;
};

cap_store::cap_store(SQLite::Database& db) : db_(db), st_(std::make_unique<statements>(db)) {}
cap_store::~cap_store() = default;

std::optional<cap_document_record> cap_store::find(const cap_document_key& key) {
  auto& q = st_->find;
  q.reset();
  q.bind(":sender", key.sender);
  q.bind(":identifier", key.identifier);
  q.bind(":sent", cap_sent_text(key.sent_ms));
  std::optional<cap_document_record> out;
  if (q.executeStep()) {
    cap_document_record r;
    r.id = q.getColumn(0).getInt64();
    r.verdict = q.getColumn(1).getString();
    r.reason = text_or_empty(q.getColumn(2));
    if (!q.getColumn(3).isNull()) r.alert_id = q.getColumn(3).getInt64();
    r.received_at = q.getColumn(4).getInt64();
    out = std::move(r);
  }
  q.reset();
  return out;
}

std::optional<std::int64_t> cap_store::record(const cap_document_row& row, std::int64_t now_ms) {
  auto& st = st_->insert;
  st.reset();
  st.bind(":sender", row.key.sender);
  st.bind(":identifier", row.key.identifier);
  st.bind(":sent", cap_sent_text(row.key.sent_ms));
  bind_text_or_null(st, ":status", row.status);
  bind_text_or_null(st, ":msg_type", row.msg_type);
  st.bind(":verdict", row.verdict);
  bind_text_or_null(st, ":reason", row.reason);
  if (row.alert_id) st.bind(":alert", *row.alert_id); else st.bind(":alert");
  st.bind(":now", now_ms);
  if (st.exec() == 0) return std::nullopt;
  return db_.getLastInsertRowid();
}

std::vector<std::int64_t> cap_store::alert_ids_of(const std::vector<cap_document_key>& references) {
  std::vector<std::int64_t> out;
  for (const auto& ref : references) {
    auto found = find(ref);
    if (!found || !found->alert_id) continue;
    if (std::find(out.begin(), out.end(), *found->alert_id) == out.end()) out.push_back(*found->alert_id);
  }
  return out;
}

feed_state cap_store::feed(std::string_view url) {
  auto& q = st_->feed;
  q.reset();
  q.bind(":url", std::string(url));
  feed_state out;
  if (q.executeStep()) {
    out.etag = text_or_empty(q.getColumn(0));
    out.last_modified = text_or_empty(q.getColumn(1));
    if (!q.getColumn(2).isNull()) out.last_polled_at = q.getColumn(2).getInt64();
    out.failures = q.getColumn(3).getInt();
  }
  q.reset();
  return out;
}

void cap_store::feed_polled(std::string_view url, std::string_view etag, std::string_view last_modified,
                            std::int64_t now_ms) {
  auto& st = st_->polled;
  st.reset();
  st.bind(":url", std::string(url));
  bind_text_or_null(st, ":etag", etag);
  bind_text_or_null(st, ":modified", last_modified);
  st.bind(":now", now_ms);
  st.exec();
}

int cap_store::feed_failed(std::string_view url, std::int64_t now_ms) {
  auto& q = st_->failed;
  q.reset();
  q.bind(":url", std::string(url));
  q.bind(":now", now_ms);
  int failures = 1;
  if (q.executeStep()) failures = q.getColumn(0).getInt();
  q.reset();
  return failures;
}

bool cap_store::seen(std::string_view document_url) {
  auto& q = st_->seen;
  q.reset();
  q.bind(":url", std::string(document_url));
  bool found = q.executeStep();
  q.reset();
  return found;
}

void cap_store::mark_seen(std::string_view document_url, std::int64_t now_ms) {
  auto& st = st_->mark_seen;
  st.reset();
  st.bind(":url", std::string(document_url));
  st.bind(":now", now_ms);
  st.exec();
}

int cap_store::forget_seen_before(std::int64_t cutoff_ms) {
  auto& st = st_->forget;
  st.reset();
  st.bind(":cutoff", cutoff_ms);
  return st.exec();
}

}  // namespace banditore::store::sqlite

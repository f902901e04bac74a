#include <banditore/store/sqlite/drafts.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/store/sqlite/audit.hpp>

#include <banditore/domain/alert_audience.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

namespace banditore::store::sqlite {

namespace {

constexpr const char* draft_columns =
    "id, source, town_id, category, severity, title, text, link, state, alert_id, published_at, news_feed, "
    "created_at, updated_at, towns, topics, areas, expires_at, send_at, public, author, author_key_id, revision, "
    "submitted_at, decided_by, decided_at, decision, reject_reason, edited_by, media_id";

std::string text_or_empty(const SQLite::Column& c) { return c.isNull() ? std::string() : c.getString(); }

std::optional<std::int64_t> int_or_null(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

draft_record read_draft(SQLite::Statement& q) {
  draft_record d;
  d.id = q.getColumn(0).getInt64();
  d.source = q.getColumn(1).getString();
  d.town_id = text_or_empty(q.getColumn(2));
  d.category = q.getColumn(3).getString();
  d.severity = q.getColumn(4).getString();
  d.title = q.getColumn(5).getString();
  d.text = q.getColumn(6).getString();
  d.link = text_or_empty(q.getColumn(7));
  d.state = q.getColumn(8).getString();
  d.alert_id = int_or_null(q.getColumn(9));
  d.published_at = int_or_null(q.getColumn(10));
  d.news_feed = text_or_empty(q.getColumn(11));
  d.created_at = q.getColumn(12).getInt64();
  d.updated_at = q.getColumn(13).getInt64();
  auto text_of = [&](int i) -> std::optional<std::string> {
    if (q.getColumn(i).isNull()) return std::nullopt;
    return q.getColumn(i).getString();
  };
  d.audience.towns = domain::id_list_from_json_text(text_of(14));
  d.audience.topics = domain::id_list_from_json_text(text_of(15));
  d.audience.areas = domain::id_list_from_json_text(text_of(16));
  d.expires_at = int_or_null(q.getColumn(17));
  d.send_at = int_or_null(q.getColumn(18));
  d.publish = q.getColumn(19).getInt() != 0;
  d.author = text_or_empty(q.getColumn(20));
  d.author_key_id = int_or_null(q.getColumn(21));
  d.revision = q.getColumn(22).getInt64();
  d.submitted_at = int_or_null(q.getColumn(23));
  d.decided_by = text_or_empty(q.getColumn(24));
  d.decided_at = int_or_null(q.getColumn(25));
  d.decision = text_or_empty(q.getColumn(26));
  d.reject_reason = text_or_empty(q.getColumn(27));
  d.editor = text_or_empty(q.getColumn(28));
  d.media_id = int_or_null(q.getColumn(29));
  return d;
}

void bind_blob(SQLite::Statement& st, const char* name, const crypto::digest& d) {
  st.bind(name, d.data(), static_cast<int>(d.size()));
}

void bind_text_or_null(SQLite::Statement& st, const char* name, std::string_view text) {
  if (text.empty()) st.bind(name);
  else st.bind(name, std::string(text));
}

// A NUL separates the parts, so ("ab", "c") and ("a", "bc") differ.
crypto::digest digest_of(std::initializer_list<std::string_view> parts) {
  std::string joined;
  for (auto p : parts) joined.append(p).push_back('\0');
  return crypto::sha256(joined);
}

}  // namespace

news_applied apply_news_items(SQLite::Database& db, std::string_view feed_url, std::string_view town_id,
                              const std::vector<news_item_input>& items, std::int64_t now_ms) {
  news_applied out;
  SQLite::Statement find(db, "SELECT id, state, news_hash FROM drafts WHERE news_key = :key");
  SQLite::Statement insert(db,
                           "INSERT INTO drafts (source, town_id, title, text, link, news_feed, news_key, news_hash, "
                           "published_at, created_at, updated_at) VALUES ('news', :town, :title, :text, :link, "
                           ":feed, :key, :hash, :published, :now, :now)");
  // A changed item rewrites its draft only while nobody has edited it
  // (edited_by is set by a person's edit): the feed never undoes a
  // person's work. The revision grows, so a page opened on the old text
  // is told it changed.
  SQLite::Statement rewrite(db,
                            "UPDATE drafts SET title = :title, text = :text, link = :link, news_hash = :hash, "
                            "published_at = :published, updated_at = :now, revision = revision + 1 "
                            "WHERE id = :id AND state = 'draft' AND edited_by IS NULL");
  for (const auto& item : items) {
    const auto key = digest_of({feed_url, item.id});
    const auto hash = digest_of({item.title, item.summary, item.link});
    find.reset();
    bind_blob(find, ":key", key);
    std::optional<std::int64_t> existing;
    bool open = false, same = false;
    if (find.executeStep()) {
      existing = find.getColumn(0).getInt64();
      open = find.getColumn(1).getString() == draft_open;
      const auto stored = find.getColumn(2);
      same = stored.getBytes() == static_cast<int>(hash.size()) &&
             std::equal(hash.begin(), hash.end(), static_cast<const unsigned char*>(stored.getBlob()));
    }
    find.reset();
    // A draft must have a title to be sent: an item with text only is
    // titled by its first words.
    const std::string title = item.title.empty() ? item.summary.substr(0, item.summary.find('\n')) : item.title;
    auto bind_content = [&](SQLite::Statement& st) {
      st.bind(":title", title);
      st.bind(":text", item.summary);
      bind_text_or_null(st, ":link", item.link);
      bind_blob(st, ":hash", hash);
      if (item.published_ms) st.bind(":published", *item.published_ms);
      else st.bind(":published");
      st.bind(":now", now_ms);
    };
    if (!existing) {
      insert.reset();
      bind_content(insert);
      bind_text_or_null(insert, ":town", town_id);
      insert.bind(":feed", std::string(feed_url));
      bind_blob(insert, ":key", key);
      insert.exec();
      const auto id = db.getLastInsertRowid();
      record_audit(db, "news-feed", "draft.create", std::nullopt, std::nullopt,
                   fmt::format("draft={} town={}", id, town_id), now_ms);
      ++out.created;
    } else if (open && !same) {
      rewrite.reset();
      bind_content(rewrite);
      rewrite.bind(":id", *existing);
      if (rewrite.exec() == 1) {
        record_audit(db, "news-feed", "draft.update", std::nullopt, std::nullopt, fmt::format("draft={}", *existing),
                     now_ms);
        ++out.updated;
      } else {
        ++out.unchanged;
      }
    } else {
      ++out.unchanged;
    }
  }
  return out;
}

feed_state news_feed_state_of(SQLite::Database& db, std::string_view url) {
  SQLite::Statement q(db, "SELECT etag, last_modified, last_polled_at, failures FROM news_feed_state WHERE url = :url");
  q.bind(":url", std::string(url));
  feed_state s;
  if (q.executeStep()) {
    s.etag = text_or_empty(q.getColumn(0));
    s.last_modified = text_or_empty(q.getColumn(1));
    s.last_polled_at = int_or_null(q.getColumn(2));
    s.failures = q.getColumn(3).getInt();
  }
  return s;
}

void record_news_feed_polled(SQLite::Database& db, std::string_view url, std::string_view etag,
                             std::string_view last_modified, std::int64_t now_ms) {
  SQLite::Statement st(db,
                       "INSERT INTO news_feed_state (url, etag, last_modified, last_polled_at, last_ok_at, failures) "
                       "VALUES (:url, :etag, :modified, :now, :now, 0) ON CONFLICT (url) DO UPDATE SET "
                       "etag = excluded.etag, last_modified = excluded.last_modified, "
                       "last_polled_at = excluded.last_polled_at, last_ok_at = excluded.last_ok_at, failures = 0");
  st.bind(":url", std::string(url));
  bind_text_or_null(st, ":etag", etag);
  bind_text_or_null(st, ":modified", last_modified);
  st.bind(":now", now_ms);
  st.exec();
}

int record_news_feed_failed(SQLite::Database& db, std::string_view url, std::int64_t now_ms) {
  SQLite::Statement q(db,
                      "INSERT INTO news_feed_state (url, last_polled_at, failures) VALUES (:url, :now, 1) "
                      "ON CONFLICT (url) DO UPDATE SET last_polled_at = excluded.last_polled_at, "
                      "failures = failures + 1 RETURNING failures");
  q.bind(":url", std::string(url));
  q.bind(":now", now_ms);
  return q.executeStep() ? q.getColumn(0).getInt() : 1;
}

std::vector<draft_record> list_draft_records(SQLite::Database& db, std::string_view state, std::int64_t before_id,
                                             std::size_t limit) {
  SQLite::Statement q(db, fmt::format("SELECT {} FROM drafts WHERE (:state IS NULL OR state = :state) "
                                      "AND (:before = 0 OR id < :before) ORDER BY id DESC LIMIT :limit",
                                      draft_columns));
  bind_text_or_null(q, ":state", state);
  q.bind(":before", before_id);
  q.bind(":limit", static_cast<std::int64_t>(limit));
  std::vector<draft_record> out;
  while (q.executeStep()) out.push_back(read_draft(q));
  return out;
}

std::optional<draft_record> draft_record_of(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, fmt::format("SELECT {} FROM drafts WHERE id = :id", draft_columns));
  q.bind(":id", id);
  if (!q.executeStep()) return std::nullopt;
  return read_draft(q);
}

bool draft_is_open(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, "SELECT 1 FROM drafts WHERE id = :id AND state = 'draft'");
  q.bind(":id", id);
  return q.executeStep();
}

bool mark_draft_sent(SQLite::Database& db, std::int64_t id, std::int64_t alert_id, std::int64_t now_ms) {
  SQLite::Statement st(db, "UPDATE drafts SET state = 'sent', alert_id = :alert, updated_at = :now "
                           "WHERE id = :id AND state = 'draft'");
  st.bind(":id", id);
  st.bind(":alert", alert_id);
  st.bind(":now", now_ms);
  return st.exec() == 1;
}

namespace {

void bind_content(SQLite::Statement& st, const draft_content& c) {
  st.bind(":category", c.alert.category);
  st.bind(":severity", std::string(domain::to_string(c.alert.level)));
  st.bind(":title", c.alert.title);
  st.bind(":text", c.alert.text);
  bind_text_or_null(st, ":link", c.alert.link);
  auto bind_ids = [&](const char* name, const std::optional<std::vector<std::string>>& ids) {
    if (auto t = domain::id_list_to_json_text(ids)) st.bind(name, *t); else st.bind(name);
  };
  bind_ids(":towns", c.audience.towns);
  bind_ids(":topics", c.audience.topics);
  bind_ids(":areas", c.audience.areas);
  if (c.alert.expires_at_ms) st.bind(":expires", *c.alert.expires_at_ms); else st.bind(":expires");
  if (c.send_at) st.bind(":send_at", *c.send_at); else st.bind(":send_at");
  st.bind(":public", c.publish ? 1 : 0);
  if (c.media_id) st.bind(":media", *c.media_id); else st.bind(":media");
}

}  // namespace

std::int64_t insert_person_draft(SQLite::Database& db, const draft_content& content, std::string_view source,
                                 const actor& who, bool submit, std::int64_t now_ms) {
  SQLite::Statement st(db,
                       "INSERT INTO drafts (source, category, severity, title, text, link, towns, topics, areas, "
                       "expires_at, send_at, public, author, author_key_id, edited_by, state, submitted_at, "
                       "created_at, updated_at, media_id) VALUES (:source, :category, :severity, :title, :text, "
                       ":link, :towns, :topics, :areas, :expires, :send_at, :public, :author, :key, :author, :state, "
                       ":submitted, :now, :now, :media)");
  bind_content(st, content);
  st.bind(":source", std::string(source));
  st.bind(":author", who.name);
  if (who.api_key_id) st.bind(":key", *who.api_key_id); else st.bind(":key");
  st.bind(":state", std::string(submit ? draft_pending : draft_open));
  if (submit) st.bind(":submitted", now_ms); else st.bind(":submitted");
  st.bind(":now", now_ms);
  st.exec();
  return db.getLastInsertRowid();
}

bool rewrite_person_draft(SQLite::Database& db, std::int64_t id, const draft_content& content, const actor& who,
                          std::int64_t now_ms) {
  SQLite::Statement st(db,
                       "UPDATE drafts SET category = :category, severity = :severity, title = :title, text = :text, "
                       "link = :link, towns = :towns, topics = :topics, areas = :areas, expires_at = :expires, "
                       "send_at = :send_at, public = :public, media_id = :media, edited_by = :editor, revision = revision + 1, "
                       "state = 'draft', updated_at = :now WHERE id = :id AND state IN ('draft', 'rejected')");
  bind_content(st, content);
  st.bind(":editor", who.name);
  st.bind(":now", now_ms);
  st.bind(":id", id);
  return st.exec() == 1;
}

bool move_draft(SQLite::Database& db, std::int64_t id, std::string_view from, std::string_view to,
                std::string_view reason, const actor& who, std::int64_t now_ms) {
  const bool rejecting = to == draft_rejected;
  SQLite::Statement st(
      db, rejecting
              ? "UPDATE drafts SET state = 'rejected', reject_reason = :reason, decided_by = :who, decided_at = :now, "
                "decision = 'reject', updated_at = :now WHERE id = :id AND state = :from"
              : "UPDATE drafts SET state = 'pending', submitted_at = :now, reject_reason = NULL, decided_by = NULL, "
                "decided_at = NULL, decision = NULL, updated_at = :now WHERE id = :id AND (state = :from OR "
                "(:from = 'draft' AND state = 'rejected'))");
  st.bind(":id", id);
  st.bind(":from", std::string(from));
  st.bind(":now", now_ms);
  if (rejecting) {
    st.bind(":reason", std::string(reason));
    st.bind(":who", who.name);
  }
  return st.exec() == 1;
}

bool mark_draft_decided(SQLite::Database& db, std::int64_t id, std::int64_t alert_id, std::int64_t revision,
                        domain::draft_send how, const actor& who, std::int64_t now_ms) {
  SQLite::Statement st(db,
                       "UPDATE drafts SET state = 'sent', alert_id = :alert, decided_by = :who, decided_at = :now, "
                       "decision = :how, updated_at = :now WHERE id = :id AND revision = :revision AND "
                       "state IN ('draft', 'pending', 'rejected')");
  st.bind(":id", id);
  st.bind(":alert", alert_id);
  st.bind(":revision", revision);
  st.bind(":who", who.name);
  st.bind(":how", std::string(domain::to_string(how)));
  st.bind(":now", now_ms);
  return st.exec() == 1;
}

void link_cap_draft(SQLite::Database& db, std::int64_t cap_row_id, std::int64_t draft_id) {
  SQLite::Statement st(db, "UPDATE cap_alerts SET draft_id = :draft WHERE id = :row");
  st.bind(":draft", draft_id);
  st.bind(":row", cap_row_id);
  st.exec();
}

void link_cap_alert(SQLite::Database& db, std::int64_t draft_id, std::int64_t alert_id) {
  SQLite::Statement st(db, "UPDATE cap_alerts SET alert_id = :alert WHERE draft_id = :draft");
  st.bind(":alert", alert_id);
  st.bind(":draft", draft_id);
  st.exec();
}

bool mark_draft_discarded(SQLite::Database& db, std::int64_t id, std::int64_t now_ms) {
  SQLite::Statement st(db, "UPDATE drafts SET state = 'discarded', updated_at = :now WHERE id = :id AND "
                           "state IN ('draft', 'rejected')");
  st.bind(":id", id);
  st.bind(":now", now_ms);
  return st.exec() == 1;
}

}  // namespace banditore::store::sqlite

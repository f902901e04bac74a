#include <banditore/store/sqlite/public_alerts.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/domain/alert_audience.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <string>

namespace banditore::store::sqlite {

namespace {

// Public: not marked "non pubblicare"; written by the press office, the
// command line or a CAP document; and, for CAP, from a document with
// status Actual (an operator may let Exercise through to test the
// broadcast, never to the public). A scheduled alert is not public
// before it leaves, nor ever if it was cancelled or expired before it did.
std::string public_condition(const std::string& t) {
  return t + ".public = 1 AND " + t + ".source IN ('api', 'cli', 'cap') AND " + t + ".state <> 'scheduled' AND NOT (" +
         t + ".send_at IS NOT NULL AND " + t + ".state IN ('cancelled', 'expired') AND " + t +
         ".planned_through = 0) AND NOT EXISTS "
         "(SELECT 1 FROM cap_alerts c WHERE c.alert_id = " + t + ".id AND c.status <> 'Actual')";
}

// An update of an alert that is not public, or by one that is not, is
// not linked: the link would lead to a 404.
const std::string columns =
    "a.id, a.category, a.severity, a.title, a.text, COALESCE(a.link, ''), a.source, a.created_at, a.expires_at, "
    "a.cancelled_at, a.towns, a.topics, a.areas, "
    "(SELECT e.id FROM alerts e WHERE e.id = a.updates AND " + public_condition("e") + "), "
    "(SELECT MAX(u.id) FROM alerts u INDEXED BY alerts_updated WHERE u.updates = a.id AND " +
    public_condition("u") + "), "
    "m.id, m.mime_type, m.filename, m.size, m.sha256";

// The attachment's row, when the alert names one.
const std::string media_join = " LEFT JOIN media m ON m.id = a.media_id";

std::string hex_of(const SQLite::Column& c) {
  return crypto::to_hex(std::string_view(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes())));
}

public_attachment read_attachment(SQLite::Statement& q, int first) {
  public_attachment m;
  m.id = q.getColumn(first).getInt64();
  m.mime_type = q.getColumn(first + 1).getString();
  m.filename = q.getColumn(first + 2).isNull() ? std::string() : q.getColumn(first + 2).getString();
  m.size = q.getColumn(first + 3).getInt64();
  m.sha256 = hex_of(q.getColumn(first + 4));
  return m;
}

public_alert read_row(SQLite::Statement& q) {
  public_alert a;
  a.id = q.getColumn(0).getInt64();
  a.category = q.getColumn(1).getString();
  a.severity = q.getColumn(2).getString();
  a.title = q.getColumn(3).getString();
  a.text = q.getColumn(4).getString();
  a.link = q.getColumn(5).getString();
  a.source = q.getColumn(6).getString();
  a.created_at = q.getColumn(7).getInt64();
  if (!q.getColumn(8).isNull()) a.expires_at = q.getColumn(8).getInt64();
  if (!q.getColumn(9).isNull()) a.cancelled_at = q.getColumn(9).getInt64();
  auto ids = [&](int column) {
    const auto c = q.getColumn(column);
    return domain::id_list_from_json_text(c.isNull() ? std::nullopt : std::optional<std::string>(c.getString()));
  };
  a.audience.towns = ids(10);
  a.audience.topics = ids(11);
  a.audience.areas = ids(12);
  if (!q.getColumn(13).isNull()) a.updates = q.getColumn(13).getInt64();
  if (!q.getColumn(14).isNull()) {
    a.updated_by = q.getColumn(14).getInt64();
    a.cancelled_at.reset();
  }
  if (!q.getColumn(15).isNull()) a.attachment = read_attachment(q, 15);
  return a;
}

}  // namespace

std::vector<public_alert> read_public_alerts(SQLite::Database& db, const public_alert_query& query) {
  // An alert is for a town when it names no towns (all) or that one, and
  // names no areas or one of that town's; for a topic when it names no
  // topics or that one. Alerts are few: the JSON arrays are read per row.
  SQLite::Statement q(
      db, "SELECT " + columns + " FROM alerts a INDEXED BY alerts_public" + media_join + " WHERE " + public_condition("a") +
              " AND a.id < :before"
              " AND (:town = '' OR ((a.towns IS NULL OR EXISTS (SELECT 1 FROM json_each(a.towns) t"
              " WHERE t.value = :town)) AND (a.areas IS NULL OR EXISTS (SELECT 1 FROM json_each(a.areas) j"
              " JOIN areas ar ON ar.id = j.value WHERE ar.town_id = :town))))"
              " AND (:topic = '' OR a.topics IS NULL OR EXISTS (SELECT 1 FROM json_each(a.topics) p"
              " WHERE p.value = :topic))"
              " ORDER BY a.id DESC LIMIT :limit");
  q.bind(":before", query.before_id > 0 ? query.before_id : INT64_MAX);
  q.bind(":town", query.town);
  q.bind(":topic", query.topic);
  q.bind(":limit", static_cast<std::int64_t>(query.limit));
  std::vector<public_alert> out;
  while (q.executeStep()) out.push_back(read_row(q));
  return out;
}

std::optional<public_alert> read_public_alert(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, "SELECT " + columns + " FROM alerts a" + media_join + " WHERE a.id = :id AND " + public_condition("a"));
  q.bind(":id", id);
  if (!q.executeStep()) return std::nullopt;
  return read_row(q);
}

std::optional<public_attachment_file> read_public_attachment(SQLite::Database& db, std::int64_t alert_id) {
  SQLite::Statement q(db, "SELECT m.id, m.mime_type, m.filename, m.size, m.sha256, m.bytes FROM alerts a "
                          "JOIN media m ON m.id = a.media_id WHERE a.id = :id AND " + public_condition("a"));
  q.bind(":id", alert_id);
  if (!q.executeStep()) return std::nullopt;
  public_attachment_file f;
  f.info = read_attachment(q, 0);
  const auto c = q.getColumn(5);
  f.bytes.assign(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
  return f;
}

std::int64_t read_public_version(SQLite::Database& db) {
  // The newest id, the cancellations and the hidden alerts: what a page
  // shows changes only when one of them does. Alerts are few (thousands),
  // so reading the table's ids, times and flags is cheap.
  SQLite::Statement q(db, "SELECT COALESCE(MAX(id), 0), COUNT(cancelled_at), COALESCE(MAX(cancelled_at), 0), "
                          "COALESCE(SUM(public), 0) FROM alerts");
  q.executeStep();
  std::uint64_t v = static_cast<std::uint64_t>(q.getColumn(0).getInt64());
  for (int i = 1; i < 4; ++i) v = v * 1'000'003u + static_cast<std::uint64_t>(q.getColumn(i).getInt64());
  return static_cast<std::int64_t>(v & 0x7fff'ffff'ffff'ffffULL);
}

}  // namespace banditore::store::sqlite

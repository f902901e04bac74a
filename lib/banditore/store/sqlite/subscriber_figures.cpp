#include <banditore/store/sqlite/subscriber_figures.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace banditore::store::sqlite {

// Read when someone opens the dashboard: prepared per call, as the audit
// log's statements are.

std::vector<day_change> subscriber_changes(SQLite::Database& db, std::int64_t since_ms, std::int64_t offset_ms) {
  SQLite::Statement q(db,
                      "SELECT (at + :offset) / 86400000 AS d, "
                      "SUM(event IN ('subscribe', 'import')), SUM(event IN ('unsubscribe', 'opt_out', 'forget')) "
                      "FROM consent_log WHERE at >= :since GROUP BY d ORDER BY d");
  q.bind(":offset", offset_ms);
  q.bind(":since", since_ms);
  std::vector<day_change> out;
  while (q.executeStep()) {
    day_change c;
    c.day = q.getColumn(0).getInt64();
    c.joined = q.getColumn(1).getInt64();
    c.left = q.getColumn(2).getInt64();
    if (c.joined != 0 || c.left != 0) out.push_back(c);
  }
  return out;
}

audience_figures subscribers_by_audience(SQLite::Database& db) {
  audience_figures out;
  out.subscribers = db.execAndGet("SELECT COUNT(*) FROM subscribers").getInt64();
  SQLite::Statement towns(db, "SELECT t.id, COUNT(s.subscriber_id) FROM towns t "
                              "LEFT JOIN subscriber_towns s ON s.town_id = t.id GROUP BY t.id ORDER BY t.rowid");
  while (towns.executeStep()) out.towns.emplace_back(towns.getColumn(0).getString(), towns.getColumn(1).getInt64());
  SQLite::Statement topics(db, "SELECT t.id, COUNT(s.subscriber_id) FROM topics t "
                               "LEFT JOIN subscriber_topics s ON s.topic_id = t.id GROUP BY t.id ORDER BY t.rowid");
  while (topics.executeStep())
    out.topics.emplace_back(topics.getColumn(0).getString(), topics.getColumn(1).getInt64());
  return out;
}

}  // namespace banditore::store::sqlite

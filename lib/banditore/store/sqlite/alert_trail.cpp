#include <banditore/store/sqlite/alert_trail.hpp>

#include <banditore/store/sqlite/audit.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>

namespace banditore::store::sqlite {

// Both are read by a person opening a page or downloading a report, so
// the statements are prepared per call, as the audit log's are.

std::vector<audit_entry> alert_audit(SQLite::Database& db, std::int64_t alert_id) {
  SQLite::Statement q(db, std::string("SELECT ") + audit_columns +
                              " FROM audit_log WHERE alert_id = :alert ORDER BY id LIMIT 200");
  q.bind(":alert", alert_id);
  return read_audit_rows(q);
}

std::vector<delivery_period> delivery_timeline(SQLite::Database& db, std::int64_t alert_id, std::int64_t period_ms) {
  // A failure has no time of its own: its row's last change is when it failed.
  SQLite::Statement q(db,
                      "SELECT p, SUM(s), SUM(d), SUM(r), SUM(f) FROM ("
                      " SELECT sent_at / :period AS p, 1 AS s, 0 AS d, 0 AS r, 0 AS f FROM outbox"
                      "  WHERE alert_id = :alert AND sent_at IS NOT NULL"
                      " UNION ALL SELECT delivered_at / :period, 0, 1, 0, 0 FROM outbox"
                      "  WHERE alert_id = :alert AND delivered_at IS NOT NULL"
                      " UNION ALL SELECT read_at / :period, 0, 0, 1, 0 FROM outbox"
                      "  WHERE alert_id = :alert AND read_at IS NOT NULL"
                      " UNION ALL SELECT updated_at / :period, 0, 0, 0, 1 FROM outbox"
                      "  WHERE alert_id = :alert AND state = 'failed'"
                      ") GROUP BY p ORDER BY p LIMIT 10000");
  q.bind(":alert", alert_id);
  q.bind(":period", std::max<std::int64_t>(1, period_ms));
  std::vector<delivery_period> out;
  while (q.executeStep()) {
    delivery_period d;
    d.start_ms = q.getColumn(0).getInt64() * std::max<std::int64_t>(1, period_ms);
    d.sent = q.getColumn(1).getInt64();
    d.delivered = q.getColumn(2).getInt64();
    d.read = q.getColumn(3).getInt64();
    d.failed = q.getColumn(4).getInt64();
    out.push_back(d);
  }
  return out;
}

}  // namespace banditore::store::sqlite

#include <banditore/store/sqlite/audit.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace banditore::store::sqlite {

// Audit rows are rare (one per administrative action), so the statements
// are prepared per call rather than held by an object.

void record_audit(SQLite::Database& db, std::string_view actor, std::string_view action,
                  std::optional<std::int64_t> alert_id, std::optional<std::int64_t> api_key_id,
                  std::string_view detail, std::int64_t now_ms) {
  SQLite::Statement st(db, "INSERT INTO audit_log (at, actor, action, alert_id, api_key_id, detail) "
                           "VALUES (:at, :actor, :action, :alert, :key, :detail)");
  st.bind(":at", now_ms);
  st.bind(":actor", std::string(actor));
  st.bind(":action", std::string(action));
  if (alert_id) st.bind(":alert", *alert_id); else st.bind(":alert");
  if (api_key_id) st.bind(":key", *api_key_id); else st.bind(":key");
  if (detail.empty()) st.bind(":detail"); else st.bind(":detail", std::string(detail));
  st.exec();
}

std::vector<audit_entry> read_audit_rows(SQLite::Statement& q) {
  std::vector<audit_entry> out;
  while (q.executeStep()) {
    audit_entry e;
    e.id = q.getColumn(0).getInt64();
    e.at = q.getColumn(1).getInt64();
    e.actor = q.getColumn(2).getString();
    e.action = q.getColumn(3).getString();
    if (!q.getColumn(4).isNull()) e.alert_id = q.getColumn(4).getInt64();
    if (!q.getColumn(5).isNull()) e.api_key_id = q.getColumn(5).getInt64();
    if (!q.getColumn(6).isNull()) e.detail = q.getColumn(6).getString();
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<audit_entry> recent_audit(SQLite::Database& db, std::size_t limit) {
  SQLite::Statement q(db, std::string("SELECT ") + audit_columns + " FROM audit_log ORDER BY id DESC LIMIT :limit");
  q.bind(":limit", static_cast<std::int64_t>(limit));
  return read_audit_rows(q);
}

}  // namespace banditore::store::sqlite

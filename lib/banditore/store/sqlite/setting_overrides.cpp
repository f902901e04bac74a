#include <banditore/store/sqlite/setting_overrides.hpp>

#include <banditore/store/sqlite/audit.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>

namespace banditore::store::sqlite {

namespace {

// Nests inside the caller's transaction when there is one, and is a
// transaction of its own otherwise.
class savepoint {
 public:
  explicit savepoint(SQLite::Database& db) : db_(db) { db_.exec("SAVEPOINT setting_override"); }
  ~savepoint() {
    if (released_) return;
    try {
      db_.exec("ROLLBACK TO setting_override");
      db_.exec("RELEASE setting_override");
    } catch (...) {
      // Already unwinding from the error that matters.
    }
  }
  savepoint(const savepoint&) = delete;
  savepoint& operator=(const savepoint&) = delete;
  void release() {
    db_.exec("RELEASE setting_override");
    released_ = true;
  }

 private:
  SQLite::Database& db_;
  bool released_ = false;
};

}  // namespace

std::vector<setting_override> read_setting_overrides(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT name, value, changed_by, changed_at FROM setting_overrides ORDER BY name");
  std::vector<setting_override> out;
  while (q.executeStep()) {
    out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                   q.getColumn(3).getInt64()});
  }
  return out;
}

setting_change_result change_setting_override(SQLite::Database& db, const setting_change& change) {
  savepoint sp(db);
  setting_change_result out;
  std::optional<std::string> before;
  {
    SQLite::Statement q(db, "SELECT value FROM setting_overrides WHERE name = ?");
    q.bind(1, change.name);
    if (q.executeStep()) before = q.getColumn(0).getString();
  }
  out.old_value = before.value_or(change.without_override);
  if (change.value) {
    SQLite::Statement st(db, "INSERT INTO setting_overrides (name, value, changed_by, changed_at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                             "changed_by = excluded.changed_by, changed_at = excluded.changed_at");
    st.bind(1, change.name);
    st.bind(2, *change.value);
    st.bind(3, change.actor);
    st.bind(4, change.now);
    st.exec();
    out.changed = true;
  } else if (before) {
    SQLite::Statement st(db, "DELETE FROM setting_overrides WHERE name = ?");
    st.bind(1, change.name);
    st.exec();
    out.changed = true;
  }
  if (out.changed) {
    const nlohmann::json detail = {{"name", change.name},
                                   {"old", out.old_value},
                                   {"new", change.value.value_or(change.without_override)}};
    record_audit(db, change.actor, change.value ? "setting.change" : "setting.reset", std::nullopt, std::nullopt,
                 detail.dump(), change.now);
    out.sequence = db.getLastInsertRowid();
  }
  out.overrides = read_setting_overrides(db);
  sp.release();
  return out;
}

}  // namespace banditore::store::sqlite

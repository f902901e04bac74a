#include <banditore/store/sqlite/audience.hpp>

#include <banditore/store/sqlite/audit.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <string>
#include <variant>

namespace banditore::store::sqlite {

namespace {

using domain::catalogue_kind;

std::string keywords_text(const std::vector<std::string>& keywords) { return nlohmann::json(keywords).dump(); }

std::vector<std::string> keywords_of(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& k : j)
    if (k.is_string()) out.push_back(k.get<std::string>());
  return out;
}

std::string_view table_of(catalogue_kind kind) {
  switch (kind) {
    case catalogue_kind::town: return "towns";
    case catalogue_kind::topic: return "topics";
    case catalogue_kind::area: return "areas";
  }
  return "";
}

// How many subscribers chose the entry (subscriber_towns and the like).
std::int64_t chosen_by(SQLite::Database& db, catalogue_kind kind, std::string_view id) {
  const std::string singular(kind == catalogue_kind::town    ? "town"
                             : kind == catalogue_kind::topic ? "topic"
                                                             : "area");
  SQLite::Statement q(db, "SELECT COUNT(*) FROM subscriber_" + std::string(table_of(kind)) + " WHERE " + singular +
                              "_id = :id");
  q.bind(":id", std::string(id));
  q.executeStep();
  return q.getColumn(0).getInt64();
}

// These tables change a few times a year: statements are prepared per
// call rather than kept.
void bind_polygon(SQLite::Statement& q, const std::string& polygon) {
  if (polygon.empty()) q.bind(":polygon"); else q.bind(":polygon", polygon);
}

// Inbound messages read the catalogue through a copy they keep: a change
// moves this number on, in the same transaction, so the copy is read again
// (also by a serving process when the command line made the change).
void bump_version(SQLite::Database& db) {
  db.exec("INSERT INTO meta (key, value) VALUES ('catalogue_version', '1') "
          "ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)");
}

// The fields of an entry, bound by the same names in its INSERT and its
// UPDATE (the id names the row of an UPDATE).
void bind_fields(SQLite::Statement& q, const domain::town& t) {
  bind_polygon(q, t.polygon);
  q.bind(":id", t.id);
  q.bind(":name", t.name);
  if (t.istat_code.empty()) q.bind(":istat"); else q.bind(":istat", t.istat_code);
  q.bind(":keywords", keywords_text(t.keywords));
}

void bind_fields(SQLite::Statement& q, const domain::topic& t) {
  q.bind(":id", t.id);
  q.bind(":name", t.name);
  q.bind(":keywords", keywords_text(t.keywords));
  q.bind(":in_default", t.in_default ? 1 : 0);
}

void bind_fields(SQLite::Statement& q, const domain::area& a) {
  bind_polygon(q, a.polygon);
  q.bind(":id", a.id);
  q.bind(":town", a.town_id);
  q.bind(":name", a.name);
  q.bind(":keywords", keywords_text(a.keywords));
}

struct entry_sql {
  const char* insert;
  const char* update;
};
entry_sql sql_for(const domain::town&) {
  return {"INSERT INTO towns (id, name, istat_code, keywords, polygon) VALUES (:id, :name, :istat, :keywords, :polygon)",
          "UPDATE towns SET name = :name, istat_code = :istat, keywords = :keywords, polygon = :polygon WHERE id = :id"};
}
entry_sql sql_for(const domain::topic&) {
  return {"INSERT INTO topics (id, name, keywords, in_default) VALUES (:id, :name, :keywords, :in_default)",
          "UPDATE topics SET name = :name, keywords = :keywords, in_default = :in_default WHERE id = :id"};
}
entry_sql sql_for(const domain::area&) {
  return {"INSERT INTO areas (id, town_id, name, keywords, polygon) VALUES (:id, :town, :name, :keywords, :polygon)",
          "UPDATE areas SET town_id = :town, name = :name, keywords = :keywords, polygon = :polygon WHERE id = :id"};
}

template <class Entry>
void insert(SQLite::Database& db, const Entry& e) {
  SQLite::Statement q(db, sql_for(e).insert);
  bind_fields(q, e);
  q.exec();
}

template <class Entry>
void replace(SQLite::Database& db, const Entry& e) {
  SQLite::Statement q(db, sql_for(e).update);
  bind_fields(q, e);
  q.exec();
}

void audit(SQLite::Database& db, const actor& who, catalogue_kind kind, std::string_view change,
           std::string_view id, std::int64_t now) {
  const std::string action = std::string(domain::to_string(kind)) + "." + std::string(change);
  record_audit(db, who.name, action, std::nullopt, who.api_key_id, id, now);
}

}  // namespace

domain::audience_catalogue read_catalogue(SQLite::Database& db) {
  domain::audience_catalogue c;
  {
    SQLite::Statement q(db, "SELECT id, name, COALESCE(istat_code, ''), keywords, COALESCE(polygon, '') "
                            "FROM towns ORDER BY rowid");
    while (q.executeStep())
      c.towns.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                         keywords_of(q.getColumn(3).getString()), q.getColumn(2).getString(),
                         q.getColumn(4).getString()});
  }
  {
    SQLite::Statement q(db, "SELECT id, name, keywords, in_default FROM topics ORDER BY rowid");
    while (q.executeStep())
      c.topics.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                          keywords_of(q.getColumn(2).getString()), q.getColumn(3).getInt() != 0});
  }
  {
    SQLite::Statement q(db, "SELECT id, town_id, name, keywords, COALESCE(polygon, '') FROM areas ORDER BY rowid");
    while (q.executeStep())
      c.areas.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                         keywords_of(q.getColumn(3).getString()), q.getColumn(4).getString()});
  }
  return c;
}

domain::catalogue_verdict add_catalogue_entry(SQLite::Database& db, const domain::catalogue_entry& entry,
                                              const actor& who, std::int64_t now) {
  SQLite::Transaction tx(db);
  auto verdict = domain::check_add(read_catalogue(db), entry);
  if (!verdict.ok()) return verdict;
  std::visit([&db](const auto& e) { insert(db, e); }, entry);
  bump_version(db);
  audit(db, who, domain::kind_of(entry), "add", domain::id_of(entry), now);
  tx.commit();
  return verdict;
}

domain::catalogue_verdict update_catalogue_entry(SQLite::Database& db, const domain::catalogue_entry& entry,
                                                 const actor& who, std::int64_t now) {
  SQLite::Transaction tx(db);
  auto verdict = domain::check_update(read_catalogue(db), entry);
  if (!verdict.ok()) return verdict;
  std::visit([&db](const auto& e) { replace(db, e); }, entry);
  bump_version(db);
  audit(db, who, domain::kind_of(entry), "update", domain::id_of(entry), now);
  tx.commit();
  return verdict;
}

domain::catalogue_verdict remove_catalogue_entry(SQLite::Database& db, domain::catalogue_kind kind,
                                                 std::string_view id, const actor& who, std::int64_t now) {
  SQLite::Transaction tx(db);
  auto verdict = domain::check_remove(read_catalogue(db), kind, id);
  if (!verdict.ok()) return verdict;
  if (const auto people = chosen_by(db, kind, id); people > 0)
    return {domain::catalogue_outcome::in_use, "id",
            fmt::format("is chosen by {} subscriber{}: they would silently stop receiving it", people,
                        people == 1 ? "" : "s"),
            people};
  SQLite::Statement q(db, "DELETE FROM " + std::string(table_of(kind)) + " WHERE id = :id");
  q.bind(":id", std::string(id));
  q.exec();
  bump_version(db);
  audit(db, who, kind, "remove", id, now);
  tx.commit();
  return verdict;
}

bool seed_catalogue(SQLite::Database& db, const domain::town& configured) {
  SQLite::Transaction tx(db);
  if (db.execAndGet("SELECT COUNT(*) FROM meta WHERE key = 'audience_seeded'").getInt() > 0) return false;
  if (db.execAndGet("SELECT COUNT(*) FROM topics").getInt() == 0)
    for (const auto& t : domain::default_topics()) insert(db, t);
  if (db.execAndGet("SELECT COUNT(*) FROM towns").getInt() == 0) insert(db, configured);
  db.exec("INSERT INTO meta (key, value) VALUES ('audience_seeded', '1')");
  bump_version(db);
  tx.commit();
  return true;
}

std::int64_t catalogue_version(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'catalogue_version'");
  return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

}  // namespace banditore::store::sqlite

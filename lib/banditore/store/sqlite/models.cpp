#include <banditore/store/sqlite/models.hpp>

#include <banditore/store/sqlite/audit.hpp>
#include <banditore/store/sqlite/drafts.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

namespace banditore::store::sqlite {

namespace {

constexpr const char* model_columns = "id, name, text, category, severity, created_by, created_at, updated_at";

model_record read_model(SQLite::Statement& q) {
  model_record m;
  m.id = q.getColumn(0).getInt64();
  m.name = q.getColumn(1).getString();
  m.text = q.getColumn(2).getString();
  m.category = q.getColumn(3).getString();
  m.severity = q.getColumn(4).getString();
  m.created_by = q.getColumn(5).getString();
  m.created_at = q.getColumn(6).getInt64();
  m.updated_at = q.getColumn(7).getInt64();
  return m;
}

// Whether a model other than except_id has the name.
bool name_taken(SQLite::Database& db, const std::string& name, std::int64_t except_id) {
  SQLite::Statement q(db, "SELECT 1 FROM message_models WHERE name = :name AND id <> :id");
  q.bind(":name", name);
  q.bind(":id", except_id);
  return q.executeStep();
}

void bind_fields(SQLite::Statement& st, const domain::model_fields& f) {
  st.bind(":name", f.name);
  st.bind(":text", f.text);
  st.bind(":category", f.category);
  st.bind(":severity", f.severity);
}

}  // namespace

std::vector<model_record> list_model_records(SQLite::Database& db) {
  SQLite::Statement q(db, fmt::format("SELECT {} FROM message_models ORDER BY name, id", model_columns));
  std::vector<model_record> out;
  while (q.executeStep()) out.push_back(read_model(q));
  return out;
}

std::optional<model_record> model_record_of(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, fmt::format("SELECT {} FROM message_models WHERE id = :id", model_columns));
  q.bind(":id", id);
  if (!q.executeStep()) return std::nullopt;
  return read_model(q);
}

model_change insert_model(SQLite::Database& db, const domain::model_fields& fields, const actor& who,
                          std::int64_t now_ms) {
  if (name_taken(db, fields.name, 0)) return {model_outcome::name_taken, std::nullopt};
  SQLite::Statement st(db, "INSERT INTO message_models (name, text, category, severity, created_by, created_at, "
                           "updated_at) VALUES (:name, :text, :category, :severity, :by, :now, :now)");
  bind_fields(st, fields);
  st.bind(":by", who.name);
  st.bind(":now", now_ms);
  st.exec();
  const auto id = db.getLastInsertRowid();
  record_audit(db, who.name, "model.create", std::nullopt, who.api_key_id, fmt::format("model={}", id), now_ms);
  return {model_outcome::done, model_record_of(db, id)};
}

model_change rewrite_model(SQLite::Database& db, std::int64_t id, const domain::model_fields& fields,
                           const actor& who, std::int64_t now_ms) {
  if (!model_record_of(db, id)) return {model_outcome::not_found, std::nullopt};
  if (name_taken(db, fields.name, id)) return {model_outcome::name_taken, std::nullopt};
  SQLite::Statement st(db, "UPDATE message_models SET name = :name, text = :text, category = :category, "
                           "severity = :severity, updated_at = :now WHERE id = :id");
  bind_fields(st, fields);
  st.bind(":now", now_ms);
  st.bind(":id", id);
  st.exec();
  record_audit(db, who.name, "model.update", std::nullopt, who.api_key_id, fmt::format("model={}", id), now_ms);
  return {model_outcome::done, model_record_of(db, id)};
}

bool delete_model_record(SQLite::Database& db, std::int64_t id, const actor& who, std::int64_t now_ms) {
  SQLite::Statement st(db, "DELETE FROM message_models WHERE id = :id");
  st.bind(":id", id);
  if (st.exec() != 1) return false;
  record_audit(db, who.name, "model.delete", std::nullopt, who.api_key_id, fmt::format("model={}", id), now_ms);
  return true;
}

model_fill fill_model_draft(SQLite::Database& db, std::int64_t id, const std::vector<std::string>& values,
                            const actor& who, std::int64_t now_ms) {
  model_fill out;
  const auto model = model_record_of(db, id);
  if (!model) {
    out.outcome = fill_outcome::not_found;
    return out;
  }
  auto filled = domain::fill_blanks(model->text, values);
  if (!filled.text) {
    out.outcome = fill_outcome::refused;
    out.reason = std::move(filled.reason);
    return out;
  }
  SQLite::Statement st(db, "INSERT INTO drafts (source, category, severity, title, text, created_at, updated_at) "
                           "VALUES ('model', :category, :severity, :title, :text, :now, :now)");
  st.bind(":category", model->category);
  st.bind(":severity", model->severity);
  st.bind(":title", model->name);
  st.bind(":text", *filled.text);
  st.bind(":now", now_ms);
  st.exec();
  const auto draft_id = db.getLastInsertRowid();
  record_audit(db, who.name, "draft.create", std::nullopt, who.api_key_id,
               fmt::format("draft={} model={}", draft_id, id), now_ms);
  out.draft = draft_record_of(db, draft_id);
  return out;
}

}  // namespace banditore::store::sqlite

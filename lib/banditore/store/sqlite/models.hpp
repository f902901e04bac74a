// Message models (migration 16) and the drafts they fill. Runs on the
// database thread, inside the caller's transaction; statements are
// prepared per call: models change a few times a month.
#pragma once

#include <banditore/store/models.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

std::vector<model_record> list_model_records(SQLite::Database& db);
std::optional<model_record> model_record_of(SQLite::Database& db, std::int64_t id);
// name_taken when another model has the name; audited when done.
model_change insert_model(SQLite::Database& db, const domain::model_fields& fields, const actor& who,
                          std::int64_t now_ms);
model_change rewrite_model(SQLite::Database& db, std::int64_t id, const domain::model_fields& fields,
                           const actor& who, std::int64_t now_ms);
bool delete_model_record(SQLite::Database& db, std::int64_t id, const actor& who, std::int64_t now_ms);
// A new open draft from the model (source "model"), audited; refused with
// domain::fill_blanks's reason.
model_fill fill_model_draft(SQLite::Database& db, std::int64_t id, const std::vector<std::string>& values,
                            const actor& who, std::int64_t now_ms);

}  // namespace banditore::store::sqlite

// The audit log: who did what to alerts and API keys, and when. Rows are
// only ever added; they name keys and alerts by id and never carry a token
// or a phone number, so the log can be shown to whoever runs the service.
#pragma once

#include <banditore/store/audit.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; class Statement; }

namespace banditore::store::sqlite {

// Runs on the database thread, inside the caller's transaction if one is
// open, so an action and its audit row commit together.
void record_audit(SQLite::Database& db, std::string_view actor, std::string_view action,
                  std::optional<std::int64_t> alert_id, std::optional<std::int64_t> api_key_id,
                  std::string_view detail, std::int64_t now_ms);

// The newest entries first, at most limit of them.
std::vector<audit_entry> recent_audit(SQLite::Database& db, std::size_t limit);

// Steps q, which selects audit_columns, to its end: one entry per row.
inline constexpr const char* audit_columns = "id, at, actor, action, alert_id, api_key_id, detail";
std::vector<audit_entry> read_audit_rows(SQLite::Statement& q);

}  // namespace banditore::store::sqlite

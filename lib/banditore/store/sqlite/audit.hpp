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

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

// Runs on the database thread, inside the caller's transaction if one is
// open, so an action and its audit row commit together.
void record_audit(SQLite::Database& db, std::string_view actor, std::string_view action,
                  std::optional<std::int64_t> alert_id, std::optional<std::int64_t> api_key_id,
                  std::string_view detail, std::int64_t now_ms);

// The newest entries first, at most limit of them.
std::vector<audit_entry> recent_audit(SQLite::Database& db, std::size_t limit);

}  // namespace banditore::store::sqlite

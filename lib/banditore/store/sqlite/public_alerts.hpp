// The SQL of store/public_alerts.hpp: which alerts are public, read newest
// first. Called on the database thread.
#pragma once

#include <banditore/store/public_alerts.hpp>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

std::vector<public_alert> read_public_alerts(SQLite::Database& db, const public_alert_query& query);
std::optional<public_alert> read_public_alert(SQLite::Database& db, std::int64_t id);
std::optional<public_attachment_file> read_public_attachment(SQLite::Database& db, std::int64_t alert_id);
std::int64_t read_public_version(SQLite::Database& db);

}  // namespace banditore::store::sqlite

// The SQL of store/alert_trail.hpp: an alert's audit entries and its
// deliveries counted per period, from the outbox's times.
#pragma once

#include <banditore/store/alert_trail.hpp>

#include <cstdint>
#include <vector>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

std::vector<audit_entry> alert_audit(SQLite::Database& db, std::int64_t alert_id);
std::vector<delivery_period> delivery_timeline(SQLite::Database& db, std::int64_t alert_id, std::int64_t period_ms);

}  // namespace banditore::store::sqlite

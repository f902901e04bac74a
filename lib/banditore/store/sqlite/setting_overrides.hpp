// The run-time settings' overrides in SQLite (store/setting_overrides.hpp
// says what each call promises). Runs on the database thread.
#pragma once

#include <banditore/store/setting_overrides.hpp>

#include <vector>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

std::vector<setting_override> read_setting_overrides(SQLite::Database& db);

// One savepoint: the override written or dropped, its audit row
// ("setting.change" or "setting.reset", detail {"name","old","new"}), and
// every override read back.
setting_change_result change_setting_override(SQLite::Database& db, const setting_change& change);

}  // namespace banditore::store::sqlite

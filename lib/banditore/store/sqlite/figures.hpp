// The figures of the store that monitoring watches: how many subscribers,
// how many flagged, how deep the outbox is in each state and how late its
// oldest due message is. Counts only: nothing here identifies anyone.
#pragma once

#include <banditore/store/operations.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

// Runs on the database thread.
store_figures read_store_figures(SQLite::Database& db, std::int64_t now_ms);

}  // namespace banditore::store::sqlite

// The SQL of store/subscriber_figures.hpp, from the consent log and the
// subscribers' choices.
#pragma once

#include <banditore/store/subscriber_figures.hpp>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

std::vector<day_change> subscriber_changes(SQLite::Database& db, std::int64_t since_ms, std::int64_t offset_ms);
audience_figures subscribers_by_audience(SQLite::Database& db);

}  // namespace banditore::store::sqlite

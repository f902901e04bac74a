// The towns, topics and areas tables: the catalogue read whole, a checked
// change in one transaction with its audit row, and the first start's
// defaults. Called on the database thread (or a command's main thread).
#pragma once

#include <banditore/domain/audience.hpp>
#include <banditore/domain/audience_rules.hpp>
#include <banditore/store/alerts.hpp>

#include <cstdint>
#include <string_view>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

domain::audience_catalogue read_catalogue(SQLite::Database& db);

// Moved on by every change to the catalogue (meta 'catalogue_version'),
// whichever process makes it; 0 before the first.
std::int64_t catalogue_version(SQLite::Database& db);

domain::catalogue_verdict add_catalogue_entry(SQLite::Database& db, const domain::catalogue_entry& entry,
                                              const actor& who, std::int64_t now_ms);
domain::catalogue_verdict update_catalogue_entry(SQLite::Database& db, const domain::catalogue_entry& entry,
                                                 const actor& who, std::int64_t now_ms);
domain::catalogue_verdict remove_catalogue_entry(SQLite::Database& db, domain::catalogue_kind kind,
                                                 std::string_view id, const actor& who, std::int64_t now_ms);

// Once per database: the default topics (domain::default_topics) and the
// town of today's configuration, so a one-town deployment keeps working
// as it did. Returns whether it wrote them (false when done before, even
// if an operator has since removed them).
bool seed_catalogue(SQLite::Database& db, const domain::town& configured);

}  // namespace banditore::store::sqlite

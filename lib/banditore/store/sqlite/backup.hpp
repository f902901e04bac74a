// A consistent copy of the live database, taken with SQLite's online backup
// API while the service runs (in WAL mode readers never block the writer).
// The copy is written beside its destination and renamed into place, so a
// file at the destination is always a whole backup.
#pragma once

#include <banditore/store/backup.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

// Copies source into destination via destination + ".tmp" (mode 0600: the
// copy holds encrypted numbers and their hashes), checks the copy with
// PRAGMA quick_check, makes it a single file (journal_mode DELETE), syncs
// it and renames it over destination. Throws std::runtime_error on I/O
// errors or a failed check (the temporary file is removed), and
// std::invalid_argument when destination is the source database itself.
backup_result backup_database(SQLite::Database& source, const std::filesystem::path& destination, bool overwrite);
// The same for the database file at source_path, opened as it is: no
// migration and no key check, a backup copies what is there.
backup_result backup_database(const std::string& source_path, const std::filesystem::path& destination,
                              bool overwrite);

}  // namespace banditore::store::sqlite

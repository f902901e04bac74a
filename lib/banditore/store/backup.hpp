// A consistent copy of the live database, taken with SQLite's online backup
// API while the service runs (in WAL mode readers never block the writer).
// The copy is written beside its destination and renamed into place, so a
// file at the destination is always a whole backup.
#pragma once

#include <cstdint>
#include <filesystem>

namespace SQLite { class Database; }

namespace banditore::store {

enum class backup_outcome {
  written,
  destination_exists,  // and overwrite was not allowed; nothing written
};

struct backup_result {
  backup_outcome outcome = backup_outcome::written;
  std::uintmax_t bytes = 0;
  int schema_version = 0;
};

// Copies source into destination via destination + ".tmp" (mode 0600: the
// copy holds encrypted numbers and their hashes), checks the copy with
// PRAGMA quick_check, makes it a single file (journal_mode DELETE), syncs
// it and renames it over destination. Throws std::runtime_error on I/O
// errors or a failed check (the temporary file is removed), and
// std::invalid_argument when destination is the source database itself.
backup_result backup_database(SQLite::Database& source, const std::filesystem::path& destination, bool overwrite);

}  // namespace banditore::store

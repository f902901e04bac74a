// Opening the SQLite system of record and bringing its schema up to date.
// The schema is schema.sql, embedded at build time; each "-- migration N"
// section is applied once, in order, and recorded in PRAGMA user_version.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

// The embedded schema.sql (generated source).
extern const std::string_view schema_sql;

struct migration {
  int version = 0;
  std::string name;
  std::string sql;
};

// Splits a schema text into its numbered migrations. Throws
// std::runtime_error when numbers are missing, repeated or out of order.
std::vector<migration> parse_migrations(std::string_view schema);

// The highest migration number the binary carries.
int latest_schema_version();

// Opens (creating if needed) the database at path with WAL, foreign keys and
// a busy timeout. ":memory:" opens a private in-memory database.
// Write transactions begin IMMEDIATE: other processes (operator commands,
// `banditore rotate-keys`) write to the same file, and a deferred
// transaction that has read cannot wait for their lock to take its own; it
// fails at once with SQLITE_BUSY. An immediate one waits (busy timeout).
std::unique_ptr<SQLite::Database> open_database(const std::string& path);

// Applies every migration newer than the database's user_version, each in
// its own transaction. Returns the number applied. Throws if the database
// is newer than this binary.
int migrate(SQLite::Database& db);

}  // namespace banditore::store::sqlite

// Opening the system of record with its data keys: migrate the schema, load
// or create the keys, and refuse a key that does not match the data (never
// a silent new key over existing subscribers).
#pragma once

#include <banditore/config/settings.hpp>
#include <banditore/crypto/data_keys.hpp>
#include <banditore/store/sqlite/live_keys.hpp>

#include <memory>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

struct opened_store {
  std::unique_ptr<SQLite::Database> db;
  crypto::data_keys keys;
  int migrations_applied = 0;
  bool key_created = false;
};

// Throws std::runtime_error with an operator-readable reason. The keys are
// accepted when the database's fingerprint is theirs, or that of one of
// their retired keys (a rotation replaced the key file, then stopped before
// telling the database: `banditore rotate-keys` run again finishes it).
opened_store open_store(const config::settings& settings);

// How a running process reads its keys again after `banditore rotate-keys`:
// from the key file; empty when the keys come from BANDITORE_DATA_KEYS.
key_loader key_loader_for(const config::settings& settings);

}  // namespace banditore::store::sqlite

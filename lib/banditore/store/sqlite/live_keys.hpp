// The data keys a long-running process seals and opens phone numbers with,
// kept in step with `banditore rotate-keys` run by another process on the
// same database. The database's meta 'key_fingerprint' names the current
// encryption key; when it no longer names ours, the keys are read again
// from where they came from (the key file). All calls run on the database
// thread, inside the caller's transaction where one is open.
#pragma once

#include <banditore/crypto/data_keys.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

// Reads the keys again from their source. Empty when they come from
// configuration, which cannot change while the process runs.
using key_loader = std::function<crypto::data_keys()>;

class live_keys {
 public:
  live_keys(SQLite::Database& db, crypto::data_keys keys, key_loader reload = {});
  ~live_keys();
  live_keys(const live_keys&) = delete;
  live_keys& operator=(const live_keys&) = delete;

  const crypto::data_keys& keys() const { return keys_; }

  // Seals under the encryption key the database names: our current key,
  // or a retired one while a rotation has replaced the key file but not yet
  // told the database (until it has, no row needs the new key). Call it
  // inside the write transaction that stores the result: holding the write
  // lock, it cannot miss a rotation naming a new key before the commit, so
  // once a rotation has named its key no row is sealed under the old one.
  std::string seal(std::string_view e164_digits, std::string_view phone_hash);

  // Opens with the current key, then the retired ones. When none opens it
  // and the database names other keys than ours (a rotation sealed the row
  // under a key we have not seen yet), reloads and tries once more.
  // nullopt: no key we hold or can load opens it.
  std::optional<std::string> open(std::string_view sealed, std::string_view phone_hash);

  // Reloads the keys if the database's fingerprint is not the one we last
  // reconciled with. Returns true when the keys changed. Throws
  // std::runtime_error when the database names keys that the reloaded ones
  // do not include (or there is no source to reload from): sealing or
  // giving up on a row then would lose it.
  bool refresh();

  // How many times the keys were reloaded (for logs and tests).
  int reloads() const { return reloads_; }

 private:
  std::optional<std::string> stored_fingerprint();
  // Takes fingerprint as the database's and picks the key it names.
  void adopt(const std::string& fingerprint);

  SQLite::Database& db_;
  crypto::data_keys keys_;
  key_loader reload_;
  std::string seen_fingerprint_;
  crypto::key sealing_key_{};
  int reloads_ = 0;
  struct statements;
  std::unique_ptr<statements> st_;
};

}  // namespace banditore::store::sqlite

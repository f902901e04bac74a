// API keys of the REST API: which caller may send alerts, read them, read
// statistics or push CAP. A token is shown once, when it is created; only
// its SHA-256 is kept, so a copy of the database hands out no working key.
#pragma once

#include <banditore/store/api_keys.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

// Runs on the database thread. Writes happen in a savepoint, so they join
// the caller's transaction when one is open.
class api_key_store {
 public:
  explicit api_key_store(SQLite::Database& db);
  ~api_key_store();

  // Throws std::invalid_argument, saying what is wrong, for a name that is
  // empty, longer than max_key_name_length characters, not UTF-8, made of
  // digits only (it would read as an id), starting with token_scheme (it
  // would read as a token) or holding control characters; and for no
  // scopes or an unknown scope; and for a town not in the catalogue.
  // towns: the only towns the key may send alerts to (empty: anywhere).
  created_key create(std::string_view name, const std::vector<std::string>& scopes, std::int64_t now_ms,
                     const std::vector<std::string>& towns = {});

  // create's checks with the problem as a value, and actor in the audit log.
  key_creation add(std::string_view name, const std::vector<std::string>& scopes,
                   const std::vector<std::string>& towns, std::string_view actor, std::int64_t now_ms);

  // Every key, oldest first; never a token or its hash.
  std::vector<key_info> list();

  // id_or_name is a key's id (digits) or its exact name. A name picks among
  // the keys not yet revoked, so a name can be reused after a rotation;
  // when several such keys share it, throws std::invalid_argument listing
  // their ids rather than guessing.
  revoke_result revoke(std::string_view id_or_name, std::int64_t now_ms,
                       std::string_view actor = key_admin_actor);

  // The key a token belongs to, revoked or not (the caller tells the two
  // apart); nullopt when no key has this token.
  std::optional<key_info> authenticate(std::string_view token, std::int64_t now_ms);

  // last_used_at is written at most this often, not on every request.
  static constexpr std::int64_t last_used_resolution_ms = 60'000;

 private:
  struct statements;
  SQLite::Database& db_;
  std::unique_ptr<statements> st_;
};

}  // namespace banditore::store::sqlite

// API keys of the REST API: which caller may send alerts, read them, read
// statistics or push CAP. A token is shown once, when it is created; only
// its SHA-256 is kept, so a copy of the database hands out no working key.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }

namespace banditore::store {

// What a key may do. Stored comma-separated, so no scope contains a comma.
inline constexpr std::array<std::string_view, 4> api_scopes{"alerts:send", "alerts:read", "stats:read",
                                                             "cap:ingest"};
bool valid_scope(std::string_view scope);

// "bnd_" and 40 random bytes in lowercase hex: the prefix lets secret
// scanners and operators recognise a leaked banditore token.
inline constexpr std::string_view token_scheme = "bnd_";
inline constexpr std::size_t token_random_bytes = 40;
inline constexpr std::size_t token_length = token_scheme.size() + 2 * token_random_bytes;
// Whether text has a token's shape: the scheme and lowercase hex of the
// right length. Anything else is refused without asking the database.
bool well_formed_token(std::string_view text);
// The start of the token kept in clear, to tell keys apart in a listing.
inline constexpr std::size_t token_prefix_length = 12;
inline constexpr std::size_t max_key_name_length = 100;

// Keys are managed from the command line only; the audit log says so.
inline constexpr std::string_view key_admin_actor = "cli";

struct created_key {
  std::int64_t id = 0;
  std::string token;  // shown once, never stored
};

struct key_info {
  std::int64_t id = 0;
  std::string name;
  std::string prefix;
  std::vector<std::string> scopes;
  std::int64_t created_at = 0;  // Unix milliseconds, as are the times below
  std::optional<std::int64_t> revoked_at;
  std::optional<std::int64_t> last_used_at;

  bool revoked() const { return revoked_at.has_value(); }
  bool has_scope(std::string_view scope) const;
};

enum class revoke_outcome { revoked, already_revoked, not_found };

struct revoke_result {
  revoke_outcome outcome = revoke_outcome::not_found;
  std::int64_t id = 0;  // the key meant, unless not_found
  std::string name;
};

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
  // scopes or an unknown scope.
  created_key create(std::string_view name, const std::vector<std::string>& scopes, std::int64_t now_ms);

  // Every key, oldest first; never a token or its hash.
  std::vector<key_info> list();

  // id_or_name is a key's id (digits) or its exact name. A name picks among
  // the keys not yet revoked, so a name can be reused after a rotation;
  // when several such keys share it, throws std::invalid_argument listing
  // their ids rather than guessing.
  revoke_result revoke(std::string_view id_or_name, std::int64_t now_ms);

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

// Splits "a,b" into its scopes; empty items are dropped.
std::vector<std::string> split_scopes(std::string_view comma_separated);

}  // namespace banditore::store

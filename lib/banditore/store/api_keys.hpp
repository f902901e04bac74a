// API keys of the REST API: which caller may send alerts, read them, read
// statistics, push CAP or change the audience. A token is shown once, when it is created; only
// its SHA-256 is kept, so a copy of the database hands out no working key.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::store {

// What a key may do. Stored comma-separated, so no scope contains a comma.
// audience:admin changes the towns, topics and areas. drafts:write
// writes and submits drafts; alerts:send also approves and rejects them;
// alerts:emergency sends a draft past the approval rule (audited as a
// bypass). docs/approval.md.
inline constexpr std::array<std::string_view, 7> api_scopes{"alerts:send",    "alerts:read",  "stats:read",
                                                             "cap:ingest",     "audience:admin", "drafts:write",
                                                             "alerts:emergency"};
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

// Who manages keys from the command line, in the audit log; the console
// names the staff member ("staff:<email>").
inline constexpr std::string_view key_admin_actor = "cli";

// What is wrong with a new key, checked alike for the command line (which
// prints it in English) and the console (in Italian).
enum class key_problem {
  none,
  no_name,        // empty
  bad_name,       // not UTF-8, or control characters
  name_too_long,  // more than max_key_name_length characters
  name_digits,    // only digits: it would read as a key id
  name_token,     // starts with token_scheme: it would read as a token
  no_scope,
  bad_scope,      // not one of api_scopes
  unknown_town,   // a town not in the catalogue
};
key_problem check_key_name(std::string_view name);
key_problem check_key_scopes(const std::vector<std::string>& scopes);

struct created_key {
  std::int64_t id = 0;
  std::string token;  // shown once, never stored
};

struct key_info {
  std::int64_t id = 0;
  std::string name;
  std::string prefix;
  std::vector<std::string> scopes;
  // A key limited to towns sends alerts only there; empty: anywhere.
  std::vector<std::string> towns;
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

// Splits "a,b" into its scopes; empty items are dropped.
std::vector<std::string> split_scopes(std::string_view comma_separated);

// What the HTTP handlers ask.
class api_keys {
 public:
  virtual ~api_keys() = default;
  // The key a token belongs to, revoked or not (the caller tells the two
  // apart); nullopt when no key has this token. Notes the key's use.
  virtual boost::asio::awaitable<std::optional<key_info>> authenticate(std::string token, std::int64_t now_ms) = 0;
};

// What the command line does.
class api_key_admin {
 public:
  virtual ~api_key_admin() = default;
  // Throws std::invalid_argument, saying what is wrong, for a bad name or
  // scopes, or an unknown town (see store/sqlite/api_keys.hpp). A key with
  // towns sends alerts only there.
  virtual created_key create_key(std::string_view name, const std::vector<std::string>& scopes,
                                 const std::vector<std::string>& towns, std::int64_t now_ms) = 0;
  virtual std::vector<key_info> list_keys() = 0;
  virtual revoke_result revoke_key(std::string_view id_or_name, std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

namespace banditore::store {

struct key_creation {
  key_problem problem = key_problem::none;
  created_key key;     // when none: the token, shown once
  std::string detail;  // the scope or town refused
  bool ok() const { return problem == key_problem::none; }
};

// What the console's admin pages ask: the command line's store calls, one
// transaction each on the database thread. actor names the staff member
// in the audit log ("staff:<email>").
class api_key_directory {
 public:
  virtual ~api_key_directory() = default;
  // Every key, oldest first; never a token or its hash.
  virtual boost::asio::awaitable<std::vector<key_info>> api_key_list() = 0;
  // Audit "key.create".
  virtual boost::asio::awaitable<key_creation> add_api_key(std::string name, std::vector<std::string> scopes,
                                                           std::vector<std::string> towns, std::string actor,
                                                           std::int64_t now_ms) = 0;
  // By id only. Audit "key.revoke".
  virtual boost::asio::awaitable<revoke_result> revoke_api_key(std::int64_t id, std::string actor,
                                                               std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

#include <banditore/store/sqlite/api_keys.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/domain/alert_audience.hpp>
#include <banditore/domain/utf8.hpp>
#include <banditore/store/sqlite/audit.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace banditore::store::sqlite {

namespace {

void bind_blob(SQLite::Statement& st, const char* name, std::string_view bytes) {
  st.bind(name, bytes.data(), static_cast<int>(bytes.size()));
}

std::string token_hash(std::string_view token) {
  auto d = crypto::sha256(token);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}


std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

// Scopes in the order of api_scopes, each once, so equal sets read alike.
std::vector<std::string> canonical_scopes(const std::vector<std::string>& scopes) {
  std::vector<std::string> out;
  for (auto known : api_scopes)
    if (std::find(scopes.begin(), scopes.end(), known) != scopes.end()) out.emplace_back(known);
  return out;
}

// The command line's words for a problem (store/api_keys.hpp).
[[noreturn]] void throw_problem(const key_creation& c) {
  switch (c.problem) {
    case key_problem::no_name: throw std::invalid_argument("an API key needs a name");
    case key_problem::bad_name:
      throw std::invalid_argument("an API key name must be UTF-8 text without control characters");
    case key_problem::name_too_long:
      throw std::invalid_argument(fmt::format("an API key name has at most {} characters", max_key_name_length));
    case key_problem::name_digits:
      throw std::invalid_argument("an API key name cannot be only digits: it would read as a key id");
    case key_problem::name_token:
      throw std::invalid_argument(
          fmt::format("an API key name cannot start with {}: it would read as a token", token_scheme));
    case key_problem::no_scope:
      throw std::invalid_argument(
          fmt::format("an API key needs at least one scope (one of {})", fmt::join(api_scopes, ", ")));
    case key_problem::bad_scope:
      throw std::invalid_argument(
          fmt::format("unknown scope '{}' (known: {})", c.detail, fmt::join(api_scopes, ", ")));
    case key_problem::unknown_town:
      throw std::invalid_argument(fmt::format("unknown town '{}' (see banditore towns list)", c.detail));
    case key_problem::none: break;
  }
  throw std::invalid_argument("the API key cannot be created");
}

// A savepoint rather than a transaction: it nests inside the caller's
// transaction when there is one, and is a transaction of its own otherwise.
class savepoint {
 public:
  explicit savepoint(SQLite::Database& db) : db_(db) { db_.exec("SAVEPOINT api_keys"); }
  ~savepoint() {
    if (released_) return;
    try {
      db_.exec("ROLLBACK TO api_keys");
      db_.exec("RELEASE api_keys");
    } catch (...) {
      // Already unwinding from the error that matters.
    }
  }
  savepoint(const savepoint&) = delete;
  savepoint& operator=(const savepoint&) = delete;
  void release() {
    db_.exec("RELEASE api_keys");
    released_ = true;
  }

 private:
  SQLite::Database& db_;
  bool released_ = false;
};

}  // namespace

struct api_key_store::statements {
  explicit statements(SQLite::Database& db)
      : insert(db, "INSERT INTO api_keys (name, token_hash, token_prefix, scopes, created_at, towns) "
                   "VALUES (:name, :hash, :prefix, :scopes, :now, :towns)"),
        all(db, "SELECT id, name, token_prefix, scopes, created_at, revoked_at, last_used_at, towns "
                "FROM api_keys ORDER BY id"),
        by_id(db, "SELECT id, name, revoked_at FROM api_keys WHERE id = :id"),
        by_name(db, "SELECT id, name, revoked_at FROM api_keys WHERE name = :name ORDER BY id"),
        by_hash(db, "SELECT id, name, token_prefix, scopes, created_at, revoked_at, last_used_at, towns "
                    "FROM api_keys WHERE token_hash = :hash"),
        town(db, "SELECT COUNT(*) FROM towns WHERE id = :id"),
        revoke(db, "UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL"),
        touch(db, "UPDATE api_keys SET last_used_at = :now WHERE id = :id") {}

  SQLite::Statement insert, all, by_id, by_name, by_hash, town, revoke, touch;
};

namespace {

// Columns: id, name, token_prefix, scopes, created_at, revoked_at, last_used_at, towns.
key_info read_key(SQLite::Statement& q) {
  key_info k;
  k.id = q.getColumn(0).getInt64();
  k.name = q.getColumn(1).getString();
  k.prefix = q.getColumn(2).getString();
  k.scopes = split_scopes(q.getColumn(3).getString());
  k.created_at = q.getColumn(4).getInt64();
  if (!q.getColumn(5).isNull()) k.revoked_at = q.getColumn(5).getInt64();
  if (!q.getColumn(6).isNull()) k.last_used_at = q.getColumn(6).getInt64();
  if (!q.getColumn(7).isNull()) k.towns = domain::id_list_from_json_text(q.getColumn(7).getString()).value_or(std::vector<std::string>{});
  return k;
}

}  // namespace

api_key_store::api_key_store(SQLite::Database& db) : db_(db), st_(std::make_unique<statements>(db)) {}

api_key_store::~api_key_store() = default;

created_key api_key_store::create(std::string_view name, const std::vector<std::string>& scopes,
                                  std::int64_t now_ms, const std::vector<std::string>& towns) {
  auto made = add(name, scopes, towns, key_admin_actor, now_ms);
  if (!made.ok()) throw_problem(made);
  return made.key;
}

key_creation api_key_store::add(std::string_view name, const std::vector<std::string>& scopes,
                                const std::vector<std::string>& towns, std::string_view actor, std::int64_t now_ms) {
  key_creation made;
  if (made.problem = check_key_name(name); made.problem != key_problem::none) return made;
  if (made.problem = check_key_scopes(scopes); made.problem != key_problem::none) {
    for (const auto& s : scopes)
      if (!valid_scope(s)) made.detail = s;
    return made;
  }
  const auto canonical = canonical_scopes(scopes);
  const auto scope_text = join(canonical, ",");
  std::vector<std::string> key_towns;
  for (const auto& t : towns) {
    auto& q = st_->town;
    q.reset();
    q.bind(":id", t);
    q.executeStep();
    const bool known = q.getColumn(0).getInt64() > 0;
    q.reset();
    if (!known) return {key_problem::unknown_town, {}, t};
    if (std::find(key_towns.begin(), key_towns.end(), t) == key_towns.end()) key_towns.push_back(t);
  }

  created_key out;
  out.token = std::string(token_scheme) + crypto::to_hex(crypto::random_bytes(token_random_bytes));

  savepoint sp(db_);
  auto& st = st_->insert;
  st.reset();
  st.bind(":name", std::string(name));
  bind_blob(st, ":hash", token_hash(out.token));
  st.bind(":prefix", out.token.substr(0, token_prefix_length));
  st.bind(":scopes", scope_text);
  st.bind(":now", now_ms);
  if (key_towns.empty()) st.bind(":towns");
  else st.bind(":towns", *domain::id_list_to_json_text(key_towns));
  st.exec();
  out.id = db_.getLastInsertRowid();
  auto detail = fmt::format("name={} scopes={}", name, scope_text);
  if (!key_towns.empty()) detail += " towns=" + join(key_towns, ",");
  record_audit(db_, actor, "key.create", std::nullopt, out.id, detail, now_ms);
  sp.release();
  made.key = std::move(out);
  return made;
}

std::vector<key_info> api_key_store::list() {
  std::vector<key_info> out;
  auto& q = st_->all;
  q.reset();
  while (q.executeStep()) out.push_back(read_key(q));
  q.reset();
  return out;
}

revoke_result api_key_store::revoke(std::string_view id_or_name, std::int64_t now_ms, std::string_view actor) {
  struct candidate {
    std::int64_t id;
    std::string name;
    bool revoked;
  };
  std::vector<candidate> found;
  // Names are never all digits (create refuses them), so digits are an id.
  const bool by_id = all_digits(id_or_name) && id_or_name.size() <= 18;
  auto& q = by_id ? st_->by_id : st_->by_name;
  q.reset();
  if (by_id)
    q.bind(":id", static_cast<std::int64_t>(std::stoll(std::string(id_or_name))));
  else
    q.bind(":name", std::string(id_or_name));
  while (q.executeStep())
    found.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), !q.getColumn(2).isNull()});
  q.reset();

  revoke_result result;
  if (found.empty()) return result;

  std::vector<candidate> active;
  std::copy_if(found.begin(), found.end(), std::back_inserter(active), [](const candidate& c) { return !c.revoked; });
  if (active.size() > 1) {
    std::vector<std::string> ids;
    for (const auto& c : active) ids.push_back(std::to_string(c.id));
    throw std::invalid_argument(fmt::format("{} active keys are named '{}' (ids {}): revoke one by its id",
                                            active.size(), id_or_name, join(ids, ", ")));
  }
  if (active.empty()) {
    result.outcome = revoke_outcome::already_revoked;
    result.id = found.back().id;
    result.name = found.back().name;
    return result;
  }

  result.id = active.front().id;
  result.name = active.front().name;
  savepoint sp(db_);
  auto& st = st_->revoke;
  st.reset();
  st.bind(":now", now_ms);
  st.bind(":id", result.id);
  // The row was active when read, on the same connection and thread.
  result.outcome = st.exec() == 1 ? revoke_outcome::revoked : revoke_outcome::already_revoked;
  if (result.outcome == revoke_outcome::revoked)
    record_audit(db_, actor, "key.revoke", std::nullopt, result.id, fmt::format("name={}", result.name),
                 now_ms);
  sp.release();
  return result;
}


std::optional<key_info> api_key_store::authenticate(std::string_view token, std::int64_t now_ms) {
  // Nothing else can be one of our tokens; no need to ask the database.
  if (!well_formed_token(token)) return std::nullopt;

  // The lookup is by the SHA-256 of the presented token through the unique
  // index on token_hash. Timing can at most reveal how much of a hash
  // matched a stored hash, and the caller chooses only the token, not its
  // hash, so this teaches nothing about any stored token: no constant-time
  // comparison is needed here.
  auto& q = st_->by_hash;
  q.reset();
  bind_blob(q, ":hash", token_hash(token));
  std::optional<key_info> key;
  if (q.executeStep()) key = read_key(q);
  q.reset();
  if (!key || key->revoked()) return key;

  // Knowing a key was used this minute is enough, and it spares a write
  // (and the writer lock) on every request.
  if (!key->last_used_at || now_ms - *key->last_used_at >= last_used_resolution_ms) {
    auto& t = st_->touch;
    t.reset();
    t.bind(":now", now_ms);
    t.bind(":id", key->id);
    t.exec();
    key->last_used_at = now_ms;
  }
  return key;
}

}  // namespace banditore::store::sqlite

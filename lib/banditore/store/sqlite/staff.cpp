#include <banditore/store/sqlite/staff.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/crypto/password.hpp>
#include <banditore/domain/comma_list.hpp>
#include <banditore/domain/utf8.hpp>
#include <banditore/store/sqlite/audit.hpp>
#include <banditore/store/sqlite/live_keys.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace banditore::store::sqlite {

namespace {

void bind_blob(SQLite::Statement& st, const char* name, std::string_view bytes) {
  st.bind(name, bytes.data(), static_cast<int>(bytes.size()));
}

std::string column_blob(const SQLite::Column& c) {
  if (c.isNull()) return {};
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
}

std::string token_hash(std::string_view token) {
  const auto d = crypto::sha256(token);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// The aad of a user's sealed TOTP secret: it opens in its own row only.
std::string totp_aad(std::int64_t user_id) { return fmt::format("staff-totp:{}", user_id); }

constexpr std::string_view unknown_actor = "anonymous";

// A savepoint rather than a transaction: it nests inside the caller's
// transaction when there is one, and is a transaction of its own otherwise.
class savepoint {
 public:
  explicit savepoint(SQLite::Database& db) : db_(db) { db_.exec("SAVEPOINT staff"); }
  ~savepoint() {
    if (released_) return;
    try {
      db_.exec("ROLLBACK TO staff");
      db_.exec("RELEASE staff");
    } catch (...) {
      // Already unwinding from the error that matters.
    }
  }
  savepoint(const savepoint&) = delete;
  savepoint& operator=(const savepoint&) = delete;
  void release() {
    db_.exec("RELEASE staff");
    released_ = true;
  }

 private:
  SQLite::Database& db_;
  bool released_ = false;
};

constexpr const char* user_columns =
    "id, email, name, role, towns, disabled_at, totp_cipher IS NOT NULL, "
    "(SELECT count(*) FROM staff_recovery_codes r WHERE r.user_id = staff_users.id), failed_logins, created_at, "
    "updated_at, last_login_at";

staff_user read_user(SQLite::Statement& q) {
  staff_user u;
  u.id = q.getColumn(0).getInt64();
  u.email = q.getColumn(1).getString();
  u.name = q.getColumn(2).getString();
  u.role = q.getColumn(3).getString();
  u.towns = domain::split_comma_list(q.getColumn(4).getString());
  u.disabled = !q.getColumn(5).isNull();
  u.totp_enrolled = q.getColumn(6).getInt() != 0;
  u.recovery_codes_left = q.getColumn(7).getInt();
  u.failed_logins = q.getColumn(8).getInt();
  u.created_at = q.getColumn(9).getInt64();
  u.updated_at = q.getColumn(10).getInt64();
  if (!q.getColumn(11).isNull()) u.last_login_at = q.getColumn(11).getInt64();
  return u;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

void check_role(std::string_view role) {
  if (!valid_staff_role(role))
    throw std::invalid_argument(
        fmt::format("unknown role '{}' (known: {})", role, fmt::join(staff_roles, ", ")));
}

// The command line's words for a problem (store/staff.hpp).
[[noreturn]] void throw_problem(const staff_change& c, const new_staff_user& user) {
  switch (c.problem) {
    case staff_problem::bad_email: throw std::invalid_argument(fmt::format("'{}' is not an email address", user.email));
    case staff_problem::email_taken: throw std::invalid_argument(fmt::format("a staff user with the email {} exists", c.detail));
    case staff_problem::no_name: throw std::invalid_argument("a staff user needs a name");
    case staff_problem::bad_name:
      throw std::invalid_argument("a staff user's name must be UTF-8 text without control characters");
    case staff_problem::name_too_long:
      throw std::invalid_argument(fmt::format("a staff user's name has at most {} characters", max_staff_name_length));
    case staff_problem::bad_role: check_role(user.role); break;
    case staff_problem::unknown_town:
      throw std::invalid_argument(fmt::format("unknown town '{}' (see banditore towns list)", c.detail));
    default: break;
  }
  throw std::invalid_argument("the staff user cannot be created");
}

}  // namespace

struct staff_store::statements {
  explicit statements(SQLite::Database& db)
      : insert(db, "INSERT INTO staff_users (email, name, role, towns, password_hash, created_at, updated_at) "
                   "VALUES (:email, :name, :role, :towns, :hash, :now, :now)"),
        all(db, fmt::format("SELECT {} FROM staff_users ORDER BY id", user_columns)),
        by_id(db, fmt::format("SELECT {} FROM staff_users WHERE id = :id", user_columns)),
        id_by_email(db, "SELECT id FROM staff_users WHERE email = :email"),
        secrets(db, "SELECT password_hash, totp_cipher, totp_last_step FROM staff_users WHERE id = :id"),
        town(db, "SELECT 1 FROM towns WHERE id = :id"),
        set_towns(db, "UPDATE staff_users SET towns = :towns, updated_at = :now WHERE id = :id"),
        other_admins(db, "SELECT count(*) FROM staff_users WHERE role = 'admin' AND disabled_at IS NULL AND id != :id"),
        set_disabled(db, "UPDATE staff_users SET disabled_at = :at, updated_at = :now WHERE id = :id"),
        set_role(db, "UPDATE staff_users SET role = :role, updated_at = :now WHERE id = :id"),
        set_password(db, "UPDATE staff_users SET password_hash = :hash, updated_at = :now WHERE id = :id"),
        set_totp(db, "UPDATE staff_users SET totp_cipher = :cipher, totp_last_step = :step, updated_at = :now "
                     "WHERE id = :id"),
        clear_codes(db, "DELETE FROM staff_recovery_codes WHERE user_id = :id"),
        add_code(db, "INSERT OR IGNORE INTO staff_recovery_codes (user_id, code_hash) VALUES (:id, :hash)"),
        use_code(db, "DELETE FROM staff_recovery_codes WHERE user_id = :id AND code_hash = :hash"),
        succeeded(db, "UPDATE staff_users SET failed_logins = 0, last_login_at = :now WHERE id = :id"),
        failed(db, "UPDATE staff_users SET failed_logins = failed_logins + 1 WHERE id = :id"),
        totp_step(db, "UPDATE staff_users SET totp_last_step = :step "
                      "WHERE id = :id AND (totp_last_step IS NULL OR totp_last_step < :step)"),
        insert_session(db, "INSERT INTO staff_sessions (token_hash, user_id, created_at, last_seen_at, expires_at) "
                           "VALUES (:hash, :user, :now, :now, :expires)"),
        session(db, "SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, u.disabled_at "
                    "FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id WHERE s.token_hash = :hash"),
        touch(db, "UPDATE staff_sessions SET last_seen_at = :now WHERE id = :id"),
        delete_session(db, "DELETE FROM staff_sessions WHERE id = :id"),
        delete_by_hash(db, "DELETE FROM staff_sessions WHERE token_hash = :hash RETURNING user_id"),
        delete_others(db, "DELETE FROM staff_sessions WHERE user_id = :user AND token_hash IS NOT :keep") {}

  SQLite::Statement insert, all, by_id, id_by_email, secrets, town, set_towns, other_admins, set_disabled, set_role, set_password, set_totp,
      clear_codes, add_code, use_code, succeeded, failed, totp_step, insert_session, session, touch, delete_session,
      delete_by_hash, delete_others;
};

staff_store::staff_store(SQLite::Database& db, live_keys& keys)
    : db_(db), keys_(keys), st_(std::make_unique<statements>(db)) {}

staff_store::~staff_store() = default;

std::optional<staff_user> staff_store::user_by_id(std::int64_t id) {
  auto& q = st_->by_id;
  q.reset();
  q.bind(":id", id);
  std::optional<staff_user> out;
  if (q.executeStep()) out = read_user(q);
  q.reset();
  return out;
}

std::optional<std::int64_t> staff_store::id_of(std::string_view email) {
  const auto normal = normalise_staff_email(email);
  if (!normal) return std::nullopt;
  auto& q = st_->id_by_email;
  q.reset();
  q.bind(":email", *normal);
  std::optional<std::int64_t> out;
  if (q.executeStep()) out = q.getColumn(0).getInt64();
  q.reset();
  return out;
}

int staff_store::end_sessions_of(std::int64_t user_id, std::string_view keep_hash) {
  auto& st = st_->delete_others;
  st.reset();
  st.bind(":user", user_id);
  if (keep_hash.empty())
    st.bind(":keep");
  else
    bind_blob(st, ":keep", keep_hash);
  return st.exec();
}

std::int64_t staff_store::create_user(const new_staff_user& user, std::string_view actor, std::int64_t now) {
  const auto made = add_user(user, actor, now);
  if (!made.ok()) throw_problem(made, user);
  return made.id;
}

std::optional<std::string> staff_store::unknown_town(const std::vector<std::string>& towns) {
  for (const auto& t : towns) {
    auto& q = st_->town;
    q.reset();
    q.bind(":id", t);
    const bool known = q.executeStep();
    q.reset();
    if (!known) return t;
  }
  return std::nullopt;
}

bool staff_store::another_admin(std::int64_t id) {
  auto& q = st_->other_admins;
  q.reset();
  q.bind(":id", id);
  q.executeStep();
  const bool some = q.getColumn(0).getInt64() > 0;
  q.reset();
  return some;
}

staff_change staff_store::add_user(const new_staff_user& user, std::string_view actor, std::int64_t now) {
  const auto email = normalise_staff_email(user.email);
  if (!email) return {staff_problem::bad_email, 0, {}};
  if (const auto p = check_staff_name(user.name); p != staff_problem::none) return {p, 0, {}};
  if (!valid_staff_role(user.role)) return {staff_problem::bad_role, 0, user.role};
  if (user.password_hash.empty()) throw std::invalid_argument("a staff user needs a password hash");
  savepoint sp(db_);
  if (id_of(*email)) return {staff_problem::email_taken, 0, *email};
  if (auto t = unknown_town(user.towns)) return {staff_problem::unknown_town, 0, *t};
  auto& st = st_->insert;
  st.reset();
  st.bind(":email", *email);
  st.bind(":name", user.name);
  st.bind(":role", user.role);
  st.bind(":towns", join(user.towns));
  st.bind(":hash", user.password_hash);
  st.bind(":now", now);
  st.exec();
  const auto id = db_.getLastInsertRowid();
  record_audit(db_, actor, "staff.create", std::nullopt, std::nullopt,
               fmt::format("user={} email={} role={} towns={}", id, *email, user.role,
                           user.towns.empty() ? "all" : join(user.towns)),
               now);
  sp.release();
  return {staff_problem::none, id, {}};
}

staff_change staff_store::set_access(std::int64_t id, std::string_view role, const std::vector<std::string>& towns,
                                     std::string_view actor, std::int64_t now) {
  if (!valid_staff_role(role)) return {staff_problem::bad_role, id, std::string(role)};
  savepoint sp(db_);
  const auto user = user_by_id(id);
  if (!user) return {staff_problem::not_found, id, {}};
  if (user->role == "admin" && role != "admin" && !user->disabled && !another_admin(id))
    return {staff_problem::last_admin, id, {}};
  if (auto t = unknown_town(towns)) return {staff_problem::unknown_town, id, *t};
  if (user->role != role) {
    auto& st = st_->set_role;
    st.reset();
    st.bind(":role", std::string(role));
    st.bind(":now", now);
    st.bind(":id", id);
    st.exec();
    record_audit(db_, actor, "staff.role", std::nullopt, std::nullopt, fmt::format("user={} role={}", id, role), now);
  }
  if (user->towns != towns) {
    auto& st = st_->set_towns;
    st.reset();
    st.bind(":towns", join(towns));
    st.bind(":now", now);
    st.bind(":id", id);
    st.exec();
    record_audit(db_, actor, "staff.towns", std::nullopt, std::nullopt,
                 fmt::format("user={} towns={}", id, towns.empty() ? "all" : join(towns)), now);
  }
  sp.release();
  return {staff_problem::none, id, {}};
}

staff_change staff_store::set_disabled_by_id(std::int64_t id, bool disabled, std::string_view actor, std::int64_t now) {
  savepoint sp(db_);
  const auto user = user_by_id(id);
  if (!user) return {staff_problem::not_found, id, {}};
  if (disabled && user->role == "admin" && !user->disabled && !another_admin(id))
    return {staff_problem::last_admin, id, {}};
  set_disabled(user->email, disabled, actor, now);
  sp.release();
  return {staff_problem::none, id, {}};
}

staff_change staff_store::reset_password_by_id(std::int64_t id, std::string_view password_hash, std::string_view actor,
                                               std::int64_t now) {
  savepoint sp(db_);
  const auto user = user_by_id(id);
  if (!user) return {staff_problem::not_found, id, {}};
  reset_password(user->email, password_hash, actor, now);
  sp.release();
  return {staff_problem::none, id, {}};
}

std::vector<staff_user> staff_store::list_users() {
  std::vector<staff_user> out;
  auto& q = st_->all;
  q.reset();
  while (q.executeStep()) out.push_back(read_user(q));
  q.reset();
  return out;
}

std::optional<staff_user> staff_store::find_user(std::string_view email) {
  const auto id = id_of(email);
  if (!id) return std::nullopt;
  return user_by_id(*id);
}

bool staff_store::set_disabled(std::string_view email, bool disabled, std::string_view actor, std::int64_t now) {
  savepoint sp(db_);
  const auto id = id_of(email);
  if (!id) return false;
  auto& st = st_->set_disabled;
  st.reset();
  if (disabled)
    st.bind(":at", now);
  else
    st.bind(":at");
  st.bind(":now", now);
  st.bind(":id", *id);
  st.exec();
  int ended = 0;
  if (disabled) ended = end_sessions_of(*id, {});
  record_audit(db_, actor, disabled ? "staff.disable" : "staff.enable", std::nullopt, std::nullopt,
               disabled ? fmt::format("user={} sessions_ended={}", *id, ended) : fmt::format("user={}", *id), now);
  sp.release();
  return true;
}

bool staff_store::set_role(std::string_view email, std::string_view role, std::string_view actor, std::int64_t now) {
  check_role(role);
  savepoint sp(db_);
  const auto id = id_of(email);
  if (!id) return false;
  auto& st = st_->set_role;
  st.reset();
  st.bind(":role", std::string(role));
  st.bind(":now", now);
  st.bind(":id", *id);
  st.exec();
  record_audit(db_, actor, "staff.role", std::nullopt, std::nullopt, fmt::format("user={} role={}", *id, role), now);
  sp.release();
  return true;
}

bool staff_store::reset_password(std::string_view email, std::string_view password_hash, std::string_view actor,
                                 std::int64_t now) {
  if (password_hash.empty()) throw std::invalid_argument("a staff user needs a password hash");
  savepoint sp(db_);
  const auto id = id_of(email);
  if (!id) return false;
  auto& st = st_->set_password;
  st.reset();
  st.bind(":hash", std::string(password_hash));
  st.bind(":now", now);
  st.bind(":id", *id);
  st.exec();
  const int ended = end_sessions_of(*id, {});
  record_audit(db_, actor, "staff.reset_password", std::nullopt, std::nullopt,
               fmt::format("user={} sessions_ended={}", *id, ended), now);
  sp.release();
  return true;
}

bool staff_store::enroll_totp(std::string_view email, std::string_view secret,
                              const std::vector<std::string>& code_hashes, std::string_view actor,
                              std::int64_t now) {
  if (secret.size() < 16) throw std::invalid_argument("a TOTP secret has at least 16 bytes");
  savepoint sp(db_);
  const auto id = id_of(email);
  if (!id) return false;
  store_totp(*id, secret, code_hashes, std::nullopt, actor, now);
  sp.release();
  return true;
}

void staff_store::enroll_own_totp(std::int64_t user_id, std::string_view secret,
                                  const std::vector<std::string>& code_hashes, std::int64_t accepted_step,
                                  std::int64_t now) {
  if (secret.size() < 16) throw std::invalid_argument("a TOTP secret has at least 16 bytes");
  savepoint sp(db_);
  const auto user = user_by_id(user_id);
  if (!user) throw std::invalid_argument(fmt::format("no staff user {}", user_id));
  store_totp(user_id, secret, code_hashes, accepted_step, user->email, now);
  sp.release();
}

void staff_store::store_totp(std::int64_t id, std::string_view secret, const std::vector<std::string>& code_hashes,
                             std::optional<std::int64_t> accepted_step, std::string_view actor, std::int64_t now) {
  // A write first, so the transaction holds the write lock before the
  // secret is sealed: live_keys::seal then cannot miss a key rotation
  // committed in between (see live_keys.hpp).
  auto& clear = st_->clear_codes;
  clear.reset();
  clear.bind(":id", id);
  clear.exec();
  const auto cipher = keys_.seal(secret, totp_aad(id));
  auto& st = st_->set_totp;
  st.reset();
  bind_blob(st, ":cipher", cipher);
  if (accepted_step)
    st.bind(":step", *accepted_step);
  else
    st.bind(":step");
  st.bind(":now", now);
  st.bind(":id", id);
  st.exec();
  for (const auto& h : code_hashes) {
    auto& add = st_->add_code;
    add.reset();
    add.bind(":id", id);
    bind_blob(add, ":hash", h);
    add.exec();
  }
  record_audit(db_, actor, "staff.totp_enroll", std::nullopt, std::nullopt,
               fmt::format("user={} recovery_codes={}", id, code_hashes.size()), now);
}

std::optional<staff_credentials> staff_store::find_for_login(std::string_view email) {
  const auto id = id_of(email);
  if (!id) return std::nullopt;
  auto user = user_by_id(*id);
  if (!user) return std::nullopt;
  staff_credentials out;
  out.user = std::move(*user);
  auto& q = st_->secrets;
  q.reset();
  q.bind(":id", *id);
  std::string cipher;
  if (q.executeStep()) {
    out.password_hash = q.getColumn(0).getString();
    cipher = column_blob(q.getColumn(1));
    if (!q.getColumn(2).isNull()) out.totp_last_step = q.getColumn(2).getInt64();
  }
  q.reset();
  if (!cipher.empty()) {
    out.totp_secret = keys_.open(cipher, totp_aad(*id));
    // A secret no key opens would let the second factor be skipped if
    // read as "not enrolled": that is a broken store, not a login to allow.
    if (!out.totp_secret) throw std::runtime_error(fmt::format("staff user {}: TOTP secret cannot be opened", *id));
  }
  return out;
}

void staff_store::login_succeeded(std::int64_t user_id, const std::optional<std::string>& rehashed,
                                  std::int64_t now) {
  savepoint sp(db_);
  auto& st = st_->succeeded;
  st.reset();
  st.bind(":now", now);
  st.bind(":id", user_id);
  st.exec();
  if (rehashed && !rehashed->empty()) {
    auto& p = st_->set_password;
    p.reset();
    p.bind(":hash", *rehashed);
    p.bind(":now", now);
    p.bind(":id", user_id);
    p.exec();
  }
  const auto user = user_by_id(user_id);
  record_audit(db_, user ? user->email : std::string(unknown_actor), "staff.login", std::nullopt, std::nullopt,
               fmt::format("user={}{}", user_id, rehashed ? " rehashed" : ""), now);
  sp.release();
}

void staff_store::login_failed(std::optional<std::int64_t> user_id, login_failure why, std::int64_t now) {
  savepoint sp(db_);
  std::optional<staff_user> user;
  if (user_id) {
    auto& st = st_->failed;
    st.reset();
    st.bind(":id", *user_id);
    st.exec();
    user = user_by_id(*user_id);
  }
  record_audit(db_, user ? user->email : std::string(unknown_actor), "staff.login_failed", std::nullopt,
               std::nullopt,
               user ? fmt::format("user={} reason={}", user->id, to_string(why))
                    : fmt::format("reason={}", to_string(why)),
               now);
  sp.release();
}

bool staff_store::accept_totp_step(std::int64_t user_id, std::int64_t step, std::int64_t) {
  auto& st = st_->totp_step;
  st.reset();
  st.bind(":step", step);
  st.bind(":id", user_id);
  return st.exec() == 1;
}

bool staff_store::use_recovery_code(std::int64_t user_id, std::string_view code_hash, std::int64_t now) {
  savepoint sp(db_);
  auto& st = st_->use_code;
  st.reset();
  st.bind(":id", user_id);
  bind_blob(st, ":hash", code_hash);
  const bool used = st.exec() == 1;
  if (used) {
    const auto user = user_by_id(user_id);
    record_audit(db_, user ? user->email : std::string(unknown_actor), "staff.recovery_code", std::nullopt,
                 std::nullopt,
                 fmt::format("user={} left={}", user_id, user ? user->recovery_codes_left : 0), now);
  }
  sp.release();
  return used;
}

created_session staff_store::create_session(std::int64_t user_id, const session_limits& limits, std::int64_t now) {
  created_session out;
  out.token = crypto::base64url(crypto::sodium_random_bytes(session_token_bytes));
  out.expires_at = now + limits.absolute_ms;
  auto& st = st_->insert_session;
  st.reset();
  bind_blob(st, ":hash", token_hash(out.token));
  st.bind(":user", user_id);
  st.bind(":now", now);
  st.bind(":expires", out.expires_at);
  st.exec();
  out.id = db_.getLastInsertRowid();
  return out;
}

std::optional<staff_session> staff_store::check_session(std::string_view token, const session_limits& limits,
                                                        std::int64_t now) {
  // Nothing else can be one of our tokens; no need to ask the database.
  if (!well_formed_session_token(token)) return std::nullopt;
  // Found by the SHA-256 of the presented token through the unique index:
  // as for API keys, timing can tell at most how much of a hash matched,
  // which teaches nothing about any stored token.
  auto& q = st_->session;
  q.reset();
  bind_blob(q, ":hash", token_hash(token));
  std::optional<staff_session> s;
  bool disabled = false;
  if (q.executeStep()) {
    s.emplace();
    s->id = q.getColumn(0).getInt64();
    s->user.id = q.getColumn(1).getInt64();
    s->created_at = q.getColumn(2).getInt64();
    s->last_seen_at = q.getColumn(3).getInt64();
    s->expires_at = q.getColumn(4).getInt64();
    disabled = !q.getColumn(5).isNull();
  }
  q.reset();
  if (!s) return std::nullopt;
  const bool expired = now >= s->expires_at || now - s->last_seen_at >= limits.idle_ms;
  if (expired || disabled) {
    auto& d = st_->delete_session;
    d.reset();
    d.bind(":id", s->id);
    d.exec();
    return std::nullopt;
  }
  if (now - s->last_seen_at >= last_seen_resolution_ms) {
    auto& t = st_->touch;
    t.reset();
    t.bind(":now", now);
    t.bind(":id", s->id);
    t.exec();
    s->last_seen_at = now;
  }
  auto user = user_by_id(s->user.id);
  if (!user) return std::nullopt;
  s->user = std::move(*user);
  return s;
}

bool staff_store::end_session(std::string_view token, std::int64_t now) {
  if (!well_formed_session_token(token)) return false;
  savepoint sp(db_);
  auto& st = st_->delete_by_hash;
  st.reset();
  bind_blob(st, ":hash", token_hash(token));
  std::optional<std::int64_t> user_id;
  if (st.executeStep()) user_id = st.getColumn(0).getInt64();
  st.reset();
  if (user_id) {
    const auto user = user_by_id(*user_id);
    record_audit(db_, user ? user->email : std::string(unknown_actor), "staff.logout", std::nullopt, std::nullopt,
                 fmt::format("user={}", *user_id), now);
  }
  sp.release();
  return user_id.has_value();
}

int staff_store::end_other_sessions(std::int64_t user_id, std::string_view keep_token, std::int64_t now) {
  savepoint sp(db_);
  const int ended = end_sessions_of(user_id, keep_token.empty() ? std::string() : token_hash(keep_token));
  if (ended > 0) {
    const auto user = user_by_id(user_id);
    record_audit(db_, user ? user->email : std::string(unknown_actor), "staff.end_sessions", std::nullopt,
                 std::nullopt, fmt::format("user={} sessions_ended={}", user_id, ended), now);
  }
  sp.release();
  return ended;
}

int staff_store::change_password(std::int64_t user_id, std::string_view password_hash, std::string_view keep_token,
                                 std::int64_t now) {
  if (password_hash.empty()) throw std::invalid_argument("a staff user needs a password hash");
  savepoint sp(db_);
  auto& st = st_->set_password;
  st.reset();
  st.bind(":hash", std::string(password_hash));
  st.bind(":now", now);
  st.bind(":id", user_id);
  st.exec();
  const int ended = end_sessions_of(user_id, keep_token.empty() ? std::string() : token_hash(keep_token));
  const auto user = user_by_id(user_id);
  record_audit(db_, user ? user->email : std::string(unknown_actor), "staff.password", std::nullopt, std::nullopt,
               fmt::format("user={} sessions_ended={}", user_id, ended), now);
  sp.release();
  return ended;
}

}  // namespace banditore::store::sqlite

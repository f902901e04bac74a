// Staff accounts of the console (editor, publisher, admin) and their
// sessions. The store keeps an Argon2id hash of each password (hashed by
// the caller, crypto/password.hpp), the TOTP secret sealed under the data
// keys as phone numbers are, only hashes of recovery codes and of session
// tokens: a copy of the database lets nobody log in. Every login, failure,
// logout and change of an account goes into the audit log with the user.
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

// editor drafts; publisher approves, sends, cancels; admin manages users,
// keys, the audience and settings.
inline constexpr std::array<std::string_view, 3> staff_roles{"editor", "publisher", "admin"};
bool valid_staff_role(std::string_view role);

inline constexpr std::size_t max_staff_email_length = 254;  // RFC 5321's path limit
inline constexpr std::size_t max_staff_name_length = 100;

// The email as stored and looked up: trimmed, ASCII letters in lower case.
// nullopt for text that is not one plausible address (one '@', something
// either side, a dot in the domain, no spaces or control characters, at
// most max_staff_email_length bytes).
std::optional<std::string> normalise_staff_email(std::string_view email);

// What is wrong with a change to staff accounts, as the rules of this
// header and of the store say: the command line prints it in English (the
// store's std::invalid_argument), the console in Italian. One list, so the
// two refuse the same things.
enum class staff_problem {
  none,
  bad_email,      // not one plausible address (normalise_staff_email)
  email_taken,    // another account has it
  no_name,        // empty or blank
  bad_name,       // not UTF-8, or control characters
  name_too_long,  // more than max_staff_name_length characters
  bad_role,       // not one of staff_roles
  unknown_town,   // a town not in the catalogue
  not_found,      // no such account
  last_admin,     // it would leave no enabled admin
};
// The rules of a name alone (no_name, bad_name, name_too_long or none).
staff_problem check_staff_name(std::string_view name);

struct staff_user {
  std::int64_t id = 0;
  std::string email;
  std::string name;
  std::string role;
  std::vector<std::string> towns;  // town ids the user is limited to; empty: every town
  bool disabled = false;
  bool totp_enrolled = false;
  int recovery_codes_left = 0;
  int failed_logins = 0;  // since the last successful login
  std::int64_t created_at = 0;  // Unix milliseconds, as the times below
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> last_login_at;
};

// What a login checks, for the login code only: never rendered.
struct staff_credentials {
  staff_user user;
  std::string password_hash;
  std::optional<std::string> totp_secret;  // opened from its sealed form
  std::optional<std::int64_t> totp_last_step;
};

struct new_staff_user {
  std::string email;
  std::string name;
  std::string role;
  std::vector<std::string> towns;
  std::string password_hash;  // Argon2id, crypto::hash_password
};

// How long a session lives: idle (since the last request) and absolute
// (since the login), from config/console_settings.hpp.
struct session_limits {
  std::int64_t idle_ms = 30 * 60 * 1000;
  std::int64_t absolute_ms = 12 * 3600 * 1000;
};

// A session token is 32 random bytes (libsodium), base64url: 43 characters.
inline constexpr std::size_t session_token_bytes = 32;
inline constexpr std::size_t session_token_length = 43;
bool well_formed_session_token(std::string_view text);

struct created_session {
  std::int64_t id = 0;
  std::string token;  // for the cookie; only its SHA-256 is stored
  std::int64_t expires_at = 0;  // absolute
};

struct staff_session {
  std::int64_t id = 0;
  staff_user user;
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
  std::int64_t expires_at = 0;  // absolute
};

// Why a login failed, as the audit log records it (the person is told the
// same thing in every case).
enum class login_failure { unknown_account, wrong_password, disabled, wrong_code, throttled };
std::string_view to_string(login_failure f);

// What the console asks, one transaction each, on the database thread.
class staff_accounts {
 public:
  virtual ~staff_accounts() = default;

  // The account of this email (normalised first), disabled or not; nullopt
  // when there is none or the email is malformed.
  virtual boost::asio::awaitable<std::optional<staff_credentials>> find_for_login(std::string email) = 0;
  // A login passed every check: failures reset, last login noted, audit
  // "staff.login". rehashed: a new hash of the same password at today's
  // cost (crypto::password_needs_rehash), stored in its place.
  virtual boost::asio::awaitable<void> login_succeeded(std::int64_t user_id, std::optional<std::string> rehashed,
                                                        std::int64_t now_ms) = 0;
  // A refused login, audit "staff.login_failed". user_id is the account's
  // when one was found; the text typed as email is never recorded for an
  // unknown account (it may be a password typed in the wrong field).
  virtual boost::asio::awaitable<void> login_failed(std::optional<std::int64_t> user_id, login_failure why,
                                                    std::int64_t now_ms) = 0;
  // Records step as the user's last accepted TOTP step, only if it is
  // later than the one stored: false when it is not (the code was just
  // used, by a concurrent login too).
  virtual boost::asio::awaitable<bool> accept_totp_step(std::int64_t user_id, std::int64_t step,
                                                        std::int64_t now_ms) = 0;
  // Uses up the recovery code with this hash (crypto::recovery_code_hash);
  // false when the user has no such code left.
  virtual boost::asio::awaitable<bool> use_recovery_code(std::int64_t user_id, std::string code_hash,
                                                         std::int64_t now_ms) = 0;

  virtual boost::asio::awaitable<created_session> create_session(std::int64_t user_id, session_limits limits,
                                                                 std::int64_t now_ms) = 0;
  // The live session of this token, its last use noted; nullopt (and the
  // row deleted) when it is unknown, idle too long, past its absolute
  // expiry, or its user is disabled.
  virtual boost::asio::awaitable<std::optional<staff_session>> check_session(std::string token,
                                                                            session_limits limits,
                                                                            std::int64_t now_ms) = 0;
  // Logout: false when no session had this token. Audit "staff.logout".
  virtual boost::asio::awaitable<bool> end_session(std::string token, std::int64_t now_ms) = 0;
  // Every session of the user but the one of keep_token; how many ended.
  virtual boost::asio::awaitable<int> end_other_sessions(std::int64_t user_id, std::string keep_token,
                                                         std::int64_t now_ms) = 0;
  // The user's new password hash; every other session of theirs ends.
  // Audit "staff.password". Returns the sessions ended.
  virtual boost::asio::awaitable<int> change_password(std::int64_t user_id, std::string password_hash,
                                                      std::string keep_token, std::int64_t now_ms) = 0;
  // A second factor the user enrolled themself and confirmed with one of
  // its codes, taken at accepted_step: the secret (raw bytes, sealed by
  // the store) and the recovery codes' hashes replace any earlier ones,
  // and accepted_step becomes the last step used, so the confirming code
  // cannot open a login too. Audit "staff.totp_enroll".
  virtual boost::asio::awaitable<void> enroll_own_totp(std::int64_t user_id, std::string secret,
                                                       std::vector<std::string> recovery_code_hashes,
                                                       std::int64_t accepted_step, std::int64_t now_ms) = 0;
};

// What an administrator does from the command line. actor names who acts in the audit log ("cli", or a staff
// email). Methods taking an email normalise it; false: no such account.
class staff_admin {
 public:
  virtual ~staff_admin() = default;
  // Throws std::invalid_argument, saying what is wrong, for a malformed
  // email, an email already taken, an empty or too long name, an unknown
  // role or an unknown town. Audit "staff.create".
  virtual std::int64_t create_user(const new_staff_user& user, std::string_view actor, std::int64_t now_ms) = 0;
  virtual std::vector<staff_user> list_users() = 0;
  virtual std::optional<staff_user> find_user(std::string_view email) = 0;
  // Disabling ends the user's sessions at once. Audit "staff.disable" /
  // "staff.enable".
  virtual bool set_disabled(std::string_view email, bool disabled, std::string_view actor, std::int64_t now_ms) = 0;
  // Throws std::invalid_argument for an unknown role. Audit "staff.role".
  virtual bool set_role(std::string_view email, std::string_view role, std::string_view actor,
                        std::int64_t now_ms) = 0;
  // A new password hash (a temporary password); every session of the user
  // ends. Audit "staff.reset_password".
  virtual bool reset_password(std::string_view email, std::string_view password_hash, std::string_view actor,
                              std::int64_t now_ms) = 0;
  // A new TOTP secret (raw bytes, sealed by the store) and the hashes of
  // new recovery codes, replacing any earlier ones. Audit "staff.totp_enroll".
  virtual bool enroll_totp(std::string_view email, std::string_view secret,
                           const std::vector<std::string>& recovery_code_hashes, std::string_view actor,
                           std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

namespace banditore::store {

// The outcome of a change the console's admin pages ask: done, or the
// problem, and for unknown_town the town meant.
struct staff_change {
  staff_problem problem = staff_problem::none;
  std::int64_t id = 0;  // the account's
  std::string detail;
  bool ok() const { return problem == staff_problem::none; }
};

// What an administrator does in the console: the same store calls as
// staff_admin, one transaction each on the database thread, addressed by
// the account's id, and refusing (last_admin) to disable or demote the
// last enabled admin. The command line may still do that: it is how an
// operator recovers the console. actor is "staff:<email>" in the audit log.
class staff_directory {
 public:
  virtual ~staff_directory() = default;
  virtual boost::asio::awaitable<std::vector<staff_user>> staff_users() = 0;
  // Audit "staff.create".
  virtual boost::asio::awaitable<staff_change> add_staff_user(new_staff_user user, std::string actor,
                                                              std::int64_t now_ms) = 0;
  // Role and towns at once. Audit "staff.role" and "staff.towns" for what changed.
  virtual boost::asio::awaitable<staff_change> set_staff_access(std::int64_t id, std::string role,
                                                                std::vector<std::string> towns, std::string actor,
                                                                std::int64_t now_ms) = 0;
  // Disabling ends the account's sessions. Audit "staff.disable" / "staff.enable".
  virtual boost::asio::awaitable<staff_change> set_staff_disabled(std::int64_t id, bool disabled, std::string actor,
                                                                  std::int64_t now_ms) = 0;
  // Every session of the account ends. Audit "staff.reset_password".
  virtual boost::asio::awaitable<staff_change> reset_staff_password(std::int64_t id, std::string password_hash,
                                                                    std::string actor, std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

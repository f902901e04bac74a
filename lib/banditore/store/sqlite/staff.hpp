// Staff accounts, recovery codes and sessions in SQLite (store/staff.hpp
// says what each call promises). The TOTP secret is sealed through
// live_keys, inside the transaction that stores it, as phone numbers are.
#pragma once

#include <banditore/store/staff.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

class live_keys;

// Runs on the database thread; each call is one savepoint, so it joins the
// caller's transaction when one is open.
class staff_store {
 public:
  staff_store(SQLite::Database& db, live_keys& keys);
  ~staff_store();
  staff_store(const staff_store&) = delete;
  staff_store& operator=(const staff_store&) = delete;

  // staff_admin
  std::int64_t create_user(const new_staff_user& user, std::string_view actor, std::int64_t now_ms);
  std::vector<staff_user> list_users();
  std::optional<staff_user> find_user(std::string_view email);
  bool set_disabled(std::string_view email, bool disabled, std::string_view actor, std::int64_t now_ms);
  bool set_role(std::string_view email, std::string_view role, std::string_view actor, std::int64_t now_ms);
  bool reset_password(std::string_view email, std::string_view password_hash, std::string_view actor,
                      std::int64_t now_ms);
  bool enroll_totp(std::string_view email, std::string_view secret, const std::vector<std::string>& code_hashes,
                   std::string_view actor, std::int64_t now_ms);

  // staff_directory (by id; the last enabled admin is kept)
  staff_change add_user(const new_staff_user& user, std::string_view actor, std::int64_t now_ms);
  staff_change set_access(std::int64_t id, std::string_view role, const std::vector<std::string>& towns,
                          std::string_view actor, std::int64_t now_ms);
  staff_change set_disabled_by_id(std::int64_t id, bool disabled, std::string_view actor, std::int64_t now_ms);
  staff_change reset_password_by_id(std::int64_t id, std::string_view password_hash, std::string_view actor,
                                    std::int64_t now_ms);

  // staff_accounts
  std::optional<staff_credentials> find_for_login(std::string_view email);
  void login_succeeded(std::int64_t user_id, const std::optional<std::string>& rehashed, std::int64_t now_ms);
  void login_failed(std::optional<std::int64_t> user_id, login_failure why, std::int64_t now_ms);
  bool accept_totp_step(std::int64_t user_id, std::int64_t step, std::int64_t now_ms);
  bool use_recovery_code(std::int64_t user_id, std::string_view code_hash, std::int64_t now_ms);
  created_session create_session(std::int64_t user_id, const session_limits& limits, std::int64_t now_ms);
  std::optional<staff_session> check_session(std::string_view token, const session_limits& limits,
                                             std::int64_t now_ms);
  bool end_session(std::string_view token, std::int64_t now_ms);
  int end_other_sessions(std::int64_t user_id, std::string_view keep_token, std::int64_t now_ms);
  int change_password(std::int64_t user_id, std::string_view password_hash, std::string_view keep_token,
                      std::int64_t now_ms);
  void enroll_own_totp(std::int64_t user_id, std::string_view secret, const std::vector<std::string>& code_hashes,
                       std::int64_t accepted_step, std::int64_t now_ms);

  // last_seen_at is written at most this often: knowing a session was used
  // this minute is enough for a 30-minute idle limit, and it spares a write
  // on every page.
  static constexpr std::int64_t last_seen_resolution_ms = 60'000;

 private:
  std::optional<staff_user> user_by_id(std::int64_t id);
  std::optional<std::int64_t> id_of(std::string_view email);
  std::optional<std::string> unknown_town(const std::vector<std::string>& towns);
  bool another_admin(std::int64_t id);  // an enabled admin other than this account
  int end_sessions_of(std::int64_t user_id, std::string_view keep_hash);
  void store_totp(std::int64_t user_id, std::string_view secret, const std::vector<std::string>& code_hashes,
                  std::optional<std::int64_t> accepted_step, std::string_view actor, std::int64_t now_ms);

  SQLite::Database& db_;
  live_keys& keys_;
  struct statements;
  std::unique_ptr<statements> st_;
};

}  // namespace banditore::store::sqlite

// A staff login, start to end, with no HTML: the throttle, the password
// (Argon2id), the second factor (a TOTP code or a recovery code), the
// audit log and the new session. Every refusal reads the same and takes
// the same time whether the account exists, is disabled or the password
// is wrong: an unknown email is checked against a dummy hash of the same
// cost. The console's login page calls login() and renders the result.
#pragma once

#include <banditore/app/login_throttle.hpp>
#include <banditore/crypto/password.hpp>
#include <banditore/crypto/totp.hpp>
#include <banditore/store/staff.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace banditore::app {

struct staff_login_options {
  store::session_limits limits;
  crypto::password_cost cost = crypto::interactive_password_cost();
  crypto::totp_params totp;
  // Publishers and admins must have a second factor: logged in without
  // one, they are sent to enrol before anything else (must_enrol_totp).
  bool require_totp = true;
};

struct login_request {
  std::string email;
  std::string password;
  std::string code;  // TOTP code or recovery code; empty on the first try
  std::string address;  // the client's, for the throttle
};

enum class login_outcome { ok, refused, throttled, code_needed };

struct login_result {
  login_outcome outcome = login_outcome::refused;
  std::string message;  // Italian, for the page; empty when ok
  std::optional<store::created_session> session;
  std::optional<store::staff_user> user;
  bool must_enrol_totp = false;
  bool used_recovery_code = false;
};

inline constexpr std::string_view login_refused_message = "Email o password non corretti.";
inline constexpr std::string_view code_needed_message = "Inserisci il codice dell'app di autenticazione.";
inline constexpr std::string_view code_refused_message = "Codice non valido o già usato.";

// A signed-in user changing their own password (the console's «Il mio
// account»): the current one proves it is them, the new one passes the
// policy of domain/password_policy (the command line's), and every other
// session of theirs ends.
struct password_change {
  std::int64_t user_id = 0;
  std::string email;
  std::string current;
  std::string chosen;
  std::string repeated;
  std::string keep_token;  // the session that asks, which stays
  std::string address;     // the client's, for the throttle
};

enum class password_change_outcome { changed, wrong_password, throttled, refused, mismatch };
struct password_change_result {
  password_change_outcome outcome = password_change_outcome::refused;
  std::string message;      // Italian, for the page; empty when changed
  int sessions_ended = 0;
};

// A user enrolling their own second factor: the secret they were shown
// (raw bytes), a code their app made from it, and their password.
struct totp_enrolment {
  std::int64_t user_id = 0;
  std::string email;
  std::string password;
  std::string secret;
  std::string code;
  std::string address;
};

enum class totp_enrolment_outcome { enrolled, wrong_password, throttled, wrong_code };
struct totp_enrolment_result {
  totp_enrolment_outcome outcome = totp_enrolment_outcome::wrong_code;
  std::string message;                       // Italian; empty when enrolled
  std::vector<std::string> recovery_codes;   // shown once, then only their hashes exist
};

class staff_login {
 public:
  // hashing: where Argon2id runs (about a tenth of a second of CPU and 64
  // MiB), off the network thread; nullptr runs it inline (tests).
  staff_login(store::staff_accounts& store, login_throttle& throttle, staff_login_options options,
              boost::asio::thread_pool* hashing = nullptr);

  boost::asio::awaitable<login_result> login(login_request request, std::int64_t now_ms);

  const std::string& dummy_hash() const { return dummy_hash_; }

  // Throttled as logins are (a stolen session guessing the password): a
  // wrong current password counts as a failed login of the account.
  // Audited by the store as "staff.password".
  boost::asio::awaitable<password_change_result> change_password(password_change request, std::int64_t now_ms);
  // The code must be the secret's at now (one step either side, RFC 6238
  // section 5.2); only then the secret replaces any earlier one, with ten
  // new recovery codes. Audited as "staff.totp_enroll".
  boost::asio::awaitable<totp_enrolment_result> enrol_totp(totp_enrolment request, std::int64_t now_ms);
  const crypto::totp_params& totp() const { return options_.totp; }
  bool require_totp() const { return options_.require_totp; }
  // A new password's Argon2id hash at the login's cost, off the network
  // thread as a login's check is (an admin's reset or new account).
  boost::asio::awaitable<std::string> hash_new_password(std::string password);

 private:
  struct checked_password {
    bool matches = false;
    std::optional<std::string> rehashed;
  };
  boost::asio::awaitable<checked_password> check_password(std::string stored, std::string password);
  boost::asio::awaitable<std::string> hash_on_pool(std::string password);
  // Whether password is the account's, throttled; message set when not.
  boost::asio::awaitable<bool> proves_owner(const std::string& email, const std::string& address,
                                            const std::string& password, std::int64_t now_ms, bool& throttled,
                                            std::string& message);
  boost::asio::awaitable<login_result> refuse(const login_request& request, std::optional<std::int64_t> user_id,
                                              store::login_failure why, std::string_view message,
                                              std::int64_t now_ms);

  store::staff_accounts& store_;
  login_throttle& throttle_;
  staff_login_options options_;
  boost::asio::thread_pool* hashing_;
  std::string dummy_hash_;
};

// Whether a role must have a second factor when the deployment requires
// one: publishers and admins can send to every citizen.
bool role_needs_totp(std::string_view role);

}  // namespace banditore::app

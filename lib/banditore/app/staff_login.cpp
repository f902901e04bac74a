#include <banditore/app/staff_login.hpp>

#include <banditore/crypto/recovery_codes.hpp>
#include <banditore/domain/password_policy.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace banditore::app {

namespace asio = boost::asio;

bool role_needs_totp(std::string_view role) { return role == "publisher" || role == "admin"; }

staff_login::staff_login(store::staff_accounts& store, login_throttle& throttle, staff_login_options options,
                         asio::thread_pool* hashing)
    : store_(store),
      throttle_(throttle),
      options_(options),
      hashing_(hashing),
      // A password nobody knows, hashed once at the real cost: what an
      // unknown email is checked against.
      dummy_hash_(crypto::hash_password(crypto::base64url(crypto::sodium_random_bytes(24)), options.cost)) {}

asio::awaitable<staff_login::checked_password> staff_login::check_password(std::string stored, std::string password) {
  const auto cost = options_.cost;
  auto work = [stored = std::move(stored), password = std::move(password), cost]() {
    checked_password out;
    out.matches = crypto::verify_password(stored, password);
    if (out.matches && crypto::password_needs_rehash(stored, cost)) out.rehashed = crypto::hash_password(password, cost);
    return out;
  };
  if (!hashing_) co_return work();
  // Named before the co_await (g++ 12 and temporaries in a co_await
  // expression, STYLE.md); the result comes back on this coroutine's executor.
  auto on_pool = [work = std::move(work)]() -> asio::awaitable<checked_password> { co_return work(); };
  auto pool = hashing_->get_executor();
  auto result = co_await asio::co_spawn(pool, std::move(on_pool), asio::use_awaitable);
  co_return result;
}

asio::awaitable<std::string> staff_login::hash_new_password(std::string password) {
  const auto cost = options_.cost;
  auto work = [password = std::move(password), cost]() { return crypto::hash_password(password, cost); };
  if (!hashing_) co_return work();
  auto on_pool = [work = std::move(work)]() -> asio::awaitable<std::string> { co_return work(); };
  auto pool = hashing_->get_executor();
  auto result = co_await asio::co_spawn(pool, std::move(on_pool), asio::use_awaitable);
  co_return result;
}

asio::awaitable<login_result> staff_login::refuse(const login_request& request, std::optional<std::int64_t> user_id,
                                                  store::login_failure why, std::string_view message,
                                                  std::int64_t now_ms) {
  throttle_.failed(request.email, request.address, now_ms);
  co_await store_.login_failed(user_id, why, now_ms);
  login_result r;
  r.outcome = login_outcome::refused;
  r.message = std::string(message);
  co_return r;
}

asio::awaitable<login_result> staff_login::login(login_request request, std::int64_t now_ms) {
  // Refused before any lookup or hash: a guesser costs a map lookup. Not
  // written to the audit log, which a flood would otherwise fill.
  if (const auto wait = throttle_.wait_ms(request.email, request.address, now_ms); wait > 0) {
    login_result r;
    r.outcome = login_outcome::throttled;
    r.message = throttled_message(wait);
    co_return r;
  }
  const auto found = co_await store_.find_for_login(request.email);
  std::string stored = found ? found->password_hash : dummy_hash_;
  const auto checked = co_await check_password(std::move(stored), request.password);
  if (!found) {
    auto r = co_await refuse(request, std::nullopt, store::login_failure::unknown_account, login_refused_message,
                             now_ms);
    co_return r;
  }
  const auto user_id = found->user.id;
  if (!checked.matches) {
    auto r = co_await refuse(request, user_id, store::login_failure::wrong_password, login_refused_message, now_ms);
    co_return r;
  }
  // Same words as a wrong password: a disabled account is not confirmed
  // to exist to whoever holds its password.
  if (found->user.disabled) {
    auto r = co_await refuse(request, user_id, store::login_failure::disabled, login_refused_message, now_ms);
    co_return r;
  }

  login_result result;
  if (found->totp_secret) {
    if (request.code.empty()) {
      result.outcome = login_outcome::code_needed;
      result.message = std::string(code_needed_message);
      co_return result;
    }
    bool passed = false;
    const auto step = crypto::totp_accept(*found->totp_secret, request.code, now_ms / 1000, found->totp_last_step,
                                          options_.totp);
    // The store takes the step only if it is later than the last taken,
    // so two logins racing with one code cannot both pass.
    if (step) passed = co_await store_.accept_totp_step(user_id, *step, now_ms);
    if (!passed && !step) {
      if (auto h = crypto::recovery_code_hash(request.code)) {
        passed = co_await store_.use_recovery_code(user_id, *h, now_ms);
        result.used_recovery_code = passed;
      }
    }
    if (!passed) {
      auto r = co_await refuse(request, user_id, store::login_failure::wrong_code, code_refused_message, now_ms);
      co_return r;
    }
  } else {
    result.must_enrol_totp = options_.require_totp && role_needs_totp(found->user.role);
  }

  throttle_.succeeded(request.email);
  co_await store_.login_succeeded(user_id, checked.rehashed, now_ms);
  result.session = co_await store_.create_session(user_id, options_.limits, now_ms);
  result.user = found->user;
  result.outcome = login_outcome::ok;
  co_return result;
}

asio::awaitable<std::string> staff_login::hash_on_pool(std::string password) {
  const auto cost = options_.cost;
  auto work = [password = std::move(password), cost]() { return crypto::hash_password(password, cost); };
  if (!hashing_) co_return work();
  auto on_pool = [work = std::move(work)]() -> asio::awaitable<std::string> { co_return work(); };
  auto pool = hashing_->get_executor();
  auto result = co_await asio::co_spawn(pool, std::move(on_pool), asio::use_awaitable);
  co_return result;
}

asio::awaitable<bool> staff_login::proves_owner(const std::string& email, const std::string& address,
                                                const std::string& password, std::int64_t now_ms, bool& throttled,
                                                std::string& message) {
  if (const auto wait = throttle_.wait_ms(email, address, now_ms); wait > 0) {
    throttled = true;
    message = throttled_message(wait);
    co_return false;
  }
  const auto found = co_await store_.find_for_login(email);
  std::string stored = found ? found->password_hash : dummy_hash_;
  const auto checked = co_await check_password(std::move(stored), password);
  if (found && checked.matches) co_return true;
  throttle_.failed(email, address, now_ms);
  const std::optional<std::int64_t> user_id = found ? std::optional<std::int64_t>(found->user.id) : std::nullopt;
  co_await store_.login_failed(user_id, store::login_failure::wrong_password, now_ms);
  message = "La password attuale non è corretta.";
  co_return false;
}

asio::awaitable<password_change_result> staff_login::change_password(password_change request, std::int64_t now_ms) {
  password_change_result out;
  // The cheap checks first: a new password the policy refuses costs no hash.
  if (request.chosen != request.repeated) {
    out.outcome = password_change_outcome::mismatch;
    out.message = "Le due nuove password non coincidono.";
    co_return out;
  }
  const auto verdict = domain::check_password(request.chosen, request.email);
  if (!verdict.ok()) {
    out.outcome = password_change_outcome::refused;
    out.message = verdict.message;
    co_return out;
  }
  bool throttled = false;
  const bool owner =
      co_await proves_owner(request.email, request.address, request.current, now_ms, throttled, out.message);
  if (!owner) {
    out.outcome = throttled ? password_change_outcome::throttled : password_change_outcome::wrong_password;
    co_return out;
  }
  auto hash = co_await hash_on_pool(request.chosen);
  out.sessions_ended = co_await store_.change_password(request.user_id, std::move(hash), request.keep_token, now_ms);
  out.outcome = password_change_outcome::changed;
  co_return out;
}

asio::awaitable<totp_enrolment_result> staff_login::enrol_totp(totp_enrolment request, std::int64_t now_ms) {
  totp_enrolment_result out;
  bool throttled = false;
  const bool owner =
      co_await proves_owner(request.email, request.address, request.password, now_ms, throttled, out.message);
  if (!owner) {
    out.outcome = throttled ? totp_enrolment_outcome::throttled : totp_enrolment_outcome::wrong_password;
    co_return out;
  }
  const auto step = crypto::totp_accept(request.secret, request.code, now_ms / 1000, std::nullopt, options_.totp);
  if (!step) {
    out.outcome = totp_enrolment_outcome::wrong_code;
    out.message = "Il codice non corrisponde: controlla che l'ora del telefono sia giusta e scrivi il codice che "
                  "l'app mostra ora.";
    co_return out;
  }
  out.recovery_codes = crypto::new_recovery_codes();
  std::vector<std::string> hashes;
  for (const auto& c : out.recovery_codes) hashes.push_back(*crypto::recovery_code_hash(c));
  co_await store_.enroll_own_totp(request.user_id, std::move(request.secret), std::move(hashes), *step, now_ms);
  out.outcome = totp_enrolment_outcome::enrolled;
  co_return out;
}

}  // namespace banditore::app

#include <banditore/app/staff_login.hpp>

#include "../fake_store.hpp"
#include "../run_blocking.hpp"

#include <banditore/crypto/recovery_codes.hpp>
#include <banditore/crypto/totp.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include <SQLiteCpp/Database.h>

#include <doctest/doctest.h>

#include <boost/asio/thread_pool.hpp>

using namespace banditore;
using namespace banditore::app;
using banditore::testing::fake_store;
using banditore::testing::run_blocking;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;
constexpr std::int64_t minute = 60'000;
const std::string password = "una frase lunga e strana";
const std::string secret = "12345678901234567890";

// The fake clock is the now_ms each call is given.
struct fixture {
  fake_store store;
  login_throttle throttle;
  staff_login_options options = [] {
    staff_login_options o;
    o.cost = crypto::minimum_password_cost();
    return o;
  }();
  staff_login login{store, throttle, options};

  std::int64_t add(std::string email, std::string role = "editor") {
    return store.create_user({email, "Maria Rossi", role, {}, crypto::hash_password(password, options.cost)}, "cli",
                             t0);
  }
  login_result try_login(std::string email, std::string pw, std::int64_t now, std::string code = {},
                         std::string address = "192.0.2.1") {
    return run_blocking(login.login({email, pw, code, address}, now));
  }
  std::string last_action() const { return store.audit.back().second; }
};

}  // namespace

TEST_CASE("the right password opens a session, and the audit log records the login") {
  fixture f;
  const auto id = f.add("m.rossi@comune.it");
  const auto r = f.try_login("M.Rossi@comune.it", password, t0);
  REQUIRE(r.outcome == login_outcome::ok);
  REQUIRE(r.session);
  CHECK(r.user->id == id);
  CHECK(r.message.empty());
  CHECK_FALSE(r.must_enrol_totp);
  CHECK(f.last_action() == "staff.login");
  CHECK(run_blocking(f.store.check_session(r.session->token, f.options.limits, t0 + minute)));
}

TEST_CASE("a wrong password and an unknown email get the same answer, and both are audited") {
  fixture f;
  f.add("m.rossi@comune.it");
  const auto wrong = f.try_login("m.rossi@comune.it", "not the password", t0);
  CHECK(f.store.audit.back() == std::pair<std::string, std::string>{"m.rossi@comune.it", "staff.login_failed"});
  const auto unknown = f.try_login("nobody@comune.it", password, t0);
  CHECK(f.store.audit.back() == std::pair<std::string, std::string>{"anonymous", "staff.login_failed"});
  CHECK(wrong.outcome == login_outcome::refused);
  CHECK(unknown.outcome == login_outcome::refused);
  CHECK(wrong.message == "Email o password non corretti.");
  CHECK(unknown.message == wrong.message);
  CHECK_FALSE(wrong.session);
  CHECK_FALSE(unknown.session);
}

TEST_CASE("an unknown email is checked against a dummy hash of the real cost, so it takes as long") {
  fixture f;
  CHECK(f.login.dummy_hash().starts_with("$argon2id$"));
  CHECK_FALSE(crypto::password_needs_rehash(f.login.dummy_hash(), f.options.cost));
  // At the service's cost the dummy is as costly as a real staff hash.
  staff_login real(f.store, f.throttle, staff_login_options{});
  CHECK_FALSE(crypto::password_needs_rehash(real.dummy_hash(), crypto::interactive_password_cost()));
}

TEST_CASE("a disabled account is refused with the same words, even with its password") {
  fixture f;
  f.add("m.rossi@comune.it");
  f.store.set_disabled("m.rossi@comune.it", true, "cli", t0);
  const auto r = f.try_login("m.rossi@comune.it", password, t0);
  CHECK(r.outcome == login_outcome::refused);
  CHECK(r.message == "Email o password non corretti.");
}

TEST_CASE("five wrong passwords hold the account back for 3 minutes, known or not, with the Italian message") {
  fixture f;
  f.add("m.rossi@comune.it");
  for (int i = 0; i < 5; ++i) {
    CHECK(f.try_login("m.rossi@comune.it", "wrong", t0).outcome == login_outcome::refused);
    CHECK(f.try_login("nobody@comune.it", "wrong", t0, {}, "192.0.2.2").outcome == login_outcome::refused);
  }
  const auto audited = f.store.audit.size();
  // Even the right password waits: the guesser must not learn it was right.
  const auto held = f.try_login("m.rossi@comune.it", password, t0 + minute);
  CHECK(held.outcome == login_outcome::throttled);
  CHECK(held.message == "Troppi tentativi: riprova tra 2 minuti.");
  const auto unknown = f.try_login("nobody@comune.it", password, t0 + minute, {}, "192.0.2.2");
  CHECK(unknown.outcome == login_outcome::throttled);
  CHECK(unknown.message == held.message);
  CHECK(f.store.audit.size() == audited);
  // Three minutes after the last failure, one try is allowed again.
  CHECK(f.try_login("m.rossi@comune.it", password, t0 + 3 * minute).outcome == login_outcome::ok);
}

TEST_CASE("with TOTP enrolled the password alone asks for the code, and the code opens the session") {
  fixture f;
  f.add("m.rossi@comune.it", "publisher");
  f.store.enroll_totp("m.rossi@comune.it", secret, {}, "cli", t0);
  const auto first = f.try_login("m.rossi@comune.it", password, t0);
  CHECK(first.outcome == login_outcome::code_needed);
  CHECK(first.message == "Inserisci il codice dell'app di autenticazione.");
  CHECK_FALSE(first.session);
  const auto code = crypto::totp(secret, t0 / 1000);
  const auto second = f.try_login("m.rossi@comune.it", password, t0 + 1000, code);
  CHECK(second.outcome == login_outcome::ok);
  CHECK(second.session);
}

TEST_CASE("a TOTP code is refused the second time, and a wrong code counts as a failure") {
  fixture f;
  f.add("m.rossi@comune.it", "publisher");
  f.store.enroll_totp("m.rossi@comune.it", secret, {}, "cli", t0);
  const auto code = crypto::totp(secret, t0 / 1000);
  CHECK(f.try_login("m.rossi@comune.it", password, t0, code).outcome == login_outcome::ok);
  const auto replay = f.try_login("m.rossi@comune.it", password, t0 + 2000, code);
  CHECK(replay.outcome == login_outcome::refused);
  CHECK(replay.message == "Codice non valido o già usato.");
  CHECK(f.store.audit.back().second == "staff.login_failed");
  // The wrong password never reaches the code: same answer as always.
  CHECK(f.try_login("m.rossi@comune.it", "wrong", t0 + 2000, code).message == "Email o password non corretti.");
}

TEST_CASE("a recovery code stands in for the TOTP code, once") {
  fixture f;
  f.add("m.rossi@comune.it", "admin");
  const auto codes = crypto::new_recovery_codes();
  std::vector<std::string> hashes;
  for (const auto& c : codes) hashes.push_back(*crypto::recovery_code_hash(c));
  f.store.enroll_totp("m.rossi@comune.it", secret, hashes, "cli", t0);
  const auto used = f.try_login("m.rossi@comune.it", password, t0, codes[2]);
  CHECK(used.outcome == login_outcome::ok);
  CHECK(used.used_recovery_code);
  CHECK(f.store.find_user("m.rossi@comune.it")->recovery_codes_left == 9);
  CHECK(f.try_login("m.rossi@comune.it", password, t0, codes[2]).outcome == login_outcome::refused);
}

TEST_CASE("a publisher or admin without a second factor is told to enrol; an editor is not") {
  fixture f;
  f.add("p@comune.it", "publisher");
  f.add("e@comune.it", "editor");
  CHECK(f.try_login("p@comune.it", password, t0).must_enrol_totp);
  CHECK_FALSE(f.try_login("e@comune.it", password, t0).must_enrol_totp);
  f.options.require_totp = false;
  staff_login optional(f.store, f.throttle, f.options);
  CHECK_FALSE(run_blocking(optional.login({"p@comune.it", password, "", "192.0.2.1"}, t0)).must_enrol_totp);
}

TEST_CASE("a hash of an older cost is replaced at login by one of today's cost") {
  fixture f;
  f.add("m.rossi@comune.it");
  f.options.cost = {2, 16 * 1024};
  staff_login stronger(f.store, f.throttle, f.options);
  CHECK(run_blocking(stronger.login({"m.rossi@comune.it", password, "", "192.0.2.1"}, t0)).outcome ==
        login_outcome::ok);
  const auto stored = run_blocking(f.store.find_for_login("m.rossi@comune.it"))->password_hash;
  CHECK_FALSE(crypto::password_needs_rehash(stored, f.options.cost));
  CHECK(crypto::verify_password(stored, password));
}

TEST_CASE("Argon2id runs on the hashing pool and the answer comes back") {
  fixture f;
  f.add("m.rossi@comune.it");
  boost::asio::thread_pool pool(1);
  staff_login pooled(f.store, f.throttle, f.options, &pool);
  CHECK(run_blocking(pooled.login({"m.rossi@comune.it", password, "", "192.0.2.1"}, t0)).outcome ==
        login_outcome::ok);
  CHECK(run_blocking(pooled.login({"m.rossi@comune.it", "wrong", "", "192.0.2.1"}, t0)).outcome ==
        login_outcome::refused);
  pool.join();
}

TEST_CASE("against the SQLite engine: login with TOTP, a session, logout, and a password change ending the others") {
  auto connection = store::sqlite::open_database(":memory:");
  store::sqlite::migrate(*connection);
  store::sqlite::engine engine(std::move(connection), crypto::generate_data_keys(), store::sqlite::engine_options{});
  staff_login_options options;
  options.cost = crypto::minimum_password_cost();
  login_throttle throttle;
  staff_login login(engine, throttle, options);
  store::staff_admin& admin = engine;

  const auto id = admin.create_user(
      {"m.rossi@comune.it", "Maria Rossi", "publisher", {}, crypto::hash_password(password, options.cost)}, "cli", t0);
  REQUIRE(admin.enroll_totp("m.rossi@comune.it", secret, {}, "cli", t0));

  CHECK(run_blocking(login.login({"m.rossi@comune.it", password, "", "192.0.2.1"}, t0)).outcome ==
        login_outcome::code_needed);
  const auto code = crypto::totp(secret, t0 / 1000);
  const auto first = run_blocking(login.login({"m.rossi@comune.it", password, code, "192.0.2.1"}, t0));
  REQUIRE(first.outcome == login_outcome::ok);
  CHECK(first.user->id == id);
  // The same code again, from another browser: refused.
  CHECK(run_blocking(login.login({"m.rossi@comune.it", password, code, "192.0.2.2"}, t0 + 1000)).outcome ==
        login_outcome::refused);
  CHECK(admin.list_users().front().failed_logins == 1);
  const auto next = crypto::totp(secret, t0 / 1000 + 30);
  const auto second = run_blocking(login.login({"m.rossi@comune.it", password, next, "192.0.2.2"}, t0 + 30'000));
  REQUIRE(second.outcome == login_outcome::ok);

  const auto limits = options.limits;
  const auto checked = run_blocking(engine.check_session(first.session->token, limits, t0 + minute));
  REQUIRE(checked);
  CHECK(checked->user.email == "m.rossi@comune.it");
  CHECK(checked->user.last_login_at == t0 + 30'000);

  const auto new_hash = crypto::hash_password("un'altra frase lunga e strana", options.cost);
  CHECK(run_blocking(engine.change_password(id, new_hash, first.session->token, t0 + minute)) == 1);
  CHECK_FALSE(run_blocking(engine.check_session(second.session->token, limits, t0 + minute)));
  CHECK(run_blocking(engine.end_session(first.session->token, t0 + minute)));
  CHECK_FALSE(run_blocking(engine.check_session(first.session->token, limits, t0 + minute)));
  // The failure was counted, and the next success cleared it.
  CHECK(admin.list_users().front().failed_logins == 0);
}

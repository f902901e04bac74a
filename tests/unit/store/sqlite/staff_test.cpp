#include <banditore/store/sqlite/staff.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/crypto/recovery_codes.hpp>
#include <banditore/crypto/sealed_box.hpp>
#include <banditore/store/sqlite/audit.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/key_rotation.hpp>
#include <banditore/store/sqlite/live_keys.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <memory>
#include <stdexcept>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;
constexpr std::int64_t minute = 60'000;
const session_limits limits{30 * minute, 12 * 60 * minute};

struct fixture {
  std::unique_ptr<SQLite::Database> db = [] {
    auto d = open_database(":memory:");
    migrate(*d);
    d->exec("INSERT INTO towns (id, name) VALUES ('forli', 'Forlì'), ('cesena', 'Cesena')");
    return d;
  }();
  crypto::data_keys keys = crypto::generate_data_keys();
  live_keys live{*db, keys};
  staff_store staff{*db, live};

  std::int64_t add(std::string email = "m.rossi@comune.forli.it", std::string role = "editor") {
    return staff.create_user({email, "Maria Rossi", role, {}, "$argon2id$v=19$m=8,t=1,p=1$fake"}, "cli", t0);
  }
  std::string last_action() { return recent_audit(*db, 1).front().action; }
  audit_entry last_entry() { return recent_audit(*db, 1).front(); }
};

}  // namespace

TEST_CASE("a staff user is created with a lower-case email, and the audit log says who did it") {
  fixture f;
  const auto id = f.staff.create_user(
      {"  M.Rossi@Comune.Forli.IT ", "Maria Rossi", "publisher", {"forli"}, "$argon2id$fake"}, "cli", t0);
  const auto u = f.staff.find_user("m.rossi@comune.forli.it");
  REQUIRE(u);
  CHECK(u->id == id);
  CHECK(u->email == "m.rossi@comune.forli.it");
  CHECK(u->role == "publisher");
  CHECK(u->towns == std::vector<std::string>{"forli"});
  CHECK_FALSE(u->disabled);
  CHECK_FALSE(u->totp_enrolled);
  const auto e = f.last_entry();
  CHECK(e.action == "staff.create");
  CHECK(e.actor == "cli");
  CHECK(e.detail == fmt::format("user={} email=m.rossi@comune.forli.it role=publisher towns=forli", id));
}

TEST_CASE("creating a staff user refuses a taken email, a bad email, role, name or town, and stores nothing") {
  fixture f;
  f.add();
  CHECK_THROWS_WITH_AS(f.add("M.ROSSI@comune.forli.it"), "a staff user with the email m.rossi@comune.forli.it exists",
                       std::invalid_argument);
  CHECK_THROWS_AS(f.add("not-an-email"), std::invalid_argument);
  CHECK_THROWS_AS(f.add("a@b@c.it"), std::invalid_argument);
  CHECK_THROWS_AS(f.add("x@localhost"), std::invalid_argument);
  CHECK_THROWS_AS(f.add("x y@comune.it"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.add("b@comune.it", "mayor"), "unknown role 'mayor' (known: editor, publisher, admin)",
                       std::invalid_argument);
  CHECK_THROWS_AS(f.staff.create_user({"c@comune.it", "", "editor", {}, "$h"}, "cli", t0), std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.staff.create_user({"c@comune.it", "C", "editor", {"ravenna"}, "$h"}, "cli", t0),
                       "unknown town 'ravenna' (see banditore towns list)", std::invalid_argument);
  CHECK(f.staff.list_users().size() == 1);
  CHECK(f.last_action() == "staff.create");
}

TEST_CASE("the TOTP secret is sealed in the database and opens only for its own user") {
  fixture f;
  const auto id = f.add();
  const std::string secret = "12345678901234567890";
  const auto codes = crypto::new_recovery_codes();
  std::vector<std::string> hashes;
  for (const auto& c : codes) hashes.push_back(*crypto::recovery_code_hash(c));
  REQUIRE(f.staff.enroll_totp("m.rossi@comune.forli.it", secret, hashes, "cli", t0));
  CHECK(f.last_action() == "staff.totp_enroll");

  SQLite::Statement q(*f.db, "SELECT totp_cipher FROM staff_users WHERE id = :id");
  q.bind(":id", id);
  REQUIRE(q.executeStep());
  const std::string cipher(static_cast<const char*>(q.getColumn(0).getBlob()),
                           static_cast<std::size_t>(q.getColumn(0).getBytes()));
  CHECK(cipher.find(secret) == std::string::npos);
  CHECK(cipher.size() == secret.size() + crypto::sealed_box::overhead);
  // Moved to another row, it does not open.
  CHECK_FALSE(crypto::sealed_box(f.keys.encryption).open(cipher, "staff-totp:999"));

  const auto creds = f.staff.find_for_login("M.Rossi@comune.forli.it");
  REQUIRE(creds);
  CHECK(creds->totp_secret == secret);
  CHECK(creds->user.totp_enrolled);
  CHECK(creds->user.recovery_codes_left == 10);
  CHECK_FALSE(creds->totp_last_step);
}

TEST_CASE("a TOTP step is taken once, and never one at or before the last taken") {
  fixture f;
  const auto id = f.add();
  CHECK(f.staff.accept_totp_step(id, 100, t0));
  CHECK_FALSE(f.staff.accept_totp_step(id, 100, t0));
  CHECK_FALSE(f.staff.accept_totp_step(id, 99, t0));
  CHECK(f.staff.accept_totp_step(id, 101, t0));
  CHECK(f.staff.find_for_login("m.rossi@comune.forli.it")->totp_last_step == 101);
}

TEST_CASE("a recovery code works once, and enrolling again replaces every code") {
  fixture f;
  const auto id = f.add();
  const auto codes = crypto::new_recovery_codes();
  std::vector<std::string> hashes;
  for (const auto& c : codes) hashes.push_back(*crypto::recovery_code_hash(c));
  f.staff.enroll_totp("m.rossi@comune.forli.it", "12345678901234567890", hashes, "cli", t0);
  CHECK(f.staff.use_recovery_code(id, hashes[3], t0));
  CHECK(f.last_entry().detail == fmt::format("user={} left=9", id));
  CHECK_FALSE(f.staff.use_recovery_code(id, hashes[3], t0));
  CHECK(f.staff.find_user("m.rossi@comune.forli.it")->recovery_codes_left == 9);
  const auto other = f.add("other@comune.it");
  CHECK_FALSE(f.staff.use_recovery_code(other, hashes[4], t0));

  f.staff.enroll_totp("m.rossi@comune.forli.it", "abcdefghijklmnopqrst", {*crypto::recovery_code_hash(
                                                                            "aaaa-bbbb-cccc-dddd")},
                      "cli", t0);
  CHECK_FALSE(f.staff.use_recovery_code(id, hashes[4], t0));
  CHECK(f.staff.find_user("m.rossi@comune.forli.it")->recovery_codes_left == 1);
}

TEST_CASE("a session token is random, stored only as its SHA-256, and checks back to its user") {
  fixture f;
  const auto id = f.add();
  const auto s = f.staff.create_session(id, limits, t0);
  CHECK(well_formed_session_token(s.token));
  CHECK(s.expires_at == t0 + 12 * 60 * minute);
  CHECK(f.staff.create_session(id, limits, t0).token != s.token);

  SQLite::Statement q(*f.db, "SELECT token_hash FROM staff_sessions WHERE id = :id");
  q.bind(":id", s.id);
  REQUIRE(q.executeStep());
  const auto d = crypto::sha256(s.token);
  CHECK(std::string(static_cast<const char*>(q.getColumn(0).getBlob()), 32) ==
        std::string(reinterpret_cast<const char*>(d.data()), 32));

  const auto checked = f.staff.check_session(s.token, limits, t0 + minute);
  REQUIRE(checked);
  CHECK(checked->user.id == id);
  CHECK(checked->user.email == "m.rossi@comune.forli.it");
  CHECK(checked->last_seen_at == t0 + minute);
  CHECK_FALSE(f.staff.check_session("not a token", limits, t0));
  CHECK_FALSE(f.staff.check_session(std::string(43, 'A'), limits, t0));
}

TEST_CASE("a session idle for 30 minutes ends, one in use lives until its absolute expiry") {
  fixture f;
  const auto id = f.add();
  const auto idle = f.staff.create_session(id, limits, t0);
  CHECK(f.staff.check_session(idle.token, limits, t0 + 29 * minute));
  CHECK_FALSE(f.staff.check_session(idle.token, limits, t0 + 59 * minute));
  // Gone for good: the row was deleted.
  CHECK_FALSE(f.staff.check_session(idle.token, limits, t0 + 30 * minute));

  const auto busy = f.staff.create_session(id, limits, t0);
  std::int64_t now = t0;
  for (; now < t0 + 12 * 60 * minute - 20 * minute; now += 20 * minute)
    CHECK(f.staff.check_session(busy.token, limits, now));
  CHECK_FALSE(f.staff.check_session(busy.token, limits, t0 + 12 * 60 * minute));
}

TEST_CASE("logout ends one session, writes the audit log, and a second logout finds nothing") {
  fixture f;
  const auto id = f.add();
  const auto a = f.staff.create_session(id, limits, t0);
  const auto b = f.staff.create_session(id, limits, t0);
  CHECK(f.staff.end_session(a.token, t0));
  const auto e = f.last_entry();
  CHECK(e.action == "staff.logout");
  CHECK(e.actor == "m.rossi@comune.forli.it");
  CHECK_FALSE(f.staff.end_session(a.token, t0));
  CHECK_FALSE(f.staff.check_session(a.token, limits, t0));
  CHECK(f.staff.check_session(b.token, limits, t0));
}

TEST_CASE("a password change ends every other session of the user and keeps the current one") {
  fixture f;
  const auto id = f.add();
  const auto other_user = f.add("b@comune.it");
  const auto current = f.staff.create_session(id, limits, t0);
  const auto elsewhere = f.staff.create_session(id, limits, t0);
  const auto also = f.staff.create_session(id, limits, t0);
  const auto someone_else = f.staff.create_session(other_user, limits, t0);
  CHECK(f.staff.change_password(id, "$argon2id$new", current.token, t0) == 2);
  CHECK(f.last_action() == "staff.password");
  CHECK(f.staff.check_session(current.token, limits, t0));
  CHECK_FALSE(f.staff.check_session(elsewhere.token, limits, t0));
  CHECK_FALSE(f.staff.check_session(also.token, limits, t0));
  CHECK(f.staff.check_session(someone_else.token, limits, t0));
  CHECK(f.staff.find_for_login("m.rossi@comune.forli.it")->password_hash == "$argon2id$new");
}

TEST_CASE("ending the other sessions keeps the current one") {
  fixture f;
  const auto id = f.add();
  const auto current = f.staff.create_session(id, limits, t0);
  const auto other = f.staff.create_session(id, limits, t0);
  CHECK(f.staff.end_other_sessions(id, current.token, t0) == 1);
  CHECK(f.staff.check_session(current.token, limits, t0));
  CHECK_FALSE(f.staff.check_session(other.token, limits, t0));
}

TEST_CASE("disabling a user ends their sessions and refuses them; enabling lets them log in again") {
  fixture f;
  const auto id = f.add();
  const auto s = f.staff.create_session(id, limits, t0);
  CHECK(f.staff.set_disabled("m.rossi@comune.forli.it", true, "cli", t0));
  CHECK(f.last_entry().detail == fmt::format("user={} sessions_ended=1", id));
  CHECK_FALSE(f.staff.check_session(s.token, limits, t0));
  CHECK(f.staff.find_for_login("m.rossi@comune.forli.it")->user.disabled);
  // A session made anyway (a login racing the disable) is refused.
  const auto late = f.staff.create_session(id, limits, t0);
  CHECK_FALSE(f.staff.check_session(late.token, limits, t0));
  CHECK(f.staff.set_disabled("m.rossi@comune.forli.it", false, "cli", t0));
  CHECK(f.last_action() == "staff.enable");
  CHECK_FALSE(f.staff.find_user("m.rossi@comune.forli.it")->disabled);
  CHECK_FALSE(f.staff.set_disabled("nobody@comune.it", true, "cli", t0));
}

TEST_CASE("an administrator resets a password, ending every session, and changes a role") {
  fixture f;
  const auto id = f.add();
  const auto s = f.staff.create_session(id, limits, t0);
  CHECK(f.staff.reset_password("m.rossi@comune.forli.it", "$argon2id$temp", "cli", t0));
  CHECK(f.last_action() == "staff.reset_password");
  CHECK_FALSE(f.staff.check_session(s.token, limits, t0));
  CHECK(f.staff.set_role("m.rossi@comune.forli.it", "admin", "cli", t0));
  CHECK(f.last_entry().detail == fmt::format("user={} role=admin", id));
  CHECK(f.staff.find_user("m.rossi@comune.forli.it")->role == "admin");
  CHECK_THROWS_AS(f.staff.set_role("m.rossi@comune.forli.it", "root", "cli", t0), std::invalid_argument);
  CHECK_FALSE(f.staff.set_role("nobody@comune.it", "admin", "cli", t0));
}

TEST_CASE("logins and failures are counted and written to the audit log with the user") {
  fixture f;
  const auto id = f.add();
  f.staff.login_failed(id, login_failure::wrong_password, t0);
  f.staff.login_failed(id, login_failure::wrong_code, t0);
  CHECK(f.staff.find_user("m.rossi@comune.forli.it")->failed_logins == 2);
  auto e = f.last_entry();
  CHECK(e.action == "staff.login_failed");
  CHECK(e.actor == "m.rossi@comune.forli.it");
  CHECK(e.detail == fmt::format("user={} reason=wrong_code", id));
  f.staff.login_succeeded(id, std::string("$argon2id$rehashed"), t0 + 5);
  const auto u = f.staff.find_for_login("m.rossi@comune.forli.it");
  CHECK(u->user.failed_logins == 0);
  CHECK(u->user.last_login_at == t0 + 5);
  CHECK(u->password_hash == "$argon2id$rehashed");
  CHECK(f.last_action() == "staff.login");
  // An unknown account: nothing typed is recorded.
  f.staff.login_failed(std::nullopt, login_failure::unknown_account, t0);
  e = f.last_entry();
  CHECK(e.actor == "anonymous");
  CHECK(e.detail == "reason=unknown_account");
}

TEST_CASE("a key rotation seals the TOTP secrets again under the new key") {
  fixture f;
  f.add();
  f.staff.enroll_totp("m.rossi@comune.forli.it", "12345678901234567890", {}, "cli", t0);
  const auto rotated = crypto::with_new_encryption_key(f.keys);
  const auto counts = reseal_pass(*f.db, rotated, 10);
  CHECK(counts.resealed == 1);
  CHECK(counts.unreadable == 0);
  // Only the new key is left, and the secret still opens.
  live_keys after{*f.db, crypto::data_keys{rotated.encryption, rotated.lookup, {}}};
  staff_store staff{*f.db, after};
  CHECK(staff.find_for_login("m.rossi@comune.forli.it")->totp_secret == "12345678901234567890");
}

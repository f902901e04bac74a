#include <banditore/store/sqlite/api_keys.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/store/sqlite/audit.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <memory>
#include <stdexcept>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

struct fixture {
  std::unique_ptr<SQLite::Database> db = [] {
    auto d = open_database(":memory:");
    migrate(*d);
    return d;
  }();
  api_key_store keys{*db};
};

const std::vector<std::string> send_only{"alerts:send"};

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

TEST_CASE("a new token is bnd_ followed by 40 random bytes in lowercase hex") {
  fixture f;
  auto created = f.keys.create("press-office", send_only, t0);
  CHECK(created.id > 0);
  REQUIRE(created.token.size() == 84);
  CHECK(created.token.substr(0, 4) == "bnd_");
  CHECK(is_lower_hex(created.token.substr(4)));
  CHECK(f.keys.create("press-office-2", send_only, t0).token != created.token);
}

TEST_CASE("only the SHA-256 of a token is stored, never the token") {
  fixture f;
  auto created = f.keys.create("press-office", send_only, t0);
  SQLite::Statement q(*f.db, "SELECT * FROM api_keys");
  REQUIRE(q.executeStep());
  for (int c = 0; c < q.getColumnCount(); ++c) {
    const auto column = q.getColumn(c);
    const std::string bytes(static_cast<const char*>(column.getBlob()), static_cast<std::size_t>(column.getBytes()));
    INFO("column " << q.getColumnName(c));
    CHECK(bytes.find(created.token) == std::string::npos);
    CHECK(bytes.find(created.token.substr(12)) == std::string::npos);
  }
  auto d = crypto::sha256(created.token);
  const std::string expected(reinterpret_cast<const char*>(d.data()), d.size());
  const auto stored = f.db->execAndGet("SELECT token_hash FROM api_keys");
  CHECK(std::string(static_cast<const char*>(stored.getBlob()), static_cast<std::size_t>(stored.getBytes())) ==
        expected);
}

TEST_CASE("the token authenticates its key with its name and scopes") {
  fixture f;
  auto created = f.keys.create("press-office", {"alerts:read", "alerts:send"}, t0);
  auto key = f.keys.authenticate(created.token, t0 + 1000);
  REQUIRE(key.has_value());
  CHECK(key->id == created.id);
  CHECK(key->name == "press-office");
  CHECK(key->scopes == std::vector<std::string>{"alerts:send", "alerts:read"});
  CHECK_FALSE(key->revoked());
  CHECK(key->has_scope("alerts:send"));
  CHECK_FALSE(key->has_scope("cap:ingest"));
}

TEST_CASE("an unknown token authenticates nothing") {
  fixture f;
  auto created = f.keys.create("press-office", send_only, t0);
  auto other = created.token;
  other.back() = other.back() == '0' ? '1' : '0';
  CHECK_FALSE(f.keys.authenticate(other, t0).has_value());
  CHECK_FALSE(f.keys.authenticate("", t0).has_value());
  CHECK_FALSE(f.keys.authenticate(created.token.substr(0, 40), t0).has_value());
}

TEST_CASE("a revoked key is still found, and says it was revoked") {
  fixture f;
  auto created = f.keys.create("press-office", send_only, t0);
  REQUIRE(f.keys.revoke(std::to_string(created.id), t0 + 5).outcome == revoke_outcome::revoked);
  auto key = f.keys.authenticate(created.token, t0 + 10);
  REQUIRE(key.has_value());
  CHECK(key->revoked());
  CHECK(key->revoked_at == t0 + 5);
}

TEST_CASE("unknown, missing or duplicated scopes are handled at creation") {
  fixture f;
  CHECK_THROWS_WITH_AS(f.keys.create("a", {"alerts:write"}, t0), doctest::Contains("unknown scope 'alerts:write'"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.keys.create("a", {}, t0), doctest::Contains("at least one scope"), std::invalid_argument);
  CHECK(f.keys.list().empty());
  f.keys.create("a", {"stats:read", "cap:ingest", "stats:read"}, t0);
  CHECK(f.keys.list().front().scopes == std::vector<std::string>{"stats:read", "cap:ingest"});
}

TEST_CASE("only the seven documented scopes are valid") {
  CHECK(valid_scope("audience:admin"));
  CHECK(valid_scope("drafts:write"));
  CHECK(valid_scope("alerts:emergency"));
  CHECK(valid_scope("alerts:send"));
  CHECK(valid_scope("alerts:read"));
  CHECK(valid_scope("stats:read"));
  CHECK(valid_scope("cap:ingest"));
  CHECK_FALSE(valid_scope(""));
  CHECK_FALSE(valid_scope("ALERTS:SEND"));
  CHECK_FALSE(valid_scope("alerts:send,alerts:read"));
}

TEST_CASE("a scope list splits on commas and ignores blanks") {
  CHECK(split_scopes("alerts:send, stats:read,,") == std::vector<std::string>{"alerts:send", "stats:read"});
  CHECK(split_scopes("").empty());
}

TEST_CASE("a key name must be present, short, printable and not read as an id or a token") {
  fixture f;
  CHECK_THROWS_WITH_AS(f.keys.create("", send_only, t0), doctest::Contains("needs a name"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.keys.create(std::string(101, 'x'), send_only, t0), doctest::Contains("at most 100"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.keys.create("42", send_only, t0), doctest::Contains("only digits"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.keys.create("bnd_office", send_only, t0), doctest::Contains("token"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.keys.create("a\nb", send_only, t0), doctest::Contains("control"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.keys.create("\xff", send_only, t0), doctest::Contains("UTF-8"), std::invalid_argument);
  CHECK(f.keys.list().empty());
  // The limit counts characters: 100 accented letters are 200 bytes.
  std::string accented;
  for (int i = 0; i < 100; ++i) accented += "\xc3\xa0";
  CHECK_NOTHROW(f.keys.create(accented, send_only, t0));
}

TEST_CASE("the key list shows prefix and scopes but never the token") {
  fixture f;
  auto created = f.keys.create("press-office", {"alerts:send", "alerts:read"}, t0);
  auto keys = f.keys.list();
  REQUIRE(keys.size() == 1);
  const auto& k = keys.front();
  CHECK(k.id == created.id);
  CHECK(k.name == "press-office");
  CHECK(k.prefix == created.token.substr(0, 12));
  CHECK(k.scopes == std::vector<std::string>{"alerts:send", "alerts:read"});
  CHECK(k.created_at == t0);
  CHECK_FALSE(k.revoked_at.has_value());
  CHECK_FALSE(k.last_used_at.has_value());
  CHECK(created.token.find(k.prefix) == 0);
  CHECK(k.prefix.size() < created.token.size());
}

TEST_CASE("a key is revoked by its id") {
  fixture f;
  auto a = f.keys.create("press-office", send_only, t0);
  auto b = f.keys.create("civil-protection", send_only, t0);
  auto r = f.keys.revoke(std::to_string(b.id), t0 + 7);
  CHECK(r.outcome == revoke_outcome::revoked);
  CHECK(r.id == b.id);
  CHECK(r.name == "civil-protection");
  auto keys = f.keys.list();
  CHECK_FALSE(keys[0].revoked_at.has_value());
  CHECK(keys[1].revoked_at == t0 + 7);
  CHECK_FALSE(f.keys.authenticate(a.token, t0 + 8)->revoked());
}

TEST_CASE("a key is revoked by its exact name") {
  fixture f;
  auto a = f.keys.create("press-office", send_only, t0);
  CHECK(f.keys.revoke("Press-Office", t0 + 1).outcome == revoke_outcome::not_found);
  auto r = f.keys.revoke("press-office", t0 + 1);
  CHECK(r.outcome == revoke_outcome::revoked);
  CHECK(r.id == a.id);
  CHECK(f.keys.authenticate(a.token, t0 + 2)->revoked());
}

TEST_CASE("revoking an unknown key finds nothing and a revoked one keeps its first time") {
  fixture f;
  auto a = f.keys.create("press-office", send_only, t0);
  CHECK(f.keys.revoke("999", t0).outcome == revoke_outcome::not_found);
  CHECK(f.keys.revoke("nobody", t0).outcome == revoke_outcome::not_found);
  f.keys.revoke("press-office", t0 + 1);
  auto again = f.keys.revoke(std::to_string(a.id), t0 + 2);
  CHECK(again.outcome == revoke_outcome::already_revoked);
  CHECK(again.id == a.id);
  CHECK(f.keys.list().front().revoked_at == t0 + 1);
}

TEST_CASE("a name shared by two live keys is refused for revocation, listing their ids") {
  fixture f;
  auto a = f.keys.create("press-office", send_only, t0);
  auto b = f.keys.create("press-office", send_only, t0);
  const auto ids = std::to_string(a.id) + ", " + std::to_string(b.id);
  CHECK_THROWS_WITH_AS(f.keys.revoke("press-office", t0 + 1), doctest::Contains(ids.c_str()), std::invalid_argument);
  CHECK_FALSE(f.keys.list()[0].revoked_at.has_value());
  CHECK_FALSE(f.keys.list()[1].revoked_at.has_value());
}

TEST_CASE("after a rotation the name revokes the one key still live") {
  fixture f;
  auto old_key = f.keys.create("press-office", send_only, t0);
  f.keys.revoke(std::to_string(old_key.id), t0 + 1);
  auto new_key = f.keys.create("press-office", send_only, t0 + 2);
  auto r = f.keys.revoke("press-office", t0 + 3);
  CHECK(r.outcome == revoke_outcome::revoked);
  CHECK(r.id == new_key.id);
}

TEST_CASE("last use is written at most once a minute") {
  fixture f;
  auto created = f.keys.create("press-office", send_only, t0);
  CHECK(f.keys.authenticate(created.token, t0 + 1000)->last_used_at == t0 + 1000);
  CHECK(f.keys.authenticate(created.token, t0 + 1000 + 59'999)->last_used_at == t0 + 1000);
  CHECK(f.keys.list().front().last_used_at == t0 + 1000);
  CHECK(f.keys.authenticate(created.token, t0 + 1000 + 60'000)->last_used_at == t0 + 61'000);
  CHECK(f.keys.list().front().last_used_at == t0 + 61'000);
}

TEST_CASE("a revoked key's attempts do not count as use") {
  fixture f;
  auto created = f.keys.create("press-office", send_only, t0);
  f.keys.revoke("press-office", t0 + 1);
  f.keys.authenticate(created.token, t0 + 120'000);
  CHECK_FALSE(f.keys.list().front().last_used_at.has_value());
}

TEST_CASE("creating and revoking a key are written to the audit log without the token") {
  fixture f;
  auto created = f.keys.create("press-office", {"alerts:send", "stats:read"}, t0);
  f.keys.revoke("press-office", t0 + 9);
  auto log = recent_audit(*f.db, 10);
  REQUIRE(log.size() == 2);
  CHECK(log[0].action == "key.revoke");
  CHECK(log[0].actor == "cli");
  CHECK(log[0].api_key_id == created.id);
  CHECK(log[0].at == t0 + 9);
  CHECK(log[1].action == "key.create");
  CHECK(log[1].actor == "cli");
  CHECK(log[1].api_key_id == created.id);
  CHECK(log[1].detail == "name=press-office scopes=alerts:send,stats:read");
  CHECK_FALSE(log[1].alert_id.has_value());
  for (const auto& e : log) CHECK(e.detail.find(created.token.substr(12)) == std::string::npos);
}

TEST_CASE("a refused revocation writes no audit row") {
  fixture f;
  f.keys.create("press-office", send_only, t0);
  f.keys.create("press-office", send_only, t0);
  CHECK_THROWS(f.keys.revoke("press-office", t0));
  CHECK(f.keys.revoke("nobody", t0).outcome == revoke_outcome::not_found);
  CHECK(recent_audit(*f.db, 10).size() == 2);
}

TEST_CASE("a key created inside the caller's transaction disappears with its rollback") {
  fixture f;
  f.db->exec("BEGIN");
  f.keys.create("press-office", send_only, t0);
  f.db->exec("ROLLBACK");
  CHECK(f.keys.list().empty());
  CHECK(recent_audit(*f.db, 10).empty());
}

TEST_CASE("a key whose audit row cannot be written is not created") {
  fixture f;
  f.db->exec("DROP TABLE audit_log");
  CHECK_THROWS(f.keys.create("press-office", send_only, t0));
  CHECK(f.keys.list().empty());
  CHECK(sqlite3_get_autocommit(f.db->getHandle()) != 0);  // no transaction left open
}

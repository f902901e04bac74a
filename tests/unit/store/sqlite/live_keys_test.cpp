#include <banditore/store/sqlite/live_keys.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/sealed_box.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/key_rotation.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

const std::string mario = "393331234567";
const std::string hash = "mario's phone hash";

crypto::data_keys rotated(const crypto::data_keys& keys) {
  crypto::data_keys next = keys;
  next.encryption = crypto::generate_data_keys().encryption;
  next.retired.insert(next.retired.begin(), keys.encryption);
  return next;
}

// A database naming the old keys, and a key "file" (loader) that another
// process may rotate.
struct fixture {
  std::unique_ptr<SQLite::Database> db = open_database(":memory:");
  crypto::data_keys old_keys = crypto::generate_data_keys();
  crypto::data_keys file = old_keys;
  int loads = 0;
  fixture() {
    migrate(*db);
    store_key_fingerprint(*db, crypto::key_fingerprint(old_keys));
  }
  key_loader loader() {
    return [this] {
      ++loads;
      return file;
    };
  }
  // What rotate-keys does first: the file, then the database.
  crypto::data_keys rotate() {
    file = rotated(old_keys);
    store_key_fingerprint(*db, crypto::key_fingerprint(file));
    return file;
  }
};

}  // namespace

TEST_CASE("sealing after another process named a new key reloads the keys and seals under the new one") {
  fixture f;
  live_keys keys(*f.db, f.old_keys, f.loader());
  auto next = f.rotate();
  auto cipher = keys.seal(mario, hash);
  CHECK(f.loads == 1);
  CHECK(crypto::sealed_box(next.encryption).open(cipher, hash) == mario);
}

TEST_CASE("keys are not reloaded while the database names the same keys") {
  fixture f;
  live_keys keys(*f.db, f.old_keys, f.loader());
  for (int i = 0; i < 5; ++i) keys.seal(mario, hash);
  auto cipher = keys.seal(mario, hash);
  CHECK(keys.open(cipher, hash) == mario);
  CHECK(f.loads == 0);
}

TEST_CASE("a number sealed under a key not yet held makes the keys reload, then opens") {
  fixture f;
  live_keys keys(*f.db, f.old_keys, f.loader());
  auto next = f.rotate();
  auto cipher = crypto::seal_phone(next, mario, hash);
  CHECK(keys.open(cipher, hash) == mario);
  CHECK(f.loads == 1);
}

TEST_CASE("a number no key opens does not reload the keys when the database names ours") {
  fixture f;
  live_keys keys(*f.db, f.old_keys, f.loader());
  auto cipher = crypto::seal_phone(crypto::generate_data_keys(), mario, hash);
  CHECK_FALSE(keys.open(cipher, hash).has_value());
  CHECK(f.loads == 0);
}

TEST_CASE("numbers sealed under the old key still open after the reload") {
  fixture f;
  live_keys keys(*f.db, f.old_keys, f.loader());
  auto old_cipher = keys.seal(mario, hash);
  f.rotate();
  keys.seal(mario, hash);
  CHECK(keys.open(old_cipher, hash) == mario);
}

TEST_CASE("while the database still names the retired key, sealing uses the retired key") {
  // A rotation replaced the key file and stopped before telling the database.
  fixture f;
  auto next = rotated(f.old_keys);
  live_keys keys(*f.db, next, f.loader());
  auto cipher = keys.seal(mario, hash);
  CHECK(crypto::sealed_box(f.old_keys.encryption).open(cipher, hash) == mario);
  CHECK(f.loads == 0);
}

TEST_CASE("a database naming keys the key file does not hold refuses to seal") {
  fixture f;
  live_keys keys(*f.db, f.old_keys, f.loader());
  store_key_fingerprint(*f.db, crypto::key_fingerprint(crypto::generate_data_keys()));
  CHECK_THROWS_WITH_AS(keys.seal(mario, hash), doctest::Contains("that the key file does not hold"),
                       std::runtime_error);
}

TEST_CASE("keys from configuration cannot follow a rotation: sealing refuses") {
  fixture f;
  live_keys keys(*f.db, f.old_keys);
  f.rotate();
  CHECK_THROWS_WITH_AS(keys.seal(mario, hash), doctest::Contains("restart it with the new keys"),
                       std::runtime_error);
}

TEST_CASE("keys from configuration that hold the newly named key follow without reloading") {
  fixture f;
  auto next = rotated(f.old_keys);
  live_keys keys(*f.db, next);
  store_key_fingerprint(*f.db, crypto::key_fingerprint(next));
  auto cipher = keys.seal(mario, hash);
  CHECK(crypto::sealed_box(next.encryption).open(cipher, hash) == mario);
}

#include <banditore/store/sqlite/key_rotation.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/sealed_box.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <vector>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

std::string column_blob(const SQLite::Column& c) {
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
}

struct fixture {
  std::unique_ptr<SQLite::Database> db = open_database(":memory:");
  crypto::data_keys old_keys = crypto::generate_data_keys();
  crypto::data_keys keys = crypto::with_new_encryption_key(old_keys);
  fixture() { migrate(*db); }
  std::string hash(const std::string& e164) const { return crypto::phone_hash(keys, e164); }
  void subscribe(const std::string& e164, const crypto::data_keys& under) {
    insert_sealed("INSERT INTO subscribers (phone_hash, phone_cipher, language, source, subscribed_at) "
                  "VALUES (:h, :c, 'it', 'whatsapp', 0)", e164, under);
  }
  void queue_reply(const std::string& e164, const crypto::data_keys& under) {
    insert_sealed("INSERT INTO outbox (priority, phone_hash, recipient_cipher, body, not_before, "
                  "created_at, updated_at) VALUES (0, :h, :c, 'ok', 0, 0, 0)", e164, under);
  }
  // Runs an insert taking the number's hash (:h) and its ciphertext under
  // the given keys (:c).
  void insert_sealed(const char* sql, const std::string& e164, const crypto::data_keys& under) {
    SQLite::Statement st(*db, sql);
    const auto h = hash(e164);
    const auto c = crypto::seal_phone(under, e164, h);
    st.bind(":h", h.data(), static_cast<int>(h.size()));
    st.bind(":c", c.data(), static_cast<int>(c.size()));
    st.exec();
  }
  // How many stored ciphertexts this key opens.
  int opened_by(const crypto::key& k) {
    int n = 0;
    crypto::sealed_box box(k);
    for (const char* sql : {"SELECT phone_hash, phone_cipher FROM subscribers",
                            "SELECT phone_hash, recipient_cipher FROM outbox WHERE recipient_cipher IS NOT NULL"}) {
      SQLite::Statement q(*db, sql);
      while (q.executeStep())
        if (box.open(column_blob(q.getColumn(1)), column_blob(q.getColumn(0)))) ++n;
    }
    return n;
  }
};

std::string number(int i) { return "3933300" + std::to_string(10000 + i); }

}  // namespace

TEST_CASE("a pass seals every number under a retired key again under the current one, batch after batch") {
  fixture f;
  for (int i = 0; i < 7; ++i) f.subscribe(number(i), f.old_keys);
  f.queue_reply(number(0), f.old_keys);
  auto counts = reseal_pass(*f.db, f.keys, 3);
  CHECK(counts.resealed == 8);
  CHECK(f.opened_by(f.old_keys.encryption) == 0);
  CHECK(f.opened_by(f.keys.encryption) == 8);
}

TEST_CASE("numbers already under the current key are left as they are") {
  fixture f;
  f.subscribe(number(1), f.keys);
  f.subscribe(number(2), f.old_keys);
  auto before = f.db->execAndGet("SELECT phone_cipher FROM subscribers WHERE id = 1").getString();
  CHECK(reseal_pass(*f.db, f.keys).resealed == 1);
  CHECK(f.db->execAndGet("SELECT phone_cipher FROM subscribers WHERE id = 1").getString() == before);
}

TEST_CASE("a second pass over rotated data finds nothing to do") {
  fixture f;
  for (int i = 0; i < 4; ++i) f.subscribe(number(i), f.old_keys);
  reseal_pass(*f.db, f.keys, 2);
  CHECK(reseal_pass(*f.db, f.keys, 2).resealed == 0);
}

TEST_CASE("a number no key opens is counted and left as it is") {
  fixture f;
  f.subscribe(number(1), crypto::generate_data_keys());
  f.subscribe(number(2), f.old_keys);
  auto counts = reseal_pass(*f.db, f.keys);
  CHECK(counts.unreadable == 1);
  CHECK(counts.resealed == 1);
}

TEST_CASE("the stored key fingerprint is set and replaced") {
  fixture f;
  CHECK_FALSE(stored_key_fingerprint(*f.db).has_value());
  store_key_fingerprint(*f.db, "aaaa");
  store_key_fingerprint(*f.db, "bbbb");
  CHECK(stored_key_fingerprint(*f.db) == "bbbb");
}

#include <banditore/store/sqlite/key_rotation.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/sealed_box.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <vector>

namespace banditore::store::sqlite {

namespace {

std::string column_blob(const SQLite::Column& c) {
  if (c.isNull()) return {};
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
}

// The table and column holding one kind of ciphertext (aad: the row's phone_hash).
struct sealed_column {
  const char* select;  // :after, :limit -> id, phone_hash, cipher
  const char* update;  // :id, :cipher
};

const sealed_column subscribers_column{
    "SELECT id, phone_hash, phone_cipher FROM subscribers WHERE id > :after AND phone_cipher IS NOT NULL "
    "ORDER BY id LIMIT :limit",
    "UPDATE subscribers SET phone_cipher = :cipher WHERE id = :id"};

const sealed_column outbox_column{
    "SELECT id, phone_hash, recipient_cipher FROM outbox WHERE id > :after AND recipient_cipher IS NOT NULL "
    "ORDER BY id LIMIT :limit",
    "UPDATE outbox SET recipient_cipher = :cipher WHERE id = :id"};

// A staff user's TOTP secret: its aad is 'staff-totp:<id>' (store/sqlite/staff.cpp).
const sealed_column staff_totp_column{
    "SELECT id, 'staff-totp:' || id, totp_cipher FROM staff_users WHERE id > :after AND totp_cipher IS NOT NULL "
    "ORDER BY id LIMIT :limit",
    "UPDATE staff_users SET totp_cipher = :cipher WHERE id = :id"};

// Citizens' messages waiting in the inbound journal: aad 'inbound-journal:<seq>'
// (store/sqlite/inbound_journal.cpp).
const sealed_column inbound_journal_column{
    "SELECT seq, 'inbound-journal:' || seq, sealed FROM inbound_journal WHERE seq > :after "
    "ORDER BY seq LIMIT :limit",
    "UPDATE inbound_journal SET sealed = :cipher WHERE seq = :id"};

void reseal_column(SQLite::Database& db, const crypto::data_keys& keys, const sealed_column& column,
                   std::size_t batch_size, reseal_counts& counts) {
  const crypto::sealed_box current(keys.encryption);
  SQLite::Statement select(db, column.select);
  SQLite::Statement update(db, column.update);
  std::int64_t after = 0;
  for (;;) {
    struct row {
      std::int64_t id;
      std::string cipher;
    };
    std::size_t seen = 0;
    {
      // Read and rewrite in one transaction holding the write lock: the
      // row cannot change or go between the two.
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      std::vector<row> rewrites;
      select.reset();
      select.bind(":after", after);
      select.bind(":limit", static_cast<std::int64_t>(batch_size));
      while (select.executeStep()) {
        ++seen;
        after = select.getColumn(0).getInt64();
        const auto phone_hash = column_blob(select.getColumn(1));
        const auto cipher = column_blob(select.getColumn(2));
        if (current.open(cipher, phone_hash)) continue;
        auto number = crypto::open_phone(keys, cipher, phone_hash);
        if (!number) {
          ++counts.unreadable;
          continue;
        }
        rewrites.push_back({after, current.seal(*number, phone_hash)});
      }
      select.reset();
      for (const auto& r : rewrites) {
        update.reset();
        update.bind(":cipher", r.cipher.data(), static_cast<int>(r.cipher.size()));
        update.bind(":id", r.id);
        update.exec();
      }
      tx.commit();
      counts.resealed += static_cast<std::int64_t>(rewrites.size());
    }
    if (seen < batch_size) return;
  }
}

}  // namespace

reseal_counts reseal_pass(SQLite::Database& db, const crypto::data_keys& keys, std::size_t batch_size) {
  reseal_counts counts;
  if (batch_size == 0) batch_size = 1;
  reseal_column(db, keys, subscribers_column, batch_size, counts);
  reseal_column(db, keys, outbox_column, batch_size, counts);
  reseal_column(db, keys, staff_totp_column, batch_size, counts);
  reseal_column(db, keys, inbound_journal_column, batch_size, counts);
  return counts;
}

std::optional<std::string> stored_key_fingerprint(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT value FROM meta WHERE key = 'key_fingerprint'");
  if (q.executeStep()) return q.getColumn(0).getString();
  return std::nullopt;
}

void store_key_fingerprint(SQLite::Database& db, std::string_view fingerprint) {
  SQLite::Statement st(db, "INSERT INTO meta (key, value) VALUES ('key_fingerprint', :fp) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  st.bind(":fp", std::string(fingerprint));
  st.exec();
}

}  // namespace banditore::store::sqlite

#include <banditore/app/key_rotation.hpp>

#include <banditore/app/startup.hpp>
#include <banditore/crypto/data_keys.hpp>
#include <banditore/store/key_rotation.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace banditore::app {

namespace {

bool holds(const std::vector<crypto::key>& keys, const crypto::key& k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

// Step 1 for a key file. The write lock is held across the file's
// replacement, so another rotate-keys cannot interleave, and a service
// sealing meanwhile waits and then sees the new fingerprint.
crypto::data_keys name_new_key(SQLite::Database& db, const std::string& key_file, rotation_report& report) {
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  auto keys = crypto::read_key_file(key_file);  // again, under the lock
  const auto stored = store::stored_key_fingerprint(db);
  if (stored && !crypto::answers_to(keys, *stored))
    throw std::runtime_error(fmt::format(
        "the key file {} no longer holds the keys this database names (fingerprint {}); nothing was changed",
        key_file, *stored));
  if (keys.retired.empty()) {
    auto next = crypto::with_new_encryption_key(keys);
    // The file first: until the database names the new key, a crash leaves
    // a file whose retired key is the one the database names.
    crypto::replace_key_file(key_file, next);
    keys = std::move(next);
  } else {
    report.resumed = true;
  }
  store::store_key_fingerprint(db, crypto::key_fingerprint(keys));
  tx.commit();
  return keys;
}

// Step 3: the retired keys leave the key file, unless it changed meanwhile.
void drop_retired(SQLite::Database& db, const std::string& key_file, const crypto::data_keys& keys) {
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  auto file = crypto::read_key_file(key_file);
  bool ours = file.encryption == keys.encryption && file.lookup == keys.lookup;
  for (const auto& r : file.retired) ours = ours && holds(keys.retired, r);
  if (!ours)
    throw std::runtime_error(fmt::format(
        "the key file {} changed during the rotation; its retired keys were kept: run rotate-keys again", key_file));
  if (!file.retired.empty()) {
    file.retired.clear();
    crypto::replace_key_file(key_file, file);
  }
  tx.commit();
}

}  // namespace

rotation_report rotate_data_keys(const config::settings& settings, const rotation_options& options) {
  rotation_report report;
  auto opened = open_store(settings);
  auto& db = *opened.db;

  crypto::data_keys keys;
  if (!settings.data_keys.empty()) {
    // The configuration cannot be rewritten from here: the operator puts
    // the new key in it, with the old one as retired=, and this finishes.
    if (opened.keys.retired.empty()) {
      report.outcome = rotation_outcome::keys_from_configuration;
      return report;
    }
    report.from_configuration = true;
    keys = opened.keys;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    store::store_key_fingerprint(db, crypto::key_fingerprint(keys));
    tx.commit();
  } else {
    keys = name_new_key(db, settings.key_file, report);
  }
  report.fingerprint = crypto::key_fingerprint(keys);

  // Rows sealed under the old key before the database named the new one
  // are found by the first pass; a second finds none, unless a process that
  // does not check the fingerprint (an older banditore) still seals with it.
  for (;;) {
    if (report.passes == options.max_passes)
      throw std::runtime_error(fmt::format(
          "numbers sealed under the old key kept appearing for {} passes: a process still uses it (an older "
          "banditore?); the old key stays in the key file: stop that process and run rotate-keys again",
          report.passes));
    const auto counts = store::reseal_pass(db, keys, options.batch_size);
    ++report.passes;
    report.resealed += counts.resealed;
    report.unreadable = counts.unreadable;
    if (options.on_pass) options.on_pass(report.passes, counts.resealed);
    if (counts.resealed == 0) break;
  }

  if (!report.from_configuration) drop_retired(db, settings.key_file, keys);
  return report;
}

}  // namespace banditore::app

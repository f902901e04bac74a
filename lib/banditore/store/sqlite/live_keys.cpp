#include <banditore/store/sqlite/live_keys.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <stdexcept>
#include <utility>

namespace banditore::store::sqlite {

struct live_keys::statements {
  explicit statements(SQLite::Database& db) : fingerprint(db, "SELECT value FROM meta WHERE key = 'key_fingerprint'") {}
  SQLite::Statement fingerprint;
};

live_keys::live_keys(SQLite::Database& db, crypto::data_keys keys, key_loader reload)
    : db_(db),
      keys_(std::move(keys)),
      reload_(std::move(reload)),
      // What our keys answer to, not what the database says now: had a
      // rotation named a new key since they were loaded, the first check
      // must see the difference.
      seen_fingerprint_(crypto::key_fingerprint(keys_)),
      sealing_key_(keys_.encryption) {}

void live_keys::adopt(const std::string& fingerprint) {
  seen_fingerprint_ = fingerprint;
  sealing_key_ = keys_.encryption;
  for (const auto& r : keys_.retired)
    if (crypto::key_fingerprint({r, keys_.lookup, {}}) == fingerprint) sealing_key_ = r;
}

live_keys::~live_keys() = default;

std::optional<std::string> live_keys::stored_fingerprint() {
  // Prepared on first use: the schema may be created after construction.
  if (!st_) st_ = std::make_unique<statements>(db_);
  auto& q = st_->fingerprint;
  q.reset();
  std::optional<std::string> out;
  if (q.executeStep()) out = q.getColumn(0).getString();
  q.reset();
  return out;
}

bool live_keys::refresh() {
  const auto stored = stored_fingerprint();
  // A database without a fingerprint (a test's, or one not opened through
  // start-up yet) names no key: ours stand.
  if (!stored || *stored == seen_fingerprint_) return false;
  if (crypto::answers_to(keys_, *stored)) {
    adopt(*stored);
    return false;
  }
  if (!reload_)
    throw std::runtime_error(
        "the database names data keys (fingerprint " + *stored +
        ") that this process does not hold, and its keys come from configuration: restart it with the new keys");
  auto fresh = reload_();
  if (!crypto::answers_to(fresh, *stored))
    throw std::runtime_error("the database names data keys (fingerprint " + *stored +
                             ") that the key file does not hold (it holds " + crypto::key_fingerprint(fresh) +
                             "): restore the key file written by banditore rotate-keys");
  keys_ = std::move(fresh);
  adopt(*stored);
  ++reloads_;
  return true;
}

std::string live_keys::seal(std::string_view e164_digits, std::string_view phone_hash) {
  refresh();
  return crypto::seal_phone({sealing_key_, keys_.lookup, {}}, e164_digits, phone_hash);
}

std::optional<std::string> live_keys::open(std::string_view sealed, std::string_view phone_hash) {
  if (auto number = crypto::open_phone(keys_, sealed, phone_hash)) return number;
  if (!refresh()) return std::nullopt;
  return crypto::open_phone(keys_, sealed, phone_hash);
}

}  // namespace banditore::store::sqlite

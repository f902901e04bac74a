// Sealing the stored phone numbers again under the current encryption key,
// for `banditore rotate-keys`. The work goes in short write transactions,
// so a service running on the same database keeps writing between them.
#pragma once

#include <banditore/store/key_rotation.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace SQLite { class Database; }
namespace banditore::crypto { struct data_keys; }

namespace banditore::store::sqlite {

// One pass over subscribers.phone_cipher and the outbox's recipient_cipher,
// in id order, batch_size rows to an immediate transaction. A ciphertext
// the current key opens is left alone, so a pass over rotated data only
// reads.
reseal_counts reseal_pass(SQLite::Database& db, const crypto::data_keys& keys, std::size_t batch_size = 1000);

// meta 'key_fingerprint': which keys the stored data is sealed under.
std::optional<std::string> stored_key_fingerprint(SQLite::Database& db);
// Sets it, inside the caller's transaction.
void store_key_fingerprint(SQLite::Database& db, std::string_view fingerprint);

}  // namespace banditore::store::sqlite

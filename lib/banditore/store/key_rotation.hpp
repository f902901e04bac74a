// Sealing the stored phone numbers again under a new encryption key, for
// `banditore rotate-keys` (app/key_rotation.hpp drives the steps). Each
// step holds the database's write lock while it works, so another
// rotation cannot interleave and a running service sees the new key
// named before it seals anything with the old one.
#pragma once

#include <banditore/crypto/data_keys.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace banditore::store {

struct reseal_counts {
  std::int64_t resealed = 0;    // opened with a retired key, sealed again under the current one
  std::int64_t unreadable = 0;  // opened with none of the keys: left as they are
};

class key_rotation {
 public:
  virtual ~key_rotation() = default;
  // Under the write lock: reads the key file again; unless it already has
  // a retired key (an interrupted rotation, resumed = true), replaces it
  // with a new encryption key and the old one retired; then names the
  // keys in the database. Throws std::runtime_error when the file no
  // longer holds the keys the database names.
  virtual crypto::data_keys name_new_key(const std::string& key_file, bool& resumed) = 0;
  // Names the keys in the database (keys from configuration).
  virtual void name_keys(const crypto::data_keys& keys) = 0;
  // One pass over every sealed number, batch_size rows to a transaction.
  virtual reseal_counts reseal_pass(const crypto::data_keys& keys, std::size_t batch_size) = 0;
  // Under the write lock: the retired keys leave the key file, unless it
  // changed meanwhile (std::runtime_error).
  virtual void drop_retired(const std::string& key_file, const crypto::data_keys& keys) = 0;
};

}  // namespace banditore::store

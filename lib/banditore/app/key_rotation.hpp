// Rotating the encryption key of the stored phone numbers while the service
// keeps running on the same database (`banditore rotate-keys`):
//   1. under the database's write lock, replace the key file with a new
//      encryption key and the old one as retired=, then name the new key in
//      meta 'key_fingerprint' (a running service reloads the key file when
//      it sees that change, before it seals anything);
//   2. seal every number again under the new key, in short transactions,
//      pass after pass until a pass finds none under a retired key;
//   3. drop the retired key from the key file.
// A crash anywhere leaves keys that open every row: the key file is
// replaced before the database names the new key, and start-up accepts a
// database that still names a retired one. Running it again finishes an
// interrupted rotation instead of starting another. The lookup (HMAC) key
// does not change: message ids are kept only as its hashes, which cannot be
// computed again.
#pragma once

#include <banditore/config/settings.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace banditore::app {

enum class rotation_outcome {
  rotated,                  // every number is sealed under the new key
  keys_from_configuration,  // BANDITORE_DATA_KEYS without retired=: nothing done
};

struct rotation_report {
  rotation_outcome outcome = rotation_outcome::rotated;
  bool resumed = false;          // an interrupted rotation was finished, no new key made
  bool from_configuration = false;  // keys from BANDITORE_DATA_KEYS: retired= stays there
  std::int64_t resealed = 0;     // ciphertexts sealed again under the new key
  std::int64_t unreadable = 0;   // ciphertexts no key opens, left as they were (last pass)
  int passes = 0;
  std::string fingerprint;       // of the new keys; never a key
};

struct rotation_options {
  std::size_t batch_size = 1000;  // rows per transaction
  int max_passes = 10;
  // Told after each pass (for progress lines).
  std::function<void(int pass, std::int64_t resealed)> on_pass;
};

// Throws std::runtime_error with an operator-readable reason (no key, no
// number in it) when the keys do not match the data, the key file changed
// under the rotation, or rows under a retired key keep appearing (a
// process still sealing with the old key).
rotation_report rotate_data_keys(const config::settings& settings, const rotation_options& options = {});

}  // namespace banditore::app

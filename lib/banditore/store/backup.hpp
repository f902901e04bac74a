// A consistent copy of the live database while the service runs; the
// copy is written beside its destination and renamed into place, so a
// file at the destination is always a whole backup.
#pragma once

#include <cstdint>
#include <filesystem>

namespace banditore::store {

enum class backup_outcome {
  written,
  destination_exists,  // and overwrite was not allowed; nothing written
};

struct backup_result {
  backup_outcome outcome = backup_outcome::written;
  std::uintmax_t bytes = 0;
  int schema_version = 0;
};


}  // namespace banditore::store

// The one wall clock of the service: Unix time in milliseconds, as every
// time in the store and on the wire is kept.
#pragma once

#include <chrono>
#include <cstdint>

namespace banditore::domain {

inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace banditore::domain

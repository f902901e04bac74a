// What a harness asserts besides "no crash, no leak, no undefined
// behaviour": a property of the code under test that must hold for every
// input. A broken property aborts, so libFuzzer keeps the input as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace banditore::fuzz {

inline void require(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "property broken: %s\n", property);
  std::abort();
}

inline std::string_view bytes(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// True when a run of at least n ASCII digits appears: the shape of a phone
// number, which must never reach a log line or an error text.
inline bool has_digit_run(std::string_view s, std::size_t n) {
  std::size_t run = 0;
  for (char c : s) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= n) return true;
  }
  return false;
}

}  // namespace banditore::fuzz

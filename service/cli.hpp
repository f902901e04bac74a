// What every banditore command shares: the exit codes documented in --help
// and the README, the one-line error on stderr, and --help recognition.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string_view>

namespace banditore::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_config = 3;

// Prints "banditore: <message>" on stderr and returns code.
inline int fail(int code, std::string_view message) {
  fmt::print(stderr, "banditore: {}\n", message);
  return code;
}

inline bool is_help(std::string_view arg) { return arg == "--help" || arg == "-h"; }

inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace banditore::cli

// What every banditore command shares: the exit codes documented in --help
// and the README, the one-line error on stderr, and --help recognition.
#pragma once

#include <banditore/domain/clock.hpp>

#include <fmt/format.h>

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

using domain::now_ms;

}  // namespace banditore::cli

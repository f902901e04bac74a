// What every banditore command shares: the exit codes documented in --help
// and the README, the one-line error on stderr, and how arguments are read.
#pragma once

#include <banditore/domain/clock.hpp>
#include <banditore/domain/utf8.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

// Rows as columns padded by characters, not bytes (names and titles may be
// accented), two spaces apart; the first row is the header.
template <class Rows>
void print_table(const Rows& rows) {
  if (rows.empty()) return;
  auto columns = [](const std::string& s) { return domain::utf8::count_code_points(s).value_or(s.size()); };
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], columns(r[c]));
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line.append(width[c] - columns(r[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  }
}

inline bool is_help(std::string_view arg) { return arg == "--help" || arg == "-h"; }

// An argument a command does not take, or an option without its value. Its
// text is the reason; the command adds its name and where to find help.
struct usage_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// "unknown option '-x'" or "unexpected argument 'x'": how commands refuse
// an argument they do not take.
inline std::string unexpected(std::string_view arg) {
  return fmt::format("{} '{}'", arg.starts_with('-') ? "unknown option" : "unexpected argument", arg);
}

// Reads a command's arguments left to right, as every command does: --help
// wherever it stands, flags, options that take a value as `--opt VALUE` or
// `--opt=VALUE`, and the rest (positional arguments). After "--", for the
// commands that accept it, everything is positional. What a command refuses,
// and in which words, stays the command's.
class argument_reader {
 public:
  // Reads args from index first: the words before it name the command.
  argument_reader(const std::vector<std::string>& args, std::size_t first) : args_(args), next_(first) {}

  bool done() const { return next_ >= args_.size(); }
  const std::string& current() const { return args_[next_]; }
  // The current argument, moving past it.
  const std::string& take() { return args_[next_++]; }

  bool at_help() const { return !options_ended_ && is_help(current()); }
  // "-x" or "--x" before any "--": not a positional argument ("-" alone is).
  bool at_option() const { return !options_ended_ && current().size() > 1 && current()[0] == '-'; }

  // Whether the current argument is "--", the end of the options; moves past it.
  bool end_of_options() {
    if (options_ended_ || current() != "--") return false;
    options_ended_ = true;
    ++next_;
    return true;
  }

  // Whether the current argument is the flag; moves past it.
  bool flag(std::string_view name) {
    if (options_ended_ || current() != name) return false;
    ++next_;
    return true;
  }

  // The value of `--opt VALUE` or `--opt=VALUE` at the current argument,
  // moving past it; nullopt when the current argument is another one.
  // `--opt` last throws usage_error "--opt needs <needs>".
  std::optional<std::string> value(std::string_view opt, std::string_view needs = "a value") {
    if (options_ended_) return std::nullopt;
    const std::string_view arg = current();
    if (arg == opt) {
      if (next_ + 1 >= args_.size()) throw usage_error(fmt::format("{} needs {}", opt, needs));
      next_ += 2;
      return args_[next_ - 1];
    }
    if (arg.size() > opt.size() && arg.starts_with(opt) && arg[opt.size()] == '=') {
      ++next_;
      return std::string(arg.substr(opt.size() + 1));
    }
    return std::nullopt;
  }

 private:
  const std::vector<std::string>& args_;
  std::size_t next_;
  bool options_ended_ = false;
};

using domain::now_ms;

}  // namespace banditore::cli

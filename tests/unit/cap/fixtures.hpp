// Reading the CAP fixtures of tests/fixtures/cap, and editing a copy of one
// so that each refusal test changes exactly one thing in a real document.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace banditore::cap::testing {

inline std::string fixture(std::string_view name) {
  std::string path = std::string(BANDITORE_FIXTURES) + "/cap/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// text with its only occurrence of from replaced by to; throws when from is
// absent, so a test cannot silently stop testing what it claims.
inline std::string edited(std::string text, std::string_view from, std::string_view to) {
  auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("fixture lacks: " + std::string(from));
  return text.replace(at, from.size(), to);
}

}  // namespace banditore::cap::testing

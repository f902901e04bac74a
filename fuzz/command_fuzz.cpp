// A citizen's WhatsApp text, any bytes Meta relays: classify_command must
// fold it, keep its normalised form short and free of phone numbers (it is
// recorded), and not care about ASCII letter case.
#include "check.hpp"

#include <banditore/domain/commands.hpp>
#include <banditore/domain/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

// Digits with the separators people type inside a number taken away, so
// "333 123-4567" shows as the digit run it is.
std::string digits_joined(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '-' && c != '.') out.push_back(c);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto text = fuzz::bytes(data, size);
  const auto m = domain::classify_command(text);
  require(m.normalised.size() <= 80, "the normalised text has at most 80 bytes");
  require(domain::utf8::count_code_points(m.normalised).has_value(), "the normalised text is valid UTF-8");
  require(!fuzz::has_digit_run(digits_joined(m.normalised), 5), "the normalised text holds no run of 5 digits");
  // A request (subscribe, unsubscribe, info) names the word it was read
  // from; a text read as no request, or as only probably one, may still
  // carry the word it hesitated on ("non attiva").
  const bool request = m.kind == domain::command::subscribe || m.kind == domain::command::unsubscribe ||
                       m.kind == domain::command::info;
  if (request) require(!m.keyword.empty(), "a request has its keyword");
  if (m.conflicting) require(m.kind == domain::command::unclear, "conflicting words are no request");

  std::string upper(text);
  for (auto& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  require(domain::classify_command(upper).kind == m.kind, "ASCII letter case does not change the command");
  return 0;
}

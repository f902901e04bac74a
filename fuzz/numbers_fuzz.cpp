// The numbers file (BANDITORE_NUMBERS_FILE): an operator's JSON, read at
// start-up. Whatever it holds, the parser answers with numbers that keep
// the rules it promises or with an error, never a crash, and never quotes
// a token.
#include "check.hpp"

#include <banditore/config/numbers.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto text = fuzz::bytes(data, size);
  std::vector<config::business_number> numbers;
  try {
    numbers = config::parse_numbers(text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  require(!numbers.empty(), "a parsed file has a number");
  std::set<std::string> ids, phone_ids, towns;
  for (const auto& n : numbers) {
    require(ids.insert(n.id).second, "no id twice");
    require(phone_ids.insert(n.phone_number_id).second, "no phone_number_id twice");
    require(n.token.empty(), "the parser reads no token");
    require(n.token_env.empty() != n.token_file.empty(), "one token source");
    require(n.rate >= 0 && n.rate <= 1000, "a rate within Meta's");
    require(n.tier == 0 || n.tier == 250 || n.tier == 2000 || n.tier == 10000 || n.tier == 100000, "a Meta tier");
    require(!n.towns.empty(), "a number serves towns");
    for (const auto& t : n.towns) {
      require(towns.insert(t).second, "a town on one number");
      require(&config::number_for_town(numbers, t) == &n, "a town routes to its number");
    }
    require(config::number_by_phone_id(numbers, n.phone_number_id) == &n, "a phone_number_id finds its number");
    for (const auto& m : numbers)
      if (m.portfolio == n.portfolio) require(m.tier == n.tier, "one tier per portfolio");
  }
  return 0;
}

// A number as Meta sends it (wa_id) or as people type it (CSV imports):
// the result is E.164 digits, and normalising it again changes nothing, so
// the same person always finds the same subscription.
#include "check.hpp"

#include <banditore/domain/phone.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

namespace {

bool e164_digits(const std::string& d) {
  return d.size() >= 8 && d.size() <= 15 && d.front() != '0' &&
         std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto text = fuzz::bytes(data, size);
  if (const auto id = domain::normalise_wa_id(text)) {
    require(e164_digits(*id), "a wa_id normalises to 8-15 digits not starting with 0");
    require(domain::normalise_wa_id(*id) == id, "a normalised wa_id normalises to itself");
    require(domain::normalise_phone("+" + *id) == id, "a wa_id with + is the same number typed");
  }
  for (const char* country : {"39", "1", "44", "353"}) {
    const auto number = domain::normalise_phone(text, country);
    if (!number) continue;
    require(e164_digits(*number), "a typed number normalises to 8-15 digits not starting with 0");
    require(domain::normalise_wa_id(*number) == number, "a normalised number is a valid wa_id of itself");
    require(domain::normalise_phone("+" + *number, country) == number, "a normalised number with + is itself");
    require(domain::normalise_phone("00" + *number, "39") == number, "00 is the same prefix as +");
  }
  return 0;
}

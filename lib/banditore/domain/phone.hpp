// Phone numbers brought to one form, E.164 digits without the "+"
// ("393331234567"), before they are hashed or encrypted: the same person
// must find the same subscription however the number was written.
// Results are values; nothing here throws on a bad number or puts one in a
// message.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace banditore::domain {

// A WhatsApp wa_id / "from" as Meta sends it ("393331234567"); a leading
// "+" or "00", spaces, dashes, dots and parentheses are also accepted.
// The result has 8 to 15 digits and does not start with 0; anything else
// (letters, a "+" inside, too short or long) is nullopt.
std::optional<std::string> normalise_wa_id(std::string_view text);

// A number typed by people (CSV imports). As normalise_wa_id, and when the
// default country is Italy ("39") also the national forms, which get "39"
// prepended with their leading 0 kept, as Italian numbering requires:
//   mobile   "333 123 4567"  (3 and 9-10 digits in all)  -> "393331234567"
//   landline "06 1234 5678"  (0 and 6-11 digits in all)  -> "390612345678"
// "+39 333..." and "0039 333..." are international already. For another
// default country national forms are not guessed (trunk prefixes differ):
// a number without "+" or "00" is read as carrying its country code.
// Throws std::invalid_argument when default_country is not 1-3 digits
// starting with 1-9 (a configuration error).
std::optional<std::string> normalise_phone(std::string_view text,
                                           std::string_view default_country = "39");

}  // namespace banditore::domain

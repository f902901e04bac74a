// Just enough UTF-8 for the domain: decoding citizens' texts, which may
// hold any bytes, and measuring texts against WhatsApp's limits, which are
// in characters (code points), not bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace banditore::domain::utf8 {

// Decodes the code point at text[pos] into cp and advances pos past it.
// On an invalid, truncated or overlong sequence, a surrogate or a value
// above U+10FFFF, returns false and advances pos by one byte, so a caller
// can skip bad bytes and go on. Requires pos < text.size().
bool next_code_point(std::string_view text, std::size_t& pos, char32_t& cp);

// Appends cp (at most U+10FFFF) encoded as UTF-8.
void append(std::string& out, char32_t cp);

// The number of code points, or nullopt when text is not valid UTF-8.
std::optional<std::size_t> count_code_points(std::string_view text);

}  // namespace banditore::domain::utf8

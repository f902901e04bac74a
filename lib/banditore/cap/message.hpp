// The WhatsApp text of a CAP alert: short, in Italian, readable on a phone
// lock screen. Headline in bold, where, when (local time), what to do, what
// is happening, and the link; always within the length WhatsApp shows.
#pragma once

#include <banditore/cap/alert.hpp>

#include <cstddef>
#include <string>

namespace banditore::cap {

struct render_options {
  // Limit in Unicode code points (WhatsApp counts characters, not bytes);
  // 1024 is the longest body of a template message.
  std::size_t max_chars = 1024;
  std::string time_zone = "Europe/Rome";  // see domain/local_time.hpp
};

// Renders alert.infos[info_index]. An Update starts "AGGIORNAMENTO: ", a
// Cancel "REVOCA: " and carries the reason (the alert's note, else the
// description) instead of validity and instruction. When too long, the
// description is cut first on a word boundary with "…", then the
// instruction, then the areas. Throws std::out_of_range for a bad index and
// std::invalid_argument for an unknown time zone.
std::string render_whatsapp_text(const cap_alert& alert, std::size_t info_index,
                                 const render_options& options = {});

// Code points of UTF-8 text, and its longest prefix of at most n of them.
std::size_t code_points(std::string_view utf8);
std::string_view prefix_code_points(std::string_view utf8, std::size_t n);

}  // namespace banditore::cap

// The validators of conditional GET (RFC 9110 section 13): HTTP dates as
// Last-Modified and If-Modified-Since carry them, and If-None-Match read
// against an entity tag. Pure functions; the public pages use them to
// answer 304.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace banditore::http {

// IMF-fixdate: "Wed, 02 Dec 2026 14:03:44 GMT" (seconds, UTC).
std::string http_date(std::int64_t unix_ms);

// Reads an IMF-fixdate; nullopt for anything else (RFC 9110 asks
// recipients to accept two obsolete forms; a cache that sends one merely
// gets a 200).
std::optional<std::int64_t> parse_http_date(std::string_view text);

// Whether an If-None-Match value ("*", or a list of entity tags, weak or
// strong) names etag, by weak comparison as RFC 9110 13.1.2 asks for GET.
bool none_match_hits(std::string_view if_none_match, std::string_view etag);

}  // namespace banditore::http

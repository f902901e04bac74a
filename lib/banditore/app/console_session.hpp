// What every console page will share about its session, with no HTML and
// no routes yet: the session cookie (its attributes, reading it back), the
// CSRF token bound to the session, and whether a request came over https.
// The cookie carries the session token; the store keeps its SHA-256 only.
#pragma once

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/keys.hpp>
#include <banditore/http/client_address.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace banditore::app {

// Over https the cookie is named with the __Host- prefix, which browsers
// accept only with Secure, Path=/ and no Domain: no subdomain or plain
// http page can set or shadow it. Over plain http (a laptop demo) the
// prefix would make browsers drop the cookie, so it has a plain name.
inline constexpr std::string_view secure_session_cookie = "__Host-banditore_session";
inline constexpr std::string_view plain_session_cookie = "banditore_session";

// The Set-Cookie value of a new session:
//   NAME=TOKEN; Path=/; Max-Age=SECONDS; HttpOnly[; Secure]; SameSite=Strict
// Max-Age is the session's absolute lifetime (the idle expiry is the
// server's); Secure (and the __Host- name) when secure.
std::string session_cookie(std::string_view token, std::int64_t max_age_seconds, bool secure);
// The Set-Cookie value that removes it at logout (Max-Age=0).
std::string cleared_session_cookie(bool secure);

// The session token in a Cookie header ("a=b; NAME=TOKEN"): the secure
// name first, then the plain one; nullopt when neither is there.
std::optional<std::string> session_token_from_cookies(std::string_view cookie_header);

// Whether the request came over https: served over TLS, or sent by a
// trusted proxy (BANDITORE_TRUSTED_PROXIES) saying X-Forwarded-Proto:
// https (its first value). From any other peer the header is ignored: a
// client must not be able to turn Secure off, nor on for plain http.
bool request_is_https(bool tls, std::string_view peer, std::string_view forwarded_proto,
                      const http::proxy_list& trusted);

// The key of the CSRF tokens: derived from the data keys' lookup key
// (HMAC-SHA256 with a fixed label), so it survives a restart, is never
// stored, and is no key used for anything else.
crypto::key csrf_key(const crypto::data_keys& keys);

// A session's CSRF token, for the hidden field of every state-changing
// form: base64url of HMAC-SHA256(key, label || SHA-256(session token)).
// Bound to the session: another session's token, or this one after the
// session ends, does not pass; it can be written into a page without
// revealing the session token.
std::string csrf_token(const crypto::key& key, std::string_view session_token);
// Constant-time comparison with the expected token; false for an empty
// or malformed one.
bool csrf_valid(const crypto::key& key, std::string_view session_token, std::string_view presented);

}  // namespace banditore::app

#include <banditore/app/console_session.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/crypto/password.hpp>

#include <algorithm>

namespace banditore::app {

namespace {

constexpr std::string_view csrf_label = "banditore console csrf v1";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    const auto pair = trim(header.substr(0, semi));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) {
      auto value = trim(pair.substr(eq + 1));
      // RFC 6265 allows a quoted value.
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

}  // namespace

std::string session_cookie(std::string_view token, std::int64_t max_age_seconds, bool secure) {
  std::string out(secure ? secure_session_cookie : plain_session_cookie);
  out += '=';
  out += token;
  out += "; Path=/; Max-Age=" + std::to_string(std::max<std::int64_t>(0, max_age_seconds));
  out += "; HttpOnly";
  if (secure) out += "; Secure";
  out += "; SameSite=Strict";
  return out;
}

std::string cleared_session_cookie(bool secure) { return session_cookie("", 0, secure); }

std::optional<std::string> session_token_from_cookies(std::string_view cookie_header) {
  if (auto v = cookie_value(cookie_header, secure_session_cookie)) return v;
  return cookie_value(cookie_header, plain_session_cookie);
}

bool request_is_https(bool tls, std::string_view peer, std::string_view forwarded_proto,
                      const http::proxy_list& trusted) {
  if (tls) return true;
  if (trusted.empty() || !trusted.contains(peer)) return false;
  auto first = trim(forwarded_proto.substr(0, forwarded_proto.find(',')));
  std::string lower(first);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return lower == "https";
}

crypto::key csrf_key(const crypto::data_keys& keys) {
  const auto d = crypto::hmac_sha256(keys.lookup, csrf_label);
  crypto::key k{};
  std::copy(d.begin(), d.end(), k.begin());
  return k;
}

std::string csrf_token(const crypto::key& key, std::string_view session_token) {
  const auto session_hash = crypto::sha256(session_token);
  std::string message(csrf_label);
  message.push_back('\0');
  message.append(reinterpret_cast<const char*>(session_hash.data()), session_hash.size());
  const auto mac = crypto::hmac_sha256(key, message);
  return crypto::base64url(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

bool csrf_valid(const crypto::key& key, std::string_view session_token, std::string_view presented) {
  if (session_token.empty() || presented.empty()) return false;
  return crypto::constant_time_equal(csrf_token(key, session_token), presented);
}

}  // namespace banditore::app

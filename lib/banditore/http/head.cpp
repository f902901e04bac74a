#include <banditore/http/head.hpp>

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace banditore::http {

namespace {

// RFC 9110 token characters, as a table: every field name of every
// message goes through it.
constexpr std::array<bool, 256> token_table = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool token_char(char c) { return token_table[static_cast<unsigned char>(c)]; }

void check_token(std::string_view what, std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), token_char))
    throw std::invalid_argument(std::string(what) + " is not an HTTP token");
}

// RFC 9110 5.6.1: #token, elements separated by commas with optional
// whitespace around them; empty elements are allowed and ignored.
bool token_list(std::string_view value) {
  while (true) {
    const auto comma = value.find(',');
    auto element = value.substr(0, comma);
    while (!element.empty() && (element.front() == ' ' || element.front() == '\t')) element.remove_prefix(1);
    while (!element.empty() && (element.back() == ' ' || element.back() == '\t')) element.remove_suffix(1);
    if (!std::all_of(element.begin(), element.end(), token_char)) return false;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

void check_field(std::string_view name, std::string_view value) {
  check_token("header name", name);
  // RFC 9110 5.5: a field value is visible characters, spaces and tabs
  // (and obs-text); CR, LF and NUL would break the framing, and Beast on
  // the other side refuses every other control character.
  if (std::any_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && u != '\t') || u == 0x7f;
      }))
    throw std::invalid_argument("header " + std::string(name) + " has a control character in its value");
  if (boost::beast::iequals(name, "Content-Length") || boost::beast::iequals(name, "Transfer-Encoding"))
    throw std::invalid_argument("header " + std::string(name) + " is set from the body");
  // RFC 9110 7.6.1: Connection = #connection-option, each a token; a
  // recipient (Beast among them) refuses the message otherwise.
  if ((boost::beast::iequals(name, "Connection") || boost::beast::iequals(name, "Proxy-Connection")) &&
      !token_list(value))
    throw std::invalid_argument("header " + std::string(name) + " is not a list of tokens");
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

void append_fields(std::string& out, std::initializer_list<field_view> defaults,
                   const std::vector<header_field>& fields) {
  for (const auto& d : defaults) {
    if (std::any_of(fields.begin(), fields.end(), [&](const header_field& f) { return boost::beast::iequals(f.name, d.name); }))
      continue;
    check_field(d.name, d.value);
    append_field(out, d.name, d.value);
  }
  for (const auto& f : fields) {
    check_field(f.name, f.value);
    append_field(out, f.name, f.value);
  }
}

}  // namespace

std::string request_head(std::string_view method, std::string_view target,
                         std::initializer_list<field_view> defaults, const std::vector<header_field>& fields,
                         std::size_t body_size) {
  check_token("method", method);
  if (target.empty() || std::any_of(target.begin(), target.end(), [](char c) {
        return static_cast<unsigned char>(c) <= ' ' || c == '\x7f';
      }))
    throw std::invalid_argument("request target is empty or has spaces or control characters");
  std::string out;
  out.reserve(128 + target.size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  append_fields(out, defaults, fields);
  // A body-less GET says nothing of its length, as Beast's prepare_payload did.
  if (body_size > 0 || method == "POST" || method == "PUT" || method == "PATCH")
    append_field(out, "Content-Length", std::to_string(body_size));
  out.append("\r\n");
  return out;
}

std::string response_head(int status, unsigned version, std::initializer_list<field_view> defaults,
                          const std::vector<header_field>& fields, std::size_t body_size, bool keep_alive) {
  if (status < 100 || status > 999) throw std::invalid_argument("status out of range");
  std::string out;
  out.reserve(160);
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(status)).append(" ");
  out.append(status_title(status)).append("\r\n");
  append_fields(out, defaults, fields);
  // RFC 9110: a 1xx, 204 or 304 answer has no body and says no length.
  const bool bodiless = status < 200 || status == 204 || status == 304;
  if (bodiless && body_size > 0) throw std::invalid_argument("a 1xx, 204 or 304 answer has no body");
  if (!bodiless) append_field(out, "Content-Length", std::to_string(body_size));
  // HTTP/1.1 keeps a connection unless told; HTTP/1.0 closes it unless told.
  if (version == 10 && keep_alive) append_field(out, "Connection", "keep-alive");
  if (version != 10 && !keep_alive) append_field(out, "Connection", "close");
  out.append("\r\n");
  return out;
}

std::string streamed_response_head(int status, unsigned version, std::initializer_list<field_view> defaults,
                                   const std::vector<header_field>& fields) {
  if (status < 200 || status > 999 || status == 204 || status == 304)
    throw std::invalid_argument("a streamed answer has a body");
  std::string out;
  out.reserve(200);
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(status)).append(" ");
  out.append(status_title(status)).append("\r\n");
  append_fields(out, defaults, fields);
  if (version != 10) append_field(out, "Transfer-Encoding", "chunked");
  append_field(out, "Connection", "close");
  out.append("\r\n");
  return out;
}

}  // namespace banditore::http

// The start line and header fields of an outgoing HTTP/1.1 message, as the
// bytes that go on the wire before the body. Beast parses what arrives; what
// leaves is a request or response of a few known fields, and writing it as
// one string with the body beside it costs a fraction of Beast's serializer
// (a share of every send's CPU at thousands of sends a second).
#pragma once

#include <banditore/http/message.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::http {

struct field_view {
  std::string_view name, value;
};

// "POST /v21.0/1/messages HTTP/1.1", the defaults, the given fields,
// Content-Length. A given field replaces a default of the same name
// (case-insensitive). Throws std::invalid_argument for a field that would
// break the framing or that a peer would refuse: a name that is not a token, a
// control character other than HTAB in a value,
// a Content-Length or Transfer-Encoding field, or a method or target with
// spaces or control characters.
std::string request_head(std::string_view method, std::string_view target,
                         std::initializer_list<field_view> defaults, const std::vector<header_field>& fields,
                         std::size_t body_size);

// "HTTP/1.1 200 OK", the defaults, the given fields, Content-Length (none
// for 1xx, 204 and 304, which have no body) and the Connection field the
// version needs for keep_alive. Same refusals, and a body for those three.
std::string response_head(int status, unsigned version, std::initializer_list<field_view> defaults,
                          const std::vector<header_field>& fields, std::size_t body_size, bool keep_alive);

// The head of a body written as it happens: no length; HTTP/1.1 says
// Transfer-Encoding: chunked, HTTP/1.0 ends the body by closing. Either
// way the connection closes after it. Same refusals.
std::string streamed_response_head(int status, unsigned version, std::initializer_list<field_view> defaults,
                                   const std::vector<header_field>& fields);

}  // namespace banditore::http

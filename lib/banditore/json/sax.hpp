// One JSON text read by Boost.JSON's event parser and handed to a handler
// with the member functions of nlohmann::json's SAX interface (null,
// boolean, number_integer, number_unsigned, number_float, string, key,
// start_object, end_object, start_array, end_array). Used where a message
// is read on every send: the send answer, the simulator's send request.
// Boost.JSON's parser runs several times fewer instructions per character
// than nlohmann's lexer, which copies every character twice.
//
// Strict JSON, as nlohmann's sax_parse: one value, then only whitespace; no
// comments; valid UTF-8; no number beyond a double's range; at most 32
// levels deep.
#pragma once

#include <boost/json/basic_parser_impl.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace banditore::json_events {

namespace detail {

template <class Handler>
struct adapter {
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);

  explicit adapter(Handler& h) : handler(h) {}
  Handler& handler;
  std::string text;  // a string or key that came in parts

  using error_code = boost::system::error_code;
  using string_view = boost::json::string_view;

  static bool ok(bool accepted, error_code& ec) {
    // A handler that refuses stops the parse; the parser wants a reason.
    if (!accepted) ec = boost::json::error::syntax;
    return accepted;
  }
  bool part(string_view s) {
    text.append(s.data(), s.size());
    return true;
  }
  // The whole string (the parts so far and the last one) to a handler event.
  template <class Event>
  bool whole(string_view last, error_code& ec, Event event) {
    part(last);
    const bool accepted = event(text);
    text.clear();
    return ok(accepted, ec);
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code& ec) { return ok(handler.start_array(std::size_t(-1)), ec); }
  bool on_array_end(std::size_t, error_code& ec) { return ok(handler.end_array(), ec); }
  bool on_object_begin(error_code& ec) { return ok(handler.start_object(std::size_t(-1)), ec); }
  bool on_object_end(std::size_t, error_code& ec) { return ok(handler.end_object(), ec); }
  bool on_string_part(string_view s, std::size_t, error_code&) { return part(s); }
  bool on_string(string_view s, std::size_t, error_code& ec) {
    return whole(s, ec, [this](std::string& t) { return handler.string(t); });
  }
  bool on_key_part(string_view s, std::size_t, error_code&) { return part(s); }
  bool on_key(string_view s, std::size_t, error_code& ec) {
    return whole(s, ec, [this](std::string& t) { return handler.key(t); });
  }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t i, string_view, error_code& ec) { return ok(handler.number_integer(i), ec); }
  bool on_uint64(std::uint64_t u, string_view, error_code& ec) { return ok(handler.number_unsigned(u), ec); }
  bool on_double(double d, string_view text, error_code& ec) {
    // Boost.JSON 1.81 does not always round correctly (the largest double
    // written out, 1.7976931348623158e308, comes back as infinity): the
    // number's text, whole when the input came in one piece, is read again
    // correctly rounded, as nlohmann reads it. 5e486 stays infinite, and
    // like nlohmann ("number overflow") this reader refuses it.
    if (!text.empty()) {
      double exact = 0;
      const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), exact);
      if (err == std::errc{} && end == text.data() + text.size()) d = exact;
    }
    if (!std::isfinite(d)) {
      ec = boost::json::error::exponent_overflow;
      return false;
    }
    static const std::string no_text;
    return ok(handler.number_float(d, no_text), ec);
  }
  bool on_bool(bool b, error_code& ec) { return ok(handler.boolean(b), ec); }
  bool on_null(error_code& ec) { return ok(handler.null(), ec); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

}  // namespace detail

// False when text is not one JSON value or the handler refused an event.
template <class Handler>
bool parse(std::string_view text, Handler& handler) {
  boost::json::basic_parser<detail::adapter<Handler>> parser(boost::json::parse_options{}, handler);
  boost::system::error_code ec;
  const auto used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec) return false;
  // The parser stops after the value; anything but whitespace after it is
  // a second value or garbage.
  return text.find_first_not_of(" \t\r\n", used) == std::string_view::npos;
}

}  // namespace banditore::json_events

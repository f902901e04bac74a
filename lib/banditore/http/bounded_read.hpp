// Reading one HTTP message with Beast's parser, driven from the calling
// coroutine instead of Beast's composed async_read. Beast's parser throws
// (std::length_error from basic_fields for a field of 65,534 bytes or more,
// which a trailer can carry since header_limit covers only the header)
// and inside a composed read that throw happens in a completion handler,
// outside any coroutine, and leaves io_context::run(): one request stopped
// the whole service. Here every parser call runs in the caller's frame, so
// the session or client call that owns the connection catches it. The
// buffer's max_size bounds what is held unparsed: a chunk-size line with
// its extensions, the trailer section. Private to http/*.cpp (it is the one
// header of http/ that includes Beast).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string_view>

namespace banditore::http::detail {

enum class read_until { header, message };

// Reads into buffer and feeds the parser until the header (or the whole
// message) is parsed. Errors are Beast's: need_more never, header_limit,
// body_limit, buffer_overflow when max_size bytes are held without a
// complete line or trailer section, end_of_stream on a clean close before
// a byte of this message, partial_message on a close in its middle.
template <class Stream, bool IsRequest, class Body, class Allocator>
boost::asio::awaitable<boost::system::error_code> bounded_read(
    Stream& stream, boost::beast::flat_buffer& buffer,
    boost::beast::http::parser<IsRequest, Body, Allocator>& parser, read_until until) {
  namespace asio = boost::asio;
  namespace bhttp = boost::beast::http;
  boost::system::error_code ec;
  parser.eager(until == read_until::message);
  for (;;) {
    if (parser.is_done() || (until == read_until::header && parser.is_header_done())) co_return ec;
    if (buffer.size() > 0) {
      const auto used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (!ec && used > 0) continue;
      if (ec && ec != bhttp::error::need_more) co_return ec;
      ec = {};
    }
    const std::size_t room = buffer.max_size() - buffer.size();
    if (room == 0) co_return make_error_code(bhttp::error::buffer_overflow);
    auto space = buffer.prepare(std::min<std::size_t>(room, 64 * 1024));
    auto [read_ec, n] = co_await stream.async_read_some(space, asio::as_tuple(asio::use_awaitable));
    buffer.commit(n);
    if (read_ec == asio::error::eof) {
      if (!parser.got_some()) co_return make_error_code(bhttp::error::end_of_stream);
      // A message delimited by the close (a response without a length);
      // anything else cut short is partial_message.
      parser.put_eof(ec);
      co_return ec;
    }
    if (read_ec) co_return read_ec;
  }
}

// Waits until at least one byte is buffered (a connection that has sent
// nothing yet), or an error.
template <class Stream>
boost::asio::awaitable<boost::system::error_code> await_first_bytes(Stream& stream,
                                                                    boost::beast::flat_buffer& buffer) {
  namespace asio = boost::asio;
  if (buffer.size() > 0) co_return boost::system::error_code{};
  auto space = buffer.prepare(std::min<std::size_t>(buffer.max_size(), 64 * 1024));
  auto [ec, n] = co_await stream.async_read_some(space, asio::as_tuple(asio::use_awaitable));
  buffer.commit(n);
  if (ec == asio::error::eof) co_return make_error_code(boost::beast::http::error::end_of_stream);
  co_return ec;
}

// What a buffer_overflow met while reading a chunked body held: the
// trailer section (the last chunk's line is complete) or a chunk-size line
// that never ended (extensions without end).
inline bool holds_trailer(std::string_view pending) {
  if (pending.starts_with("\r\n")) pending.remove_prefix(2);
  std::size_t i = 0;
  while (i < pending.size() && pending[i] == '0') ++i;
  if (i == 0) return false;
  if (i < pending.size() && std::isxdigit(static_cast<unsigned char>(pending[i]))) return false;
  return pending.find("\r\n", i) != std::string_view::npos;
}

}  // namespace banditore::http::detail

// A response body written as things happen (Server-Sent Events): the
// handler returns a response with `stream` set, the server writes the head
// and then runs that coroutine with a body_stream until it returns. The
// server holds the limits: so many held streams per client address and in
// all, a heartbeat while nothing is written, an absolute lifetime, and an
// end when the client leaves or the server stops. Beast stays in server.cpp.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string_view>

namespace banditore::http {

class body_stream {
 public:
  virtual ~body_stream() = default;
  // Writes bytes (one chunk of the body); false once the stream has ended:
  // the client left, the server is stopping, the lifetime is over or the
  // write failed. The producer then returns.
  virtual boost::asio::awaitable<bool> write(std::string_view bytes) = 0;
  // Waits at most this long, until wake() or the stream's end, writing
  // the response's heartbeat while nothing else is written; false once the
  // stream has ended.
  virtual boost::asio::awaitable<bool> wait(std::chrono::steady_clock::duration at_most) = 0;
  // Ends the current wait early, or the next one (something to write).
  virtual void wake() = 0;
  virtual bool ended() const = 0;
};

}  // namespace banditore::http

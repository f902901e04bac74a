#include <banditore/http/server.hpp>

#include <banditore/http/bounded_read.hpp>
#include <banditore/http/head.hpp>
#include <banditore/http/stream.hpp>
#include <banditore/log/log.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <random>
#include <optional>
#include <set>
#include <unordered_map>
#include <stdexcept>

namespace banditore::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

void parse_listen_address(std::string_view text, server_options& into) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    throw std::invalid_argument("listen address must be host:port, e.g. 127.0.0.1:8080");
  auto host = text.substr(0, colon);
  auto port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || p != port_text.data() + port_text.size() || port > 65535)
    throw std::invalid_argument("listen port must be a number from 0 to 65535");
  boost::system::error_code aec;
  auto address = asio::ip::make_address(host.empty() ? "0.0.0.0" : std::string(host), aec);
  if (aec) throw std::invalid_argument("listen host must be an IP address, e.g. 127.0.0.1 or [::1]");
  into.address = address.to_string();
  into.port = static_cast<std::uint16_t>(port);
}

namespace {

class held_stream;

struct connection_state {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;
  held_stream* held = nullptr;  // while a streamed body is written
};

// The body_stream of one streamed response: its writes framed as chunks
// (HTTP/1.1) or raw (HTTP/1.0, ended by the close), its waits bounded by
// the heartbeat and the lifetime, ended by end() (the client left, the
// server stops) or a failed write. One writer at a time: the producer.
class held_stream final : public body_stream {
 public:
  using clock = std::chrono::steady_clock;
  held_stream(beast::tcp_stream& stream, bool chunked, std::chrono::milliseconds write_timeout,
              std::chrono::milliseconds heartbeat, std::string heartbeat_text, clock::time_point end_at)
      : stream_(stream),
        timer_(stream.get_executor()),
        chunked_(chunked),
        write_timeout_(write_timeout),
        heartbeat_(heartbeat),
        heartbeat_text_(std::move(heartbeat_text)),
        end_at_(end_at),
        last_write_(clock::now()) {}

  asio::awaitable<bool> write(std::string_view bytes) override {
    if (ended()) co_return false;
    if (bytes.empty()) co_return true;
    std::string frame;
    if (chunked_) {
      char size[20];
      auto [p, e] = std::to_chars(size, size + sizeof size, bytes.size(), 16);
      frame.append(size, p).append("\r\n").append(bytes).append("\r\n");
    } else {
      frame.assign(bytes);
    }
    stream_.expires_after(write_timeout_);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(frame), use_nothrow);
    if (ec) {
      broken_ = true;
      end();
      co_return false;
    }
    written_ += n;
    last_write_ = clock::now();
    co_return !ended();
  }

  asio::awaitable<bool> wait(clock::duration at_most) override {
    const auto until = std::min(clock::now() + at_most, end_at_);
    while (!ended_ && !woken_) {
      const auto now = clock::now();
      if (now >= until) break;
      const bool beats = heartbeat_.count() > 0 && !heartbeat_text_.empty();
      if (beats && now >= last_write_ + heartbeat_) {
        const std::string_view beat = heartbeat_text_;
        if (!co_await write(beat)) break;
        continue;
      }
      timer_.expires_at(beats ? std::min(until, last_write_ + heartbeat_) : until);
      co_await timer_.async_wait(use_nothrow);
    }
    woken_ = false;
    co_return !ended();
  }

  void wake() override {
    woken_ = true;
    timer_.cancel();
  }

  bool ended() const override { return ended_ || clock::now() >= end_at_; }

  // The client left, the server stops, or a write failed.
  void end() {
    ended_ = true;
    timer_.cancel();
  }
  bool broken() const { return broken_; }
  std::size_t written() const { return written_; }
  void count(std::size_t n) { written_ += n; }

 private:
  beast::tcp_stream& stream_;
  asio::steady_timer timer_;
  bool chunked_;
  std::chrono::milliseconds write_timeout_, heartbeat_;
  std::string heartbeat_text_;
  clock::time_point end_at_, last_write_;
  bool ended_ = false, woken_ = false, broken_ = false;
  std::size_t written_ = 0;
};

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (unsigned char c : id)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

// address is canonical (an IPv4-mapped address written as IPv4).
bool is_loopback(const std::string& address) {
  boost::system::error_code ec;
  const auto a = asio::ip::make_address(address, ec);
  return !ec && a.is_loopback();
}

// Over a connection cap: retry shortly.
response busy() {
  auto res = problem(503, "Service Unavailable", "too many open connections; retry shortly");
  res.headers.push_back({"Retry-After", "1"});
  return res;
}

}  // namespace

struct server::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, server_options o, const router& r)
      : io_(io), options_(std::move(o)), routes_(r), acceptor_(io), all_closed_(io) {
    std::random_device rd;
    id_prefix_ = fmt_hex(rd()) ;
  }

  static std::string fmt_hex(unsigned v) {
    char buf[16];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v, 16);
    return std::string(buf, p);
  }

  std::string next_request_id() { return id_prefix_ + "-" + fmt_hex(unsigned(++request_counter_)); }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
      if (stopping_ || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        log::warn("http.accept_failed", {{"error", ec.message()}});
        // Out of descriptors: pause rather than spin.
        asio::steady_timer pause(io_, std::chrono::milliseconds(100));
        co_await pause.async_wait(use_nothrow);
        continue;
      }
      boost::system::error_code pec;
      const auto endpoint = socket.remote_endpoint(pec);
      std::string peer = pec ? std::string("unknown") : canonical_address(endpoint.address().to_string());
      // A trusted proxy carries everyone's connections: only the overall
      // caps apply to it.
      const bool per_address = !options_.trusted_proxies.contains(peer);
      const bool address_full = per_address && per_address_[peer] >= options_.max_connections_per_address;
      const bool general_full = connections_ - reserved_ >= options_.max_connections;
      if (address_full || (general_full && reserved_ >= options_.reserved_connections)) {
        if (per_address && per_address_[peer] == 0) per_address_.erase(peer);
        ++rejected_;
        asio::co_spawn(io_, reject_busy(std::move(socket)), asio::detached);
        continue;
      }
      const bool reserved = general_full;
      ++connections_;
      if (reserved) ++reserved_;
      if (per_address) ++per_address_[peer];
      auto done = [self, peer, reserved, per_address](std::exception_ptr e) {
        // session() catches what its connection throws; this is the last
        // guard, so nothing leaves io_context::run().
        if (e) log::error("http.session_failed", {{"remote", peer}, {"error", "exception outside the session"}});
        --self->connections_;
        if (reserved) --self->reserved_;
        if (per_address) {
          auto it = self->per_address_.find(peer);
          if (it != self->per_address_.end() && --it->second == 0) self->per_address_.erase(it);
        }
        if (self->stopping_ && self->connections_ == 0) self->all_closed_.cancel();
      };
      asio::co_spawn(io_, session(std::move(socket), peer, reserved), std::move(done));
    }
  }

  // Over the connection cap: a short 503 instead of a silent hang.
  asio::awaitable<void> reject_busy(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(2));
    auto res = busy();
    const auto request_id = next_request_id();
    boost::system::error_code ec;
    co_await write_response(stream, std::move(res), 11, false, request_id, false, ec);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  // The head written by hand (see head.hpp), the body beside it; the bytes
  // written, or 0 with ec set.
  static asio::awaitable<std::size_t> write_response(beast::tcp_stream& stream, response res, unsigned version,
                                                     bool keep_alive, const std::string& request_id, bool head,
                                                     boost::system::error_code& ec) {
    const auto wire_head = response_head(res.status, version,
                                         {{"Content-Type", res.content_type}, {"Cache-Control", "no-store"},
                                          {"X-Content-Type-Options", "nosniff"}, {"X-Request-Id", request_id}},
                                         res.headers, res.body.size(), keep_alive);
    // A HEAD answer says how long the body would be and sends none.
    const std::array<asio::const_buffer, 2> wire{asio::buffer(wire_head),
                                                 head ? asio::const_buffer{} : asio::buffer(res.body)};
    std::size_t written = 0;
    std::tie(ec, written) = co_await asio::async_write(stream, wire, use_nothrow);
    co_return written;
  }

  asio::awaitable<void> write_and_log(beast::tcp_stream& stream, response res, unsigned version,
                                      bool keep_alive, const std::string& request_id,
                                      std::string_view method, std::string_view path,
                                      std::chrono::steady_clock::time_point started, bool head,
                                      boost::system::error_code& ec) {
    int status = res.status;
    stream.expires_after(options_.write_timeout);
    const auto written = co_await write_response(stream, std::move(res), version, keep_alive, request_id, head, ec);
    auto lvl = status >= 500 ? log::level::error : log::level::info;
    // The fields are built only for a line that is written: a busy server
    // with info off (the simulator under a benchmark) skips them.
    if (!log::enabled(lvl)) co_return;
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    log::line(lvl, "http.request",
              {{"request_id", request_id}, {"method", method}, {"path", path}, {"status", status},
               {"ms", std::round(ms * 100) / 100}, {"bytes", written}});
  }

  // One place for whatever a connection throws (a parser, a handler's
  // bad_alloc): logged once with its address, and the connection ends.
  asio::awaitable<void> session(tcp::socket socket, std::string peer, bool reserved) {
    std::string failure;
    try {
      co_await serve(std::move(socket), peer, reserved);
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "unknown exception";
    }
    if (!failure.empty()) log::error("http.session_failed", {{"remote", peer}, {"error", failure}});
  }

  static bool path_in(std::string_view target, const std::vector<std::string>& paths) {
    const auto path = target.substr(0, target.find('?'));
    for (const auto& p : paths)
      if (p.ends_with('/') ? path.starts_with(p) : path == p) return true;
    return false;
  }
  bool reserved_path(std::string_view target) const { return path_in(target, options_.reserved_paths); }
  std::size_t body_limit_of(std::string_view target) const {
    return path_in(target, options_.large_body_paths) ? std::max(options_.max_body_bytes, options_.max_large_body_bytes)
                                                      : options_.max_body_bytes;
  }

  // The first field (in header, or from `from` on, in the trailer) longer
  // than the limit; empty when none.
  template <class Fields>
  std::string oversized_field(const Fields& fields, std::size_t from) const {
    std::size_t i = 0;
    for (const auto& f : fields) {
      if (i++ < from) continue;
      if (f.name_string().size() + f.value().size() > options_.max_field_bytes) return std::string(f.name_string());
    }
    return {};
  }

  asio::awaitable<void> serve(tcp::socket socket, const std::string& peer, bool reserved) {
    auto self = shared_from_this();
    boost::system::error_code ec;

    beast::tcp_stream stream(std::move(socket));
    // Its max_size bounds what is held unparsed (see bounded_read.hpp).
    beast::flat_buffer buffer(options_.max_header_bytes);
    connection_state state{&stream};
    live_.insert(&state);
    struct unregister {
      std::set<connection_state*>& set; connection_state* s;
      ~unregister() { set.erase(s); }
    } guard{live_, &state};
    const auto idle_timeout = reserved ? std::min(options_.idle_timeout, options_.reserved_idle_timeout)
                                       : options_.idle_timeout;
    const auto max_extension = options_.max_chunk_extension_bytes;
    auto check_chunk = [max_extension](std::uint64_t, beast::string_view extensions, beast::error_code& cec) {
      if (extensions.size() > max_extension) cec = bhttp::error::bad_chunk_extension;
    };

    bool refused = false;
    for (std::size_t n = 0; n < options_.max_requests_per_connection && !stopping_; ++n) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      // The largest any path allows until the head names the path.
      parser.body_limit(std::max(options_.max_body_bytes, options_.max_large_body_bytes));
      parser.on_chunk_header(check_chunk);
      // Nothing sent yet: the short idle timeout. From the first byte on,
      // the head has header_timeout to arrive. Until it has, a stop closes
      // the connection (idle).
      state.idle = true;
      stream.expires_after(idle_timeout);
      ec = co_await detail::await_first_bytes(stream, buffer);
      if (!ec) {
        stream.expires_after(options_.header_timeout);
        ec = co_await detail::bounded_read(stream, buffer, parser, detail::read_until::header);
      }
      state.idle = false;
      const auto started = std::chrono::steady_clock::now();
      const auto request_id = next_request_id();

      // Answers are built into named locals before each co_await: g++ 12
      // destroys temporaries of a co_await expression twice.
      if (ec) {
        std::optional<response> refusal;
        if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
          refusal = problem(431, "Request Header Fields Too Large",
                            "the request line and headers exceed " + std::to_string(options_.max_header_bytes) + " bytes");
        else if (ec == bhttp::error::body_limit)  // Content-Length already over the largest limit
          refusal = problem(413, "Content Too Large",
                            "request body exceeds " +
                                std::to_string(std::max(options_.max_body_bytes, options_.max_large_body_bytes)) +
                                " bytes");
        else if (ec != bhttp::error::end_of_stream && ec != beast::error::timeout &&
                 ec != asio::error::operation_aborted && ec != asio::error::eof &&
                 ec != asio::error::connection_reset && (buffer.size() > 0 || parser.got_some()))
          refusal = problem(400, "Bad Request", "malformed HTTP request");
        if (refusal) co_await write_and_log(stream, std::move(*refusal), 11, false, request_id, "-", "-", started, false, ec);
        refused = refusal.has_value();
        break;
      }

      auto& header = parser.get();
      const unsigned version = header.version();
      const std::string method(header.method_string());
      const std::size_t body_limit = body_limit_of(header.target());
      auto too_large = [body_limit] { return "request body exceeds " + std::to_string(body_limit) + " bytes"; };
      std::optional<response> refusal;
      const auto long_field = oversized_field(header, 0);
      if (header.target().size() > options_.max_target_bytes)
        refusal = problem(414, "URI Too Long",
                          "the request target exceeds " + std::to_string(options_.max_target_bytes) + " bytes");
      else if (!long_field.empty())
        refusal = problem(431, "Request Header Fields Too Large",
                          "a header field exceeds " + std::to_string(options_.max_field_bytes) + " bytes");
      else if (auto len = parser.content_length(); len && *len > body_limit)
        refusal = problem(413, "Content Too Large", too_large());
      else if (reserved && !reserved_path(header.target()))
        refusal = busy();
      if (refusal) {
        co_await write_and_log(stream, std::move(*refusal), version, false, request_id, method, "-", started, false, ec);
        refused = true;
        break;
      }
      // The fields as the head gave them: trailer fields, which Beast's
      // parser appends to the same list, are read and dropped (RFC 9110
      // 6.5.1: no merging them into the header unless a field allows it).
      const auto header_fields = static_cast<std::size_t>(std::distance(header.begin(), header.end()));
      std::vector<header_field> fields;
      fields.reserve(header_fields);
      std::string forwarded_for;
      for (const auto& field : header) {
        fields.push_back({std::string(field.name_string()), std::string(field.value())});
        if (beast::iequals(field.name_string(), "X-Forwarded-For"))
          forwarded_for.append(forwarded_for.empty() ? "" : ",").append(field.value());
      }
      if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
        stream.expires_after(options_.write_timeout);
        std::tie(ec, std::ignore) = co_await bhttp::async_write(stream, cont, use_nothrow);
        if (ec) break;
      }

      parser.body_limit(body_limit);  // no body octet parsed yet: the head is all that was read
      stream.expires_after(options_.read_timeout);
      ec = co_await detail::bounded_read(stream, buffer, parser, detail::read_until::message);
      if (ec) {
        const std::string_view pending(static_cast<const char*>(buffer.data().data()), buffer.size());
        if (ec == bhttp::error::body_limit)
          refusal = problem(413, "Content Too Large", too_large());
        else if (ec == bhttp::error::buffer_overflow && detail::holds_trailer(pending))
          refusal = problem(431, "Request Header Fields Too Large",
                            "the trailer section exceeds " + std::to_string(options_.max_header_bytes) + " bytes");
        else if (ec == bhttp::error::buffer_overflow)
          refusal = problem(400, "Bad Request",
                            "a chunk-size line exceeds " + std::to_string(options_.max_header_bytes) + " bytes");
        else if (ec == bhttp::error::bad_chunk_extension)
          refusal = problem(400, "Bad Request",
                            "chunk extensions must be well-formed and at most " +
                                std::to_string(options_.max_chunk_extension_bytes) + " bytes");
        else if (ec != beast::error::timeout && ec != asio::error::operation_aborted &&
                 ec != asio::error::eof && ec != bhttp::error::end_of_stream &&
                 ec != bhttp::error::partial_message && ec != asio::error::connection_reset)
          refusal = problem(400, "Bad Request", "malformed HTTP request body");
        if (refusal) co_await write_and_log(stream, std::move(*refusal), version, false, request_id, method, "-", started, false, ec);
        refused = refusal.has_value();
        break;
      }
      if (!oversized_field(parser.get(), header_fields).empty()) {
        auto trailer_refusal = problem(431, "Request Header Fields Too Large",
                                       "a trailer field exceeds " + std::to_string(options_.max_field_bytes) + " bytes");
        co_await write_and_log(stream, std::move(trailer_refusal), version, false, request_id, method, "-", started, false, ec);
        refused = true;
        break;
      }

      auto msg = parser.release();
      request req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      auto qpos = req.target.find('?');
      auto decoded = percent_decode(std::string_view(req.target).substr(0, qpos), false);
      if (qpos != std::string::npos) req.query = req.target.substr(qpos + 1);
      req.headers = std::move(fields);
      req.body = std::move(msg.body());
      auto given_id = req.header("X-Request-Id");
      req.request_id = sane_request_id(given_id) ? std::string(given_id) : request_id;
      req.remote_address = client_address(peer, forwarded_for, options_.trusted_proxies);
      req.remote_is_loopback = is_loopback(req.remote_address);
      response res;
      std::string failure;
      if (!decoded || decoded->empty() || decoded->front() != '/') {
        res = problem(400, "Bad Request", "the request target is not a valid path");
      } else {
        req.path = std::move(*decoded);
        int status = 404;
        if (auto h = routes_.match(req, status)) {
          try {
            res = co_await (*h)(req);
          } catch (const std::exception& e) {
            failure = e.what();
          }
          if (!failure.empty()) {
            log::error("http.handler_failed", {{"request_id", req.request_id}, {"path", req.path}, {"error", failure}});
            const std::string detail = "the request could not be completed; it has been logged as " + req.request_id;
            res = problem(500, "Internal Server Error", detail);
          }
        } else {
          const std::string detail = req.method + " is not allowed on " + req.path;
          res = status == 405 ? problem(405, "Method Not Allowed", detail)
                              : problem(404, "Not Found", "no resource at this path");
        }
      }
      const bool head = req.method == "HEAD";
      if (res.stream && !head && res.status == 200) {
        // The connection ends with the stream.
        co_await serve_stream(stream, std::move(res), version, req, started, state);
        break;
      }
      res.stream = nullptr;
      const bool keep_alive = msg.keep_alive() && !stopping_ && n + 1 < options_.max_requests_per_connection;
      const std::string_view logged_path = req.path.empty() ? std::string_view("-") : std::string_view(req.path);
      co_await write_and_log(stream, std::move(res), version, keep_alive, req.request_id, req.method,
                             logged_path, started, head, ec);
      if (ec || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    // After a refusal the peer may still be sending what was refused;
    // closing with it unread would reset the connection and could destroy
    // the answer before the peer reads it. A little is read and dropped.
    if (refused && !ec) co_await drain(stream);
  }

  // A streamed response: refused over the limits; else the head, then
  // the producer until it returns, while a reader watches for the client
  // leaving. The terminating chunk says the body is whole; after a failure
  // the connection just closes, so the client sees it cut short.
  asio::awaitable<void> serve_stream(beast::tcp_stream& stream, response res, unsigned version, const request& req,
                                     std::chrono::steady_clock::time_point started, connection_state& state) {
    boost::system::error_code ec;
    const std::string address = req.remote_address;
    std::optional<response> refusal;
    if (stopping_) {
      refusal = problem(503, "Service Unavailable", "the server is stopping; reconnect shortly");
      refusal->headers.push_back({"Retry-After", "5"});
    } else if (streams_ >= options_.max_streams) {
      refusal = problem(503, "Service Unavailable",
                        "at most " + std::to_string(options_.max_streams) + " event streams are held open at once; retry shortly");
      refusal->headers.push_back({"Retry-After", "5"});
    } else if (streams_of_[address] >= options_.max_streams_per_address) {
      refusal = problem(429, "Too Many Requests",
                        "at most " + std::to_string(options_.max_streams_per_address) +
                            " event streams per client address are held open at once; close one (another tab or "
                            "window) or retry later");
      refusal->headers.push_back({"Retry-After", "5"});
    }
    if (refusal) {
      if (streams_of_[address] == 0) streams_of_.erase(address);
      co_await write_and_log(stream, std::move(*refusal), version, false, req.request_id, req.method, req.path,
                             started, false, ec);
      co_return;
    }
    ++streams_;
    ++streams_of_[address];
    struct release {
      impl& self;
      const std::string& address;
      ~release() {
        --self.streams_;
        if (auto it = self.streams_of_.find(address); it != self.streams_of_.end() && --it->second == 0)
          self.streams_of_.erase(it);
      }
    } slot{*this, address};

    held_stream body(stream, version != 10, options_.write_timeout, options_.stream_heartbeat, res.heartbeat,
                     std::chrono::steady_clock::now() + options_.stream_lifetime);
    state.held = &body;
    struct unhold {
      connection_state& s;
      ~unhold() { s.held = nullptr; }
    } unhold_guard{state};

    const auto wire_head = streamed_response_head(
        res.status, version,
        {{"Content-Type", res.content_type}, {"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"},
         {"X-Request-Id", req.request_id}, {"X-Accel-Buffering", "no"}},
        res.headers);
    stream.expires_after(options_.write_timeout);
    std::size_t written = 0;
    std::tie(ec, written) = co_await asio::async_write(stream, asio::buffer(wire_head), use_nothrow);
    body.count(written);

    // The reader: EventSource sends nothing after its request, so any end
    // of the connection's read side is the client leaving.
    bool reader_done = false;
    asio::steady_timer reader_finished(io_);
    auto& socket = stream.socket();
    auto watch = [&socket, &body, &reader_done, &reader_finished]() -> asio::awaitable<void> {
      std::array<char, 512> sink;
      std::size_t got = 0;
      for (;;) {
        auto [rec, n] = co_await socket.async_read_some(asio::buffer(sink), use_nothrow);
        if (rec) break;
        got += n;
        if (got > 64 * 1024) break;  // not an event-stream client
      }
      body.end();
      reader_done = true;
      reader_finished.cancel();
    };
    std::string failure;
    if (!ec) {
      auto on_reader_end = [&reader_done, &reader_finished](std::exception_ptr) {
        reader_done = true;
        reader_finished.cancel();
      };
      asio::co_spawn(io_, watch(), std::move(on_reader_end));
      try {
        co_await res.stream(body);
      } catch (const std::exception& e) {
        failure = e.what();
      } catch (...) {
        failure = "unknown exception";
      }
      if (!failure.empty())
        log::error("http.stream_failed", {{"request_id", req.request_id}, {"path", req.path}, {"error", failure}});
      const bool whole = failure.empty() && !body.broken();
      body.end();
      if (whole && version != 10) {
        stream.expires_after(options_.write_timeout);
        static constexpr std::string_view last_chunk = "0\r\n\r\n";
        std::size_t n = 0;
        std::tie(ec, n) = co_await asio::async_write(stream, asio::buffer(last_chunk), use_nothrow);
        body.count(n);
      }
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_send, ignored);
      socket.cancel(ignored);
      while (!reader_done) {
        reader_finished.expires_at(std::chrono::steady_clock::time_point::max());
        co_await reader_finished.async_wait(use_nothrow);
      }
    }
    if (log::enabled(log::level::info)) {
      auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      log::info("http.request", {{"request_id", req.request_id}, {"method", req.method}, {"path", req.path},
                                 {"status", res.status}, {"ms", std::round(ms * 100) / 100},
                                 {"bytes", body.written()}, {"streamed", true}});
    }
  }

  static asio::awaitable<void> drain(beast::tcp_stream& stream) {
    std::array<char, 16 * 1024> sink;
    stream.expires_after(std::chrono::seconds(1));
    for (std::size_t dropped = 0; dropped < 256 * 1024;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_nothrow);
      if (ec) break;
      dropped += n;
    }
  }

  asio::io_context& io_;
  server_options options_;
  const router& routes_;
  tcp::acceptor acceptor_;
  asio::steady_timer all_closed_;
  std::set<connection_state*> live_;
  std::size_t connections_ = 0;  // all open, reserved ones included
  std::size_t reserved_ = 0;     // open beyond max_connections
  std::unordered_map<std::string, std::size_t> per_address_;
  std::size_t streams_ = 0;
  std::unordered_map<std::string, std::size_t> streams_of_;  // by client address
  std::uint16_t port_ = 0;
  std::size_t rejected_ = 0;
  bool stopping_ = false;
  std::string id_prefix_;
  std::uint64_t request_counter_ = 0;
};

server::server(asio::io_context& io, server_options options, const router& routes)
    : impl_(std::make_shared<impl>(io, std::move(options), routes)) {}

server::~server() {
  boost::system::error_code ec;
  impl_->acceptor_.close(ec);
}

void server::start() {
  auto& a = impl_->acceptor_;
  tcp::endpoint ep(asio::ip::make_address(impl_->options_.address), impl_->options_.port);
  a.open(ep.protocol());
  a.set_option(tcp::acceptor::reuse_address(true));
  a.bind(ep);
  a.listen(asio::socket_base::max_listen_connections);
  impl_->port_ = a.local_endpoint().port();
  asio::co_spawn(impl_->io_, impl_->accept_loop(), [](std::exception_ptr e) {
    if (e) {
      try { std::rethrow_exception(e); } catch (const std::exception& x) {
        log::error("http.accept_loop_failed", {{"error", x.what()}});
      }
    }
  });
}

std::uint16_t server::port() const { return impl_->port_; }

std::size_t server::open_connections() const { return impl_->connections_; }

std::size_t server::refused_connections() const { return impl_->rejected_; }

std::size_t server::open_streams() const { return impl_->streams_; }

asio::awaitable<void> server::stop() {
  auto self = impl_;
  self->stopping_ = true;
  boost::system::error_code ec;
  self->acceptor_.close(ec);
  for (auto* state : self->live_) {
    if (state->idle) state->stream->cancel();
    // A held stream ends now, not at its lifetime.
    if (state->held) state->held->end();
  }
  while (self->connections_ > 0) {
    self->all_closed_.expires_at(std::chrono::steady_clock::time_point::max());
    co_await self->all_closed_.async_wait(use_nothrow);
  }
}

}  // namespace banditore::http

#include <banditore/http/client.hpp>

#include <banditore/http/bounded_read.hpp>
#include <banditore/http/head.hpp>
#include <banditore/log/log.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>

#include <array>
#include <deque>
#include <iterator>
#include <stdexcept>

namespace banditore::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::optional<base_url> parse_base_url(std::string_view text) {
  base_url out;
  if (text.starts_with("https://")) {
    out.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  auto slash = text.find('/');
  auto authority = text.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : text.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.prefix = std::string(path);
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port = authority.substr(close + 2);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || host.find('@') != std::string_view::npos) return std::nullopt;
  for (char c : port)
    if (c < '0' || c > '9') return std::nullopt;
  out.host = std::string(host);
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  return out;
}

namespace {

// A response's status line and header fields together, and the most held
// unparsed later (a chunk-size line, the trailer section); bigger ones end
// the call with a transport error.
constexpr std::size_t max_response_head_bytes = 16 * 1024;
constexpr std::size_t max_chunk_extension_bytes = 256;

struct connection {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer{max_response_head_bytes};
  bool connected = false;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

std::string describe(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return "timeout";
  if (ec == bhttp::error::buffer_overflow || ec == bhttp::error::header_limit)
    return "the answer's head, a chunk line or its trailer exceeds " + std::to_string(max_response_head_bytes) + " bytes";
  return ec.message();
}

bool stale_connection_error(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == bhttp::error::end_of_stream ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

struct client::impl : std::enable_shared_from_this<impl> {
  impl(asio::any_io_executor ex, client_options o)
      : executor_(std::move(ex)), options_(std::move(o)), tls_context_(ssl::context::tls_client) {
    auto url = parse_base_url(options_.base);
    if (!url) throw std::invalid_argument("base URL must be http:// or https:// followed by a host");
    url_ = *url;
    // RFC 9110: the port is part of Host unless it is the scheme's default.
    const bool default_port = url_.port == (url_.tls ? "443" : "80");
    const bool ipv6 = url_.host.find(':') != std::string::npos;
    host_field_ = ipv6 ? "[" + url_.host + "]" : url_.host;
    if (!default_port) host_field_ += ":" + url_.port;
    if (url_.tls) {
      tls_context_.set_default_verify_paths();
      if (!options_.ca_file.empty()) tls_context_.load_verify_file(options_.ca_file);
      tls_context_.set_verify_mode(ssl::verify_peer);
      tls_context_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                               ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                               ssl::context::no_tlsv1_1);
    }
    if (options_.max_connections == 0) options_.max_connections = 1;
  }

  asio::awaitable<std::unique_ptr<connection>> acquire() {
    for (;;) {
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        co_return c;
      }
      if (open_ < options_.max_connections) {
        ++open_;
        co_return std::make_unique<connection>();
      }
      asio::steady_timer wake(executor_, std::chrono::steady_clock::time_point::max());
      waiters_.push_back(&wake);
      co_await wake.async_wait(use_nothrow);
      std::erase(waiters_, &wake);
    }
  }

  void release(std::unique_ptr<connection> c, bool reusable) {
    if (reusable) {
      idle_.push_back(std::move(c));
    } else {
      --open_;
    }
    if (!waiters_.empty()) waiters_.front()->cancel();
  }

  asio::awaitable<boost::system::error_code> connect(connection& c) {
    tcp::resolver resolver(executor_);
    auto [ec, results] = co_await resolver.async_resolve(url_.host, url_.port, use_nothrow);
    if (ec) co_return ec;
    if (url_.tls) {
      c.tls.emplace(executor_, tls_context_);
      if (!SSL_set_tlsext_host_name(c.tls->native_handle(), url_.host.c_str()))
        co_return boost::system::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
      c.tls->set_verify_callback(ssl::host_name_verification(url_.host));
    } else {
      c.plain.emplace(executor_);
    }
    auto& low = c.lowest();
    low.expires_after(options_.connect_timeout);
    std::tie(ec, std::ignore) = co_await low.async_connect(results, use_nothrow);
    if (ec) co_return ec;
    low.socket().set_option(tcp::no_delay(true), ec);
    if (url_.tls) {
      std::tie(ec) = co_await c.tls->async_handshake(ssl::stream_base::client, use_nothrow);
      if (ec) co_return ec;
    }
    c.connected = true;
    co_return boost::system::error_code{};
  }

  template <class Stream>
  asio::awaitable<boost::system::error_code> exchange(Stream& stream, connection& c,
                                                      const std::array<asio::const_buffer, 2>& request,
                                                      bhttp::response_parser<bhttp::string_body>& parser) {
    c.lowest().expires_after(options_.request_timeout);
    auto [ec, n] = co_await asio::async_write(stream, request, use_nothrow);
    if (ec) co_return ec;
    ec = co_await detail::bounded_read(stream, c.buffer, parser, detail::read_until::message);
    co_return ec;
  }

  asio::awaitable<client_response> request(std::string_view method, std::string_view path,
                                           std::string body, std::vector<header_field> headers) {
    auto self = shared_from_this();
    const auto head = request_head(method, url_.prefix + std::string(path),
                                   {{"Host", host_field_}, {"User-Agent", "banditore"}}, headers, body.size());
    const std::array<asio::const_buffer, 2> wire{asio::buffer(head), asio::buffer(body)};

    client_response out;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto c = co_await acquire();
      const bool reused = c->connected;
      boost::system::error_code ec;
      if (!reused) ec = co_await connect(*c);
      if (ec) {
        release(std::move(c), false);
        out.transport_error = describe(ec);
        out.timed_out = ec == beast::error::timeout;
        co_return out;
      }
      bhttp::response_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(max_response_head_bytes));
      parser.body_limit(options_.max_response_bytes);
      auto check_chunk = [](std::uint64_t, beast::string_view extensions, beast::error_code& cec) {
        if (extensions.size() > max_chunk_extension_bytes) cec = bhttp::error::bad_chunk_extension;
      };
      parser.on_chunk_header(check_chunk);
      // The one place a call catches what reading its answer throws (a
      // parser, an allocation): the connection is dropped and the call
      // ends with a transport error, never an exception.
      std::string failure;
      try {
        if (c->tls)
          ec = co_await exchange(*c->tls, *c, wire, parser);
        else
          ec = co_await exchange(*c->plain, *c, wire, parser);
      } catch (const std::exception& e) {
        failure = e.what();
      } catch (...) {
        failure = "unknown exception";
      }
      if (!failure.empty()) {
        log::error("http.client_failed", {{"host", url_.host}, {"error", failure}});
        release(std::move(c), false);
        out.transport_error = "unreadable answer: " + failure;
        co_return out;
      }
      if (ec) {
        release(std::move(c), false);
        // A kept-alive connection the server closed meanwhile: try once on a
        // fresh one. A timeout is not retried here: the server may have acted.
        if (reused && attempt == 0 && stale_connection_error(ec)) continue;
        out.transport_error = describe(ec);
        out.timed_out = ec == beast::error::timeout;
        co_return out;
      }
      auto res = parser.release();
      out.status = static_cast<int>(res.result_int());
      out.headers.reserve(static_cast<std::size_t>(std::distance(res.begin(), res.end())));
      for (const auto& f : res) out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
      out.body = std::move(res.body());
      release(std::move(c), res.keep_alive());
      co_return out;
    }
    co_return out;
  }

  asio::any_io_executor executor_;
  client_options options_;
  base_url url_;
  std::string host_field_;
  ssl::context tls_context_;
  std::vector<std::unique_ptr<connection>> idle_;
  std::deque<asio::steady_timer*> waiters_;
  std::size_t open_ = 0;
};

client::client(asio::any_io_executor executor, client_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(options))) {}

client::~client() = default;

asio::awaitable<client_response> client::request(std::string_view method, std::string_view path,
                                                 std::string body, std::vector<header_field> headers) {
  return impl_->request(method, path, std::move(body), std::move(headers));
}

void client::close_idle() {
  impl_->open_ -= impl_->idle_.size();
  impl_->idle_.clear();
}

}  // namespace banditore::http

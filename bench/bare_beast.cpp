// The yardstick of bench/ingest: the smallest Beast HTTP/1.1 server that
// reads a request with its body and answers 200 with a short JSON body,
// keep-alive, one thread, shaped like Beast's own awaitable example
// (example/http/server/awaitable). Whatever banditore does beyond this is
// its cost of ingest.
//
//   ./build/release/bench/bare_beast --port-file /tmp/bare.port
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

namespace {

asio::awaitable<void> session(beast::tcp_stream stream) {
  beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(std::chrono::seconds(30));
    beast::http::request<beast::http::string_body> req;
    auto [read_error, read_bytes] = co_await beast::http::async_read(stream, buffer, req, use_nothrow);
    if (read_error) break;
    beast::http::response<beast::http::string_body> res{beast::http::status::ok, req.version()};
    res.set(beast::http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = R"({"messages":1,"skipped":0,"statuses":0})";
    res.prepare_payload();
    auto [write_error, written] = co_await beast::http::async_write(stream, res, use_nothrow);
    if (write_error || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> listen(tcp::acceptor& acceptor) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(use_nothrow);
    if (error) co_return;
    asio::co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket))), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string port_file;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::string(argv[i]) == "--port-file") port_file = argv[i + 1];
  asio::io_context io{1};
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  if (!port_file.empty()) {
    std::ofstream tmp(port_file + ".tmp");
    tmp << acceptor.local_endpoint().port() << "\n";
    tmp.close();
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  asio::co_spawn(io, listen(acceptor), asio::detached);
  io.run();
  return 0;
}

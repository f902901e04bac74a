// The load both HTTP benchmarks put on a server: C keep-alive connections
// on one thread, each sending its next request as soon as the answer to
// the last has been read whole, for a warm-up and then a measured span.
// Reports requests per second, p50 and p99 latency and the server's CPU.
#pragma once

#include "process.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <strings.h>

namespace bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

struct load {
  tcp::endpoint target;
  std::function<std::string(std::uint64_t)> next_request;
  std::uint64_t sent = 0;
  std::uint64_t max_requests = UINT64_MAX;  // a fixed count instead of a span (profiling)
  steady::time_point measure_from, stop_at;
  std::vector<std::int64_t> latencies_us;  // answers of requests started after the warm-up
  std::uint64_t ok = 0;                    // all 200 answers, warm-up included
  std::uint64_t not_ok = 0, io_errors = 0;
};

// Content-Length of a response head, or -1.
inline long content_length(std::string_view head) {
  for (std::size_t pos = head.find("\r\n"); pos != std::string_view::npos; pos = head.find("\r\n", pos + 2)) {
    auto line = head.substr(pos + 2, head.find("\r\n", pos + 2) - pos - 2);
    if (line.size() > 15 && strncasecmp(line.data(), "content-length:", 15) == 0)
      return std::stol(std::string(line.substr(15)));
  }
  return -1;
}

inline asio::awaitable<void> drive(load& l) {
  auto ex = co_await asio::this_coro::executor;
  while (steady::now() < l.stop_at && l.sent < l.max_requests) {
    tcp::socket socket(ex);
    auto [connect_error] = co_await socket.async_connect(l.target, use_nothrow);
    if (connect_error) {
      ++l.io_errors;
      co_return;
    }
    socket.set_option(tcp::no_delay(true));
    std::string buffer;
    bool open = true;
    while (open && steady::now() < l.stop_at) {
      if (l.sent >= l.max_requests) co_return;
      const auto request = l.next_request(l.sent++);
      const auto started = steady::now();
      const auto out = asio::buffer(request);
      auto [write_error, written] = co_await asio::async_write(socket, out, use_nothrow);
      if (write_error) { ++l.io_errors; break; }
      auto dynamic = asio::dynamic_buffer(buffer);
      auto [read_error, head_size] = co_await asio::async_read_until(socket, dynamic, "\r\n\r\n", use_nothrow);
      if (read_error) { ++l.io_errors; break; }
      const std::string_view head(buffer.data(), head_size);
      const long body = content_length(head);
      const std::size_t whole = head_size + static_cast<std::size_t>(std::max(0L, body));
      open = head.find("onnection: close") == std::string_view::npos;
      const bool is_200 = head.starts_with("HTTP/1.1 200");
      if (buffer.size() < whole) {
        auto rest = asio::transfer_exactly(whole - buffer.size());
        auto more = asio::dynamic_buffer(buffer);
        auto [body_error, body_size] = co_await asio::async_read(socket, more, rest, use_nothrow);
        if (body_error) { ++l.io_errors; break; }
      }
      buffer.erase(0, whole);
      const auto finished = steady::now();
      if (is_200) ++l.ok; else ++l.not_ok;
      if (started >= l.measure_from)
        l.latencies_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(finished - started).count());
    }
  }
}

struct figures {
  std::string name;
  double rps = 0, p50_ms = 0, p99_ms = 0, server_cpu = 0;
  double seconds = 0;  // the span measured
  std::uint64_t ok = 0, not_ok = 0, io_errors = 0;
};

// With `requests` > 0, exactly that many requests and no warm-up (under a
// profiler, where the count matters and time does not); otherwise `seconds`
// after half a second of warm-up.
inline figures run_load(const std::string& name, std::uint16_t port, int connections, double seconds,
                 std::function<std::string(std::uint64_t)> next_request, pid_t server, std::uint64_t requests = 0) {
  load l;
  l.target = tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
  l.next_request = std::move(next_request);
  const auto warm_up = std::chrono::milliseconds(requests > 0 ? 0 : 500);
  l.measure_from = steady::now() + warm_up;
  l.stop_at = requests > 0 ? steady::time_point::max()
                           : l.measure_from + std::chrono::microseconds(static_cast<std::int64_t>(seconds * 1e6));
  if (requests > 0) l.max_requests = requests;
  asio::io_context io{1};
  for (int i = 0; i < connections; ++i) asio::co_spawn(io, drive(l), asio::detached);
  double cpu_before = 0;
  std::thread cpu_probe([&] {
    std::this_thread::sleep_until(l.measure_from);
    cpu_before = cpu_seconds(server);
  });
  io.run();
  cpu_probe.join();
  if (requests > 0) seconds = std::chrono::duration<double>(steady::now() - l.measure_from).count();
  figures f;
  f.name = name;
  f.server_cpu = cpu_seconds(server) - cpu_before;
  f.seconds = seconds;
  f.ok = l.ok;
  f.not_ok = l.not_ok;
  f.io_errors = l.io_errors;
  auto& lat = l.latencies_us;
  std::sort(lat.begin(), lat.end());
  if (!lat.empty()) {
    f.rps = static_cast<double>(lat.size()) / seconds;
    f.p50_ms = static_cast<double>(lat[lat.size() / 2]) / 1000.0;
    f.p99_ms = static_cast<double>(lat[std::min(lat.size() - 1, lat.size() * 99 / 100)]) / 1000.0;
  }
  return f;
}

}  // namespace bench

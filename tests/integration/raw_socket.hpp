// A plain TCP connection for tests that must send what no HTTP client
// would: oversized trailers, endless chunk extensions, idle sockets from a
// chosen loopback address. Blocking, every wait bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace harness {

class raw_socket {
 public:
  // Connects to 127.0.0.1:port from source (any 127.x.y.z address: Linux
  // routes the whole 127/8 block to loopback). Throws on failure.
  explicit raw_socket(std::uint16_t port, const std::string& source = "127.0.0.1");
  // A listening socket on 127.0.0.1 and a free port.
  static raw_socket listener();
  ~raw_socket();
  raw_socket(raw_socket&&) noexcept;
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  std::uint16_t local_port() const;
  // The next connection on a listener, within the deadline; throws if none.
  raw_socket accept(std::chrono::milliseconds deadline);
  // Sends everything; false once the peer has closed or reset.
  bool send_all(std::string_view bytes);
  // Whether something (data or a close) can be read within the wait.
  bool readable(std::chrono::milliseconds wait);
  // Reads until the peer closes or the deadline passes.
  std::string read_all(std::chrono::milliseconds deadline);
  // Reads until the text holds needle, the peer closes or the deadline passes.
  std::string read_until(std::string_view needle, std::chrono::milliseconds deadline);

 private:
  raw_socket() = default;
  int fd_ = -1;
};

// The port of a base URL "http://127.0.0.1:1234".
std::uint16_t port_of(const std::string& base);

}  // namespace harness

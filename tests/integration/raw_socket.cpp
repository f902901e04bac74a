#include "raw_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace harness {

namespace {

sockaddr_in loopback(const std::string& address, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) throw std::invalid_argument("bad address " + address);
  return a;
}

std::string error_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

raw_socket::raw_socket(std::uint16_t port, const std::string& source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(error_text("socket"));
  auto from = loopback(source, 0);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) throw std::runtime_error(error_text("bind"));
  auto to = loopback("127.0.0.1", port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) throw std::runtime_error(error_text("connect"));
}

raw_socket raw_socket::listener() {
  raw_socket s;
  s.fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s.fd_ < 0) throw std::runtime_error(error_text("socket"));
  auto at = loopback("127.0.0.1", 0);
  if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0) throw std::runtime_error(error_text("bind"));
  if (::listen(s.fd_, 16) != 0) throw std::runtime_error(error_text("listen"));
  return s;
}

raw_socket::~raw_socket() {
  if (fd_ >= 0) ::close(fd_);
}

raw_socket::raw_socket(raw_socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }

std::uint16_t raw_socket::local_port() const {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

raw_socket raw_socket::accept(std::chrono::milliseconds deadline) {
  if (!readable(deadline)) throw std::runtime_error("no connection came");
  raw_socket s;
  s.fd_ = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (s.fd_ < 0) throw std::runtime_error(error_text("accept"));
  return s;
}

bool raw_socket::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool raw_socket::readable(std::chrono::milliseconds wait) {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
}

std::string raw_socket::read_until(std::string_view needle, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::string out;
  char buf[16 * 1024];
  for (;;) {
    if (!needle.empty() && out.find(needle) != std::string::npos) return out;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !readable(left)) return out;
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

std::string raw_socket::read_all(std::chrono::milliseconds deadline) { return read_until({}, deadline); }

std::uint16_t port_of(const std::string& base) {
  return static_cast<std::uint16_t>(std::stoi(base.substr(base.rfind(':') + 1)));
}

}  // namespace harness

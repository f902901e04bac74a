// Who a request comes from: the TCP peer, or behind reverse proxies the
// operator configured, the address those proxies say they saw in
// X-Forwarded-For. Taken from anyone else, the header would let a client
// choose its own address and escape per-address limits.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::http {

class proxy_list {
 public:
  proxy_list() = default;
  // "10.0.0.1, 192.168.0.0/16, ::1, fd00::/8"; empty text, an empty list.
  // Throws std::invalid_argument naming the entry it cannot read.
  static proxy_list parse(std::string_view text);

  bool empty() const { return networks_.empty(); }
  // address as text (IPv4, IPv6, IPv4-mapped IPv6); false when unreadable.
  bool contains(std::string_view address) const;

 private:
  struct network {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    unsigned prefix = 128;
  };
  std::vector<network> networks_;
};

// The client's address: peer itself unless peer is a trusted proxy; then
// X-Forwarded-For read from the right, skipping trusted proxies, up to the
// first address that is not one. forwarded_for is every X-Forwarded-For
// field of the request joined with commas, in order. An unreadable entry
// ends the walk at the last address known good.
std::string client_address(std::string_view peer, std::string_view forwarded_for, const proxy_list& trusted);

// The address in its shortest text form, IPv4-mapped IPv6 as IPv4; the
// text itself when it is not an address.
std::string canonical_address(std::string_view address);

}  // namespace banditore::http

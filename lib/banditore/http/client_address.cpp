#include <banditore/http/client_address.hpp>

#include <boost/asio/ip/address.hpp>

#include <charconv>
#include <optional>
#include <stdexcept>

namespace banditore::http {

namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<ip::address> read_address(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::address(ip::make_address_v4(ip::v4_mapped, a.to_v6()));
  return a;
}

std::array<std::uint8_t, 16> as_v6_bytes(const ip::address& a) {
  if (a.is_v4()) return ip::make_address_v6(ip::v4_mapped, a.to_v4()).to_bytes();
  return a.to_v6().to_bytes();
}

bool prefix_matches(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b, unsigned bits) {
  for (unsigned i = 0; i < 16 && bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((a[i] & mask) != (b[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

}  // namespace

proxy_list proxy_list::parse(std::string_view text) {
  proxy_list out;
  while (!trim(text).empty()) {
    const auto comma = text.find(',');
    const auto entry = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (entry.empty()) continue;
    const auto slash = entry.find('/');
    auto address = read_address(entry.substr(0, slash));
    if (!address) throw std::invalid_argument("'" + std::string(entry) + "' is not an IP address or network");
    network n;
    n.bytes = as_v6_bytes(*address);
    const unsigned width = address->is_v4() ? 32 : 128;
    unsigned bits = width;
    if (slash != std::string_view::npos) {
      const auto digits = entry.substr(slash + 1);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
      if (ec != std::errc{} || p != digits.data() + digits.size() || bits > width)
        throw std::invalid_argument("'" + std::string(entry) + "' has a prefix length that is not 0 to " +
                                    std::to_string(width));
    }
    n.prefix = address->is_v4() ? 96 + bits : bits;
    out.networks_.push_back(n);
  }
  return out;
}

bool proxy_list::contains(std::string_view text) const {
  if (networks_.empty()) return false;
  auto address = read_address(text);
  if (!address) return false;
  const auto bytes = as_v6_bytes(*address);
  for (const auto& n : networks_)
    if (prefix_matches(bytes, n.bytes, n.prefix)) return true;
  return false;
}

std::string canonical_address(std::string_view text) {
  auto address = read_address(text);
  return address ? address->to_string() : std::string(text);
}

std::string client_address(std::string_view peer, std::string_view forwarded_for, const proxy_list& trusted) {
  std::string known = canonical_address(peer);
  if (!trusted.contains(known)) return known;
  while (!trim(forwarded_for).empty()) {
    const auto comma = forwarded_for.rfind(',');
    const auto entry = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    auto address = read_address(entry);
    if (!address) break;
    known = address->to_string();
    if (!trusted.contains(known)) break;
  }
  return known;
}

}  // namespace banditore::http

#include <banditore/http/client_address.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

using banditore::http::client_address;
using banditore::http::proxy_list;

TEST_CASE("without trusted proxies X-Forwarded-For is ignored") {
  const proxy_list none;
  CHECK(client_address("203.0.113.7", "198.51.100.1", none) == "203.0.113.7");
}

TEST_CASE("X-Forwarded-For from an untrusted peer is ignored") {
  const auto trusted = proxy_list::parse("10.0.0.1");
  CHECK(client_address("203.0.113.7", "198.51.100.1", trusted) == "203.0.113.7");
}

TEST_CASE("behind a trusted proxy the client is the last address it added") {
  const auto trusted = proxy_list::parse("10.0.0.1");
  CHECK(client_address("10.0.0.1", "198.51.100.1", trusted) == "198.51.100.1");
  // A client cannot choose its address by sending its own header first.
  CHECK(client_address("10.0.0.1", "1.2.3.4, 198.51.100.1", trusted) == "198.51.100.1");
}

TEST_CASE("a chain of trusted proxies is skipped from the right") {
  const auto trusted = proxy_list::parse("10.0.0.0/8, fd00::/8");
  CHECK(client_address("10.0.0.1", "1.2.3.4, 198.51.100.1, 10.1.2.3, fd00::5", trusted) == "198.51.100.1");
}

TEST_CASE("an unreadable entry ends the walk at the last address known good") {
  const auto trusted = proxy_list::parse("10.0.0.1");
  CHECK(client_address("10.0.0.1", "nonsense", trusted) == "10.0.0.1");
  CHECK(client_address("10.0.0.1", "", trusted) == "10.0.0.1");
}

TEST_CASE("IPv4-mapped IPv6 peers match IPv4 proxies and read as IPv4") {
  const auto trusted = proxy_list::parse("127.0.0.1");
  CHECK(trusted.contains("::ffff:127.0.0.1"));
  CHECK(client_address("::ffff:127.0.0.1", "[2001:db8::1]", trusted) == "2001:db8::1");
  CHECK(client_address("::ffff:192.0.2.1", "", proxy_list{}) == "192.0.2.1");
}

TEST_CASE("a proxy list with a bad entry or prefix is refused") {
  CHECK_THROWS_AS(proxy_list::parse("10.0.0.1, proxy.example"), std::invalid_argument);
  CHECK_THROWS_AS(proxy_list::parse("10.0.0.0/33"), std::invalid_argument);
  CHECK_THROWS_AS(proxy_list::parse("fd00::/129"), std::invalid_argument);
  CHECK(proxy_list::parse(" ").empty());
}

TEST_CASE("networks match by prefix") {
  const auto trusted = proxy_list::parse("192.168.0.0/16,2001:db8::/32");
  CHECK(trusted.contains("192.168.44.1"));
  CHECK_FALSE(trusted.contains("192.169.0.1"));
  CHECK(trusted.contains("2001:db8:ffff::1"));
  CHECK_FALSE(trusted.contains("2001:db9::1"));
}

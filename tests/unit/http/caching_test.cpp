#include <banditore/http/caching.hpp>

#include <doctest/doctest.h>

using namespace banditore::http;

TEST_CASE("HTTP dates are IMF-fixdate and read back to the second") {
  // RFC 9110 5.6.7's example.
  CHECK(http_date(784'111'777'000) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784'111'777'000);
  CHECK(parse_http_date(http_date(1'796'000'123'456)) == 1'796'000'123'000);
  CHECK_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));  // obsolete RFC 850 form
  CHECK_FALSE(parse_http_date("Sun Nov  6 08:49:37 1994"));
  CHECK_FALSE(parse_http_date(""));
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 XYZ"));
}

TEST_CASE("If-None-Match hits by weak comparison, in a list, or with a star") {
  CHECK(none_match_hits("\"abc\"", "\"abc\""));
  CHECK(none_match_hits("W/\"abc\"", "\"abc\""));
  CHECK(none_match_hits("\"x\", W/\"abc\"", "\"abc\""));
  CHECK(none_match_hits("*", "\"abc\""));
  CHECK_FALSE(none_match_hits("\"abd\"", "\"abc\""));
  CHECK_FALSE(none_match_hits("", "\"abc\""));
  CHECK_FALSE(none_match_hits("abc", "\"abc\""));
  CHECK_FALSE(none_match_hits("\"abc", "\"abc\""));
}

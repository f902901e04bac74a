#include <banditore/domain/utf8.hpp>

#include <doctest/doctest.h>

using namespace banditore::domain;

TEST_CASE("code points are counted, not bytes") {
  CHECK(utf8::count_code_points("") == 0u);
  CHECK(utf8::count_code_points("abc") == 3u);
  CHECK(utf8::count_code_points("città") == 5u);
  CHECK(utf8::count_code_points("🙏€") == 2u);
}

TEST_CASE("malformed UTF-8 has no code point count") {
  for (std::string_view text : {"\xff", "\xc3", "a\x80", "\xc0\xaf", "\xed\xa0\x80",
                                "\xf4\x90\x80\x80", "\xe2\x82"}) {
    CAPTURE(text);
    CHECK_FALSE(utf8::count_code_points(text));
  }
}

TEST_CASE("a bad byte is skipped one byte at a time") {
  std::string_view text = "\xe2\x82" "a";
  std::size_t pos = 0;
  char32_t cp = 0;
  CHECK_FALSE(utf8::next_code_point(text, pos, cp));
  CHECK(pos == 1);
  CHECK_FALSE(utf8::next_code_point(text, pos, cp));
  CHECK(pos == 2);
  CHECK(utf8::next_code_point(text, pos, cp));
  CHECK(cp == U'a');
}

TEST_CASE("encoding round-trips through decoding") {
  for (char32_t cp : {U'a', U'è', U'€', U'🙏', char32_t(0x10FFFF)}) {
    std::string s;
    utf8::append(s, cp);
    std::size_t pos = 0;
    char32_t back = 0;
    REQUIRE(utf8::next_code_point(s, pos, back));
    CHECK(back == cp);
    CHECK(pos == s.size());
  }
}

#include <banditore/web/qr.hpp>

#include <doctest/doctest.h>
#include <pugixml.hpp>

#include <stdexcept>
#include <string>

using namespace banditore::web;

TEST_CASE("click-to-chat takes the number's digits and percent-encodes the text") {
  // faq.whatsapp.com/5913398998672934: https://wa.me/<number>?text=<urlencoded>
  CHECK(click_to_chat_url("+39 0545 123456", "ATTIVA") == "https://wa.me/390545123456?text=ATTIVA");
  CHECK(click_to_chat_url("390545123456", "Attiva strade") == "https://wa.me/390545123456?text=Attiva%20strade");
  CHECK(click_to_chat_url("39-0545-123456", "Sì, più") == "https://wa.me/390545123456?text=S%C3%AC%2C%20pi%C3%B9");
  CHECK(click_to_chat_url("390545123456", "") == "https://wa.me/390545123456");
  CHECK_THROWS_AS(click_to_chat_url("+", "ATTIVA"), std::invalid_argument);
}

TEST_CASE("a QR code is square, of a real version's size, with its three finder patterns") {
  const auto code = qr_encode("https://wa.me/390545123456?text=ATTIVA");
  // ISO/IEC 18004: version v has 17 + 4v modules a side.
  CHECK((code.size - 17) % 4 == 0);
  CHECK(code.size >= 21);
  CHECK(code.dark.size() == static_cast<std::size_t>(code.size * code.size));
  // The finder patterns: a dark 7×7 ring at three corners.
  for (auto [x0, y0] : {std::pair{0, 0}, std::pair{code.size - 7, 0}, std::pair{0, code.size - 7}}) {
    CAPTURE(x0);
    CAPTURE(y0);
    for (int i = 0; i < 7; ++i) {
      CHECK(code.at(x0 + i, y0));
      CHECK(code.at(x0 + i, y0 + 6));
      CHECK(code.at(x0, y0 + i));
      CHECK(code.at(x0 + 6, y0 + i));
    }
    CHECK_FALSE(code.at(x0 + 1, y0 + 1));
    CHECK(code.at(x0 + 3, y0 + 3));
  }
  CHECK_THROWS_AS(qr_encode(""), std::invalid_argument);
  CHECK_THROWS_AS(qr_encode(std::string(5000, 'x')), std::invalid_argument);
}

TEST_CASE("the SVG is well-formed, escapes its title and draws every dark module once") {
  const auto code = qr_encode("ATTIVA");
  const auto svg = qr_svg(code, "Scrivi \"ATTIVA\" a <Lugo> & dintorni");
  pugi::xml_document doc;
  REQUIRE(doc.load_string(svg.c_str()));
  const auto root = doc.child("svg");
  const int side = code.size + 8;
  CHECK(std::string(root.attribute("viewBox").value()) == "0 0 " + std::to_string(side) + " " + std::to_string(side));
  CHECK(std::string(root.child_value("title")) == "Scrivi \"ATTIVA\" a <Lugo> & dintorni");
  // Each "M x y h n" of the path covers n dark modules of row y.
  std::string d = root.child("path").attribute("d").value();
  std::size_t drawn = 0, pos = 0;
  while ((pos = d.find('M', pos)) != std::string::npos) {
    int x = 0, y = 0, n = 0;
    REQUIRE(std::sscanf(d.c_str() + pos, "M%d %dh%d", &x, &y, &n) == 3);
    for (int i = 0; i < n; ++i) CHECK(code.at(x - 4 + i, y - 4));
    drawn += static_cast<std::size_t>(n);
    ++pos;
  }
  std::size_t dark = 0;
  for (bool b : code.dark) dark += b;
  CHECK(drawn == dark);
}

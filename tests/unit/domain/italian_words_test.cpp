#include <banditore/domain/italian_words.hpp>

#include <banditore/domain/commands.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace banditore::domain;

namespace {

std::vector<std::string> joined(std::string_view text) {
  auto words = fold(text).words;
  italian::join_saint_titles(words);
  return words;
}

}  // namespace

TEST_CASE("S. is San, Santa, Santo or Sant', SS. Santissimo, Santissima or Santi, and two full titles differ") {
  for (std::string_view full : {"san", "santa", "santo", "sant"}) {
    CAPTURE(full);
    CHECK(italian::same_saint_title("s", full));
    CHECK(italian::same_saint_title(full, "s"));
    CHECK_FALSE(italian::same_saint_title("ss", full));
  }
  for (std::string_view full : {"santissimo", "santissima", "santi"}) {
    CAPTURE(full);
    CHECK(italian::same_saint_title("ss", full));
    CHECK(italian::same_saint_title(full, "ss"));
    CHECK_FALSE(italian::same_saint_title("s", full));
  }
  CHECK(italian::same_saint_title("s", "s"));
  CHECK_FALSE(italian::same_saint_title("s", "ss"));
  CHECK_FALSE(italian::same_saint_title("san", "santa"));
  CHECK_FALSE(italian::same_saint_title("santo", "santissimo"));
  // Only titles: any other word is left to the other rules.
  CHECK_FALSE(italian::same_saint_title("s", "sala"));
  CHECK_FALSE(italian::same_saint_title("maria", "maria"));
}

TEST_CASE("S.S. and SS.ma are read as one SS., and S.Agata as S. and Agata") {
  CHECK(joined("S.S. Annunziata") == std::vector<std::string>{"ss", "annunziata"});
  CHECK(joined("SS.ma Trinità") == std::vector<std::string>{"ss", "trinita"});
  CHECK(joined("SS.mo Crocifisso") == std::vector<std::string>{"ss", "crocifisso"});
  CHECK(joined("SS. Cosma e Damiano") == std::vector<std::string>{"ss", "cosma", "e", "damiano"});
  CHECK(joined("S.Agata") == std::vector<std::string>{"s", "agata"});
  CHECK(joined("Sant'Agata") == std::vector<std::string>{"sant", "agata"});
  CHECK(joined("attiva ma non troppo") == std::vector<std::string>{"attiva", "ma", "non", "troppo"});
}

#include <banditore/domain/message_model.hpp>

#include <doctest/doctest.h>

using namespace banditore::domain;

namespace {
constexpr std::string_view water = "Interruzione idrica in via ___ dalle ___ alle ___";
}

TEST_CASE("a model's blanks are runs of three or more underscores") {
  CHECK(count_blanks(water) == 3);
  CHECK(count_blanks("via_roma __ nulla") == 0);
  CHECK(count_blanks("______ e ___") == 2);
  CHECK(count_blanks("") == 0);
  CHECK(has_blank("ancora ___"));
}

TEST_CASE("the blanks are filled in order") {
  const auto filled = fill_blanks(water, {"Roma", "9", "13"});
  REQUIRE(filled.text);
  CHECK(*filled.text == "Interruzione idrica in via Roma dalle 9 alle 13");
  CHECK(fill_blanks("_____ fine", {"Inizio"}).text == "Inizio fine");
  CHECK(fill_blanks("nessuno spazio", {}).text == "nessuno spazio");
}

TEST_CASE("a draft that would still hold a blank is refused, with the reason in Italian") {
  auto r = fill_blanks(water, {"Roma", "9"});
  CHECK_FALSE(r.text);
  CHECK(r.reason == "il modello ha 3 spazi da compilare, ne sono stati dati 2");
  r = fill_blanks(water, {"Roma", "  ", "13"});
  CHECK_FALSE(r.text);
  CHECK(r.reason == "lo spazio 2 è vuoto");
  r = fill_blanks(water, {"Roma", "___", "13"});
  CHECK_FALSE(r.text);
  CHECK(r.reason == "lo spazio 2 contiene ancora ___");
  CHECK_FALSE(fill_blanks(water, {"Roma", "9", "13", "in più"}).text);
}

TEST_CASE("values with underscores of their own, fewer than three, are kept") {
  CHECK(fill_blanks("file ___", {"via_roma__2"}).text == "file via_roma__2");
}

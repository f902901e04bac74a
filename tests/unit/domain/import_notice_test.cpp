#include <banditore/domain/import_notice.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::domain;

TEST_CASE("the default notice names the town and tells how to leave") {
  auto text = default_import_notice("Lodi");
  CHECK(text.find("Comune di Lodi") != std::string::npos);
  CHECK(text.find("DISATTIVA") != std::string::npos);
  CHECK(default_import_notice("Comune di Lodi").starts_with("Il Comune di Lodi ora"));
  CHECK(default_import_notice("Unione dei Comuni della Bassa Romagna").starts_with("Unione dei Comuni"));
}

#include <banditore/domain/alert.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace banditore::domain;
using json = nlohmann::json;

TEST_CASE("\"public\": false keeps an alert off the public pages, and it must be true or false") {
  const json base = {{"category", "roads"}, {"severity", "minor"}, {"title", "Lavori"}, {"text", "Via Roma."}};
  CHECK(validate_alert(base, {}, 0).publish);
  auto hidden = base;
  hidden["public"] = false;
  auto v = validate_alert(hidden, {}, 0);
  REQUIRE(v.draft);
  CHECK_FALSE(v.publish);
  auto wrong = base;
  wrong["public"] = "no";
  auto w = validate_alert(wrong, {}, 0);
  CHECK_FALSE(w.draft);
  REQUIRE(w.errors.size() == 1);
  CHECK(w.errors[0].field == "public");
}

#include <banditore/config/template_pricing.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

using namespace banditore;

TEST_CASE("template prices are read by category and market, and a malformed one names itself") {
  auto p = config::parse_template_prices("utility:IT=0.0300, marketing:IT=0.0691,authentication:DE=0.0636");
  CHECK(p.at("utility:IT") == doctest::Approx(0.03));
  CHECK(p.at("marketing:IT") == doctest::Approx(0.0691));
  CHECK(p.size() == 3);
  CHECK(config::parse_template_prices("").empty());
  for (const char* bad : {"utility=0.03", "utility:it=0.03", "promo:IT=0.03", "utility:IT=abc", "utility:IT=-1",
                          "utility:IT=0.03,utility:IT=0.04"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(config::parse_template_prices(bad), std::invalid_argument);
  }
}

TEST_CASE("the preview's price is the configured template's category in the configured market") {
  config::settings s;
  s.wa_template_prices = "utility:IT=0.03,marketing:IT=0.07,utility:DE=0.04";
  auto p = config::template_price_for(s);
  CHECK(p.per_delivered == doctest::Approx(0.03));
  CHECK(p.currency == "EUR");
  CHECK_FALSE(p.billed_inside_window);
  s.wa_market = "FR";
  CHECK(config::template_price_for(s).currency.empty());  // nothing configured for France
  s.wa_market = "IT";
  s.wa_template_category = "marketing";
  s.wa_template_mode = "always";
  auto m = config::template_price_for(s);
  CHECK(m.per_delivered == doctest::Approx(0.07));
  CHECK(m.billed_inside_window);  // only utility is free inside the window
}

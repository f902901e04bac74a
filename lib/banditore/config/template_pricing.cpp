#include <banditore/config/template_pricing.hpp>

#include <banditore/domain/comma_list.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace banditore::config {

std::map<std::string, double> parse_template_prices(std::string_view text) {
  std::map<std::string, double> out;
  for (const auto& item : domain::split_comma_list(text)) {
    const auto colon = item.find(':');
    const auto equals = item.find('=');
    if (colon == std::string::npos || equals == std::string::npos || equals < colon)
      throw std::invalid_argument("'" + item + "' is not category:MARKET=price (e.g. utility:IT=0.03)");
    const auto category = item.substr(0, colon);
    const auto market = item.substr(colon + 1, equals - colon - 1);
    const auto price = item.substr(equals + 1);
    if (std::find(std::begin(template_categories), std::end(template_categories), category) ==
        std::end(template_categories))
      throw std::invalid_argument("'" + category + "' is not a template category (utility, marketing, authentication)");
    if (market.size() != 2 || !std::all_of(market.begin(), market.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
      throw std::invalid_argument("'" + market + "' is not a market: two capital letters (IT, DE, ...)");
    double value = 0;
    auto [p, ec] = std::from_chars(price.data(), price.data() + price.size(), value);
    if (ec != std::errc{} || p != price.data() + price.size() || !std::isfinite(value) || value < 0 || value > 10)
      throw std::invalid_argument("'" + price + "' is not a price from 0 to 10 (a dot before the decimals)");
    if (!out.emplace(category + ":" + market, value).second)
      throw std::invalid_argument(category + ":" + market + " is priced twice");
  }
  return out;
}

domain::template_price template_price_for(const settings& s) {
  domain::template_price price;
  const auto prices = parse_template_prices(s.wa_template_prices);
  const auto it = prices.find(s.wa_template_category + ":" + s.wa_market);
  if (it == prices.end()) return price;
  price.per_delivered = it->second;
  price.currency = s.wa_price_currency;
  // Sent to everyone as a template, a category other than utility is
  // billed inside the window too.
  price.billed_inside_window = s.wa_template_mode == "always" && s.wa_template_category != "utility";
  return price;
}

}  // namespace banditore::config

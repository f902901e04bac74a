// What a delivered template costs, as the operator configures it: Meta
// bills per delivered template message since 1 July 2025, by the
// template's category and the recipient's market, and changes its rates
// from time to time, so they are settings, not code
// (developers.facebook.com/docs/whatsapp/pricing). A utility template
// delivered inside the customer-service window is free.
#pragma once

#include <banditore/config/settings.hpp>
#include <banditore/domain/preview.hpp>

#include <map>
#include <string>
#include <string_view>

namespace banditore::config {

inline constexpr std::string_view template_categories[] = {"utility", "marketing", "authentication"};

// "utility:IT=0.0300,marketing:IT=0.0691": price per delivered template
// by category and market (ISO 3166 country, upper case). Throws
// std::invalid_argument saying what is wrong.
std::map<std::string, double> parse_template_prices(std::string_view text);

// The price the preview applies to this deployment's broadcasts: the
// configured template's category in the configured market; no currency
// when none is configured for that pair.
domain::template_price template_price_for(const settings& s);

}  // namespace banditore::config

// What an alert will take before it is sent: how many people, how many
// of them outside WhatsApp's 24-hour window (they get the approved
// template, billed), how long at each number's pace, how many wait for the
// messaging limit and until when, and what it costs. Pure arithmetic over
// figures the store counts; nothing is created.
//
// WhatsApp's rules it follows:
// - Free-form text reaches only people who wrote in the last 24 hours;
//   everyone else gets a template
//   (developers.facebook.com/docs/whatsapp/pricing, customer service window).
// - Since 1 July 2025 Meta bills per delivered template message, by
//   category and market; a utility template delivered inside an open
//   customer service window is free. Prices change and differ by market,
//   so they are configuration, not code.
// - The messaging limit counts unique people reached outside their window
//   in a moving 24 hours; since October 2025 it is shared by the numbers of
//   one business portfolio. Those beyond it wait until earlier ones leave
//   the moving day.
// - Numbers send in parallel, each at its own pace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace banditore::domain {

// One WhatsApp number's share of an alert.
struct number_load {
  std::string number;     // phone number id, for the report
  std::string portfolio;  // numbers of one portfolio share the messaging limit; empty = its own
  std::int64_t recipients = 0;
  std::int64_t outside_window = 0;  // of them, last wrote more than 24 h ago (or never)
  double messages_per_second = 0;   // the configured pace; 0 = as fast as Meta takes them
};

// A portfolio's messaging limit now.
struct messaging_limit {
  std::string portfolio;
  std::int64_t limit = 0;  // unique people per moving 24 h outside their window; 0 = unlimited
  std::int64_t used = 0;   // already reached in the last 24 h
  std::optional<std::int64_t> frees_at_ms;  // when the oldest of them leaves the moving day
};

struct template_price {
  double per_delivered = 0;  // a utility template outside the window, in `currency`
  std::string currency;      // "EUR"; empty = no price configured
  // A template sent to everyone (not only outside the window) in a
  // category other than utility is billed inside the window too.
  bool billed_inside_window = false;
};

struct number_estimate {
  std::string number;
  std::int64_t recipients = 0;
  std::int64_t templates = 0;
  std::optional<double> seconds;  // unknown when unpaced
};

// One limited portfolio's share: how many of its numbers' recipients are
// outside their window, how many of them its limit holds back, and until
// when.
struct portfolio_estimate {
  std::string portfolio;
  std::int64_t limit = 0;
  std::int64_t used = 0;
  std::int64_t outside_window = 0;
  std::int64_t waiting = 0;
  std::optional<std::int64_t> first_frees_at_ms;
  std::optional<std::int64_t> all_sent_by_ms;
};

struct preview_estimate {
  std::int64_t recipients = 0;
  std::int64_t templates = 0;     // outside the window
  std::int64_t free_form = 0;     // inside: free text, free of charge
  std::optional<double> seconds;  // the slowest number; unknown if any is unpaced
  std::vector<number_estimate> numbers;
  std::int64_t waiting_for_limit = 0;             // over every portfolio
  std::vector<portfolio_estimate> portfolios;     // each limited one the alert reaches, by id
  std::optional<std::int64_t> first_frees_at_ms;  // the first of them can leave then
  std::optional<std::int64_t> all_sent_by_ms;     // at the latest, if the limit stays as it is
  std::optional<double> cost;                     // templates × price; none without a price
  std::string currency;
};

preview_estimate estimate_preview(const std::vector<number_load>& numbers, const std::vector<messaging_limit>& limits,
                                  const template_price& price, std::int64_t now_ms);

}  // namespace banditore::domain

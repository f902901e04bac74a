#include <banditore/domain/preview.hpp>

#include <algorithm>
#include <map>

namespace banditore::domain {

namespace {

constexpr std::int64_t day_ms = 24LL * 3600 * 1000;

}  // namespace

preview_estimate estimate_preview(const std::vector<number_load>& numbers, const std::vector<messaging_limit>& limits,
                                  const template_price& price, std::int64_t now_ms) {
  preview_estimate out;
  bool every_number_paced = true;
  double slowest = 0;
  // Demand outside the window per portfolio; a number without one is its own.
  std::map<std::string, std::int64_t> demand;
  for (const auto& n : numbers) {
    number_estimate e{n.number, n.recipients, n.outside_window, std::nullopt};
    if (n.messages_per_second > 0) {
      e.seconds = static_cast<double>(n.recipients) / n.messages_per_second;
      slowest = std::max(slowest, *e.seconds);
    } else if (n.recipients > 0) {
      every_number_paced = false;
    }
    out.numbers.push_back(e);
    out.recipients += n.recipients;
    out.templates += n.outside_window;
    demand[n.portfolio.empty() ? n.number : n.portfolio] += n.outside_window;
  }
  out.free_form = out.recipients - out.templates;
  if (every_number_paced) out.seconds = slowest;

  for (const auto& group : demand) {
    // Named, not bound: clang 14 cannot capture a structured binding.
    const auto& portfolio = group.first;
    const auto wanted = group.second;
    const auto limit = std::find_if(limits.begin(), limits.end(),
                                    [&](const messaging_limit& l) { return l.portfolio == portfolio; });
    if (limit == limits.end() || limit->limit <= 0) continue;
    const auto room = std::max<std::int64_t>(0, limit->limit - limit->used);
    const auto waiting = std::max<std::int64_t>(0, wanted - room);
    portfolio_estimate p{portfolio, limit->limit, limit->used, wanted, waiting, std::nullopt, std::nullopt};
    if (waiting > 0) {
      out.waiting_for_limit += waiting;
      // The first place frees when the oldest earlier person leaves the
      // moving day, or, with none before, when those sent now do.
      p.first_frees_at_ms = limit->used > 0 && limit->frees_at_ms ? *limit->frees_at_ms : now_ms + day_ms;
      out.first_frees_at_ms = std::min(out.first_frees_at_ms.value_or(*p.first_frees_at_ms), *p.first_frees_at_ms);
      // By now + 24 h every place is free again, and each further day frees
      // a whole limit: an upper bound while the limit stays as it is.
      const auto days = (waiting + limit->limit - 1) / limit->limit;
      p.all_sent_by_ms = now_ms + days * day_ms;
      out.all_sent_by_ms = std::max(out.all_sent_by_ms.value_or(*p.all_sent_by_ms), *p.all_sent_by_ms);
    }
    out.portfolios.push_back(std::move(p));
  }
  if (!price.currency.empty()) {
    const auto billed = out.templates + (price.billed_inside_window ? out.free_form : 0);
    out.cost = static_cast<double>(billed) * price.per_delivered;
    out.currency = price.currency;
  }
  return out;
}

}  // namespace banditore::domain

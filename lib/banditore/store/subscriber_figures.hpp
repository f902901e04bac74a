// What the console's dashboard shows of the subscribers: how many joined
// and left each day, and how many receive each town and topic. Counts
// only, never a subscriber. Each call is one transaction.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace banditore::store {

// One day of the consent log: subscriptions (Attiva, an import) and
// departures (Disattiva, an opt-out, a forgotten number).
struct day_change {
  std::int64_t day = 0;  // days since 1970-01-01 in the caller's zone
  std::int64_t joined = 0, left = 0;
};

struct audience_figures {
  std::int64_t subscribers = 0;
  std::vector<std::pair<std::string, std::int64_t>> towns, topics;  // id, subscribers; every catalogue entry
};

class subscriber_figures {
 public:
  virtual ~subscriber_figures() = default;
  // The days since since_ms with a change, oldest first; offset_ms moves
  // UTC to the zone whose days are counted.
  virtual boost::asio::awaitable<std::vector<day_change>> subscriber_changes(std::int64_t since_ms,
                                                                           std::int64_t offset_ms) = 0;
  virtual boost::asio::awaitable<audience_figures> subscribers_by_audience() = 0;
};

}  // namespace banditore::store

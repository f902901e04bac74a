// The fan-out planner's one question to the store: plan the next batch of
// the most urgent alert still planning (in one transaction), or, when none
// is, mark the alerts whose deliveries are all settled as done.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>

namespace banditore::store {

struct plan_step {
  std::int64_t alert_id = 0;
  std::int64_t added = 0;
  bool finished_planning = false;
};

class planning {
 public:
  virtual ~planning() = default;
  // nullopt when no alert is planning (settled alerts were finished then).
  // Expired alerts stop here. An alert's first step plans at most 256
  // subscribers, so its first messages leave at once.
  virtual boost::asio::awaitable<std::optional<plan_step>> next_step(std::size_t batch, std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

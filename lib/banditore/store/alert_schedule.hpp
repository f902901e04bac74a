// Alerts that wait for a later time: the scheduler's one call. Alerts with
// a send_at ahead are created "scheduled" (store/alerts.hpp); this moves
// the ones that are due to "planning", audited, in one transaction, so a
// scheduled alert leaves once even when the service restarts around it.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace banditore::store {

// A scheduled alert the scheduler acted on: released to the planner, or
// expired before its time came.
struct scheduled_release {
  std::int64_t alert_id = 0;
  bool expired = false;
};

struct schedule_round {
  std::vector<scheduled_release> released;
  std::optional<std::int64_t> next_due;  // the earliest scheduled alert left; nullopt: none
};

class alert_schedule {
 public:
  virtual ~alert_schedule() = default;
  // Releases what is due at now_ms (audited as "alert.send", or
  // "alert.expire", by the scheduler) and says when the next is due.
  virtual boost::asio::awaitable<schedule_round> release_due(std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

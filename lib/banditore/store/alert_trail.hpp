// What the console shows of an alert's past beyond its report: its audit
// trail (who made it, who cancelled it) and its deliveries over time,
// counted per period. Neither names a recipient: deliveries are only
// counted. Each call is one transaction.
#pragma once

#include <banditore/store/audit.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <vector>

namespace banditore::store {

// How many of an alert's deliveries were sent, delivered, read or failed
// within one period.
struct delivery_period {
  std::int64_t start_ms = 0;
  std::int64_t sent = 0, delivered = 0, read = 0, failed = 0;
};

class alert_trail {
 public:
  virtual ~alert_trail() = default;
  // The audit entries naming the alert, oldest first.
  virtual boost::asio::awaitable<std::vector<audit_entry>> alert_audit(std::int64_t alert_id) = 0;
  // The periods of period_ms in which something happened, oldest first.
  // Deliveries whose rows retention has purged are no longer counted.
  virtual boost::asio::awaitable<std::vector<delivery_period>> delivery_timeline(std::int64_t alert_id,
                                                                               std::int64_t period_ms) = 0;
};

}  // namespace banditore::store

// The figures of the store that monitoring watches: how many subscribers,
// how many flagged, how deep the outbox is in each state and how late its
// oldest due message is. Counts only: nothing here identifies anyone.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace SQLite { class Database; }

namespace banditore::store {

// Every state a row of the outbox can be in, so a state with no rows is
// reported as 0 rather than missing.
inline constexpr const char* outbox_states[] = {"queued", "sending", "sent", "delivered", "read", "failed",
                                                "cancelled"};

struct store_figures {
  std::int64_t subscribers = 0;
  std::int64_t flagged = 0;
  std::map<std::string, std::int64_t> outbox_by_state;  // every outbox_states entry
  std::int64_t oldest_due_ms = 0;  // how long the oldest due queued row has waited; 0 if none
};

// Runs on the database thread.
store_figures read_store_figures(SQLite::Database& db, std::int64_t now_ms);

}  // namespace banditore::store

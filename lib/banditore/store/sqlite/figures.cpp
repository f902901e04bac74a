#include <banditore/store/sqlite/figures.hpp>

#include <banditore/store/outbox.hpp>
#include <banditore/store/sqlite/subscriber_admin.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>

namespace banditore::store::sqlite {

store_figures read_store_figures(SQLite::Database& db, std::int64_t now_ms) {
  store_figures f;
  const auto counts = count_subscribers(db);
  f.subscribers = counts.subscribers;
  f.flagged = counts.flagged;
  for (const char* state : outbox_states) f.outbox_by_state[state] = 0;
  SQLite::Statement by_state(db, "SELECT state, COUNT(*) FROM outbox GROUP BY state");
  while (by_state.executeStep()) f.outbox_by_state[by_state.getColumn(0).getString()] = by_state.getColumn(1).getInt64();
  // The partial index outbox_due serves this.
  SQLite::Statement due(db, "SELECT MIN(not_before) FROM outbox WHERE state = 'queued' AND not_before <= :now");
  due.bind(":now", now_ms);
  if (due.executeStep() && !due.getColumn(0).isNull()) f.oldest_due_ms = now_ms - due.getColumn(0).getInt64();
  // The journal's rows go in seq order: its ends give both figures.
  SQLite::Statement journal(db, "SELECT (SELECT MAX(seq) FROM inbound_journal) - (SELECT MIN(seq) FROM inbound_journal) + 1, "
                                "(SELECT received_at FROM inbound_journal ORDER BY seq LIMIT 1)");
  if (journal.executeStep() && !journal.getColumn(0).isNull()) {
    f.journal_rows = journal.getColumn(0).getInt64();
    f.journal_oldest_ms = std::max<std::int64_t>(0, now_ms - journal.getColumn(1).getInt64());
  }
  // contacts_by_initiated and portfolio_contacts_by_initiated serve these.
  const auto since = now_ms - service_window_ms;
  SQLite::Statement used(db, "SELECT COUNT(*) FROM contacts WHERE last_initiated_at > :since");
  used.bind(":since", since);
  if (used.executeStep()) f.limit_used = used.getColumn(0).getInt64();
  SQLite::Statement by_portfolio(db, "SELECT portfolio, COUNT(*) FROM portfolio_contacts WHERE last_initiated_at > :since "
                                     "GROUP BY portfolio");
  by_portfolio.bind(":since", since);
  while (by_portfolio.executeStep())
    f.limit_used_by_portfolio[by_portfolio.getColumn(0).getString()] = by_portfolio.getColumn(1).getInt64();
  return f;
}

}  // namespace banditore::store::sqlite

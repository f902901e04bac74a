#include <banditore/store/sqlite/retention.hpp>

#include <banditore/store/outbox.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <stdexcept>

namespace banditore::store::sqlite {

namespace {

// Runs one batched DELETE until it deletes fewer rows than a batch.
// The statement selects its victims with LIMIT :batch, so each run is one
// short transaction.
std::int64_t delete_in_batches(SQLite::Database& db, const char* sql, std::int64_t cutoff, std::size_t batch,
                               std::int64_t& transactions) {
  SQLite::Statement st(db, sql);
  std::int64_t total = 0;
  for (;;) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    st.reset();
    st.bind(":cutoff", cutoff);
    st.bind(":batch", static_cast<std::int64_t>(batch));
    const int deleted = st.exec();
    tx.commit();
    ++transactions;
    total += deleted;
    if (static_cast<std::size_t>(deleted) < batch) return total;
  }
}

}  // namespace

retention_result purge_old(SQLite::Database& db, std::int64_t older_than_ms, std::int64_t now_ms,
                           std::size_t batch_rows) {
  if (older_than_ms <= 0 || batch_rows == 0)
    throw std::invalid_argument("purge_old needs a positive age and batch size");
  retention_result r;
  const auto cutoff = now_ms - older_than_ms;
  // inbound_messages and early_statuses have no rowid: their keys pick the batch.
  r.inbound_deleted = delete_in_batches(
      db,
      "DELETE FROM inbound_messages WHERE message_hash IN (SELECT message_hash FROM inbound_messages "
      "WHERE received_at < :cutoff LIMIT :batch)",
      cutoff, batch_rows, r.transactions);
  // Queued and sending rows are still work to do, whatever their age.
  r.outbox_deleted = delete_in_batches(
      db,
      "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state IN "
      "('sent', 'delivered', 'read', 'failed', 'cancelled') AND updated_at < :cutoff LIMIT :batch)",
      cutoff, batch_rows, r.transactions);
  r.early_statuses_deleted = delete_in_batches(
      db,
      "DELETE FROM early_statuses WHERE (provider_hash, status) IN (SELECT provider_hash, status "
      "FROM early_statuses WHERE received_at < :cutoff LIMIT :batch)",
      now_ms - early_status_keep_ms, batch_rows, r.transactions);
  // An attachment uploaded and never used. One that an alert or a draft
  // names stays (their foreign keys would refuse the delete anyway); the
  // check and the delete are one statement in one transaction, so a draft
  // written meanwhile either names it first and keeps it, or finds it gone
  // and is refused (store::draft_outcome::media_unknown).
  r.media_deleted = delete_in_batches(
      db,
      "DELETE FROM media WHERE id IN (SELECT m.id FROM media m WHERE m.created_at < :cutoff "
      "AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.media_id = m.id) "
      "AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.media_id = m.id) LIMIT :batch)",
      now_ms - unused_media_keep_ms, batch_rows, r.transactions);
  // Who a portfolio reached outside their window counts for a moving day
  // only (store/outbox.hpp): an older row is kept for nothing.
  delete_in_batches(db,
                    "DELETE FROM portfolio_contacts WHERE (portfolio, phone_hash) IN (SELECT portfolio, phone_hash "
                    "FROM portfolio_contacts WHERE last_initiated_at < :cutoff LIMIT :batch)",
                    now_ms - service_window_ms, batch_rows, r.transactions);
  return r;
}

}  // namespace banditore::store::sqlite

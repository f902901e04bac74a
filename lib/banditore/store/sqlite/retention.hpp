// Retention: what the service no longer needs is deleted on a schedule.
// Inbound message records and finished outbox rows are kept for a window
// (BANDITORE_RETENTION_DAYS) to answer "did my Disattiva arrive?" and to
// report on alerts; status notifications that never found their send are
// kept a week; an attachment that no alert and no draft names is kept a
// day (unused_media_keep_ms). The consent log, alerts and the audit log
// are not touched.
#pragma once

#include <banditore/store/operations.hpp>

#include <cstddef>
#include <cstdint>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

// Deletes inbound_messages received more than older_than_ms before now_ms,
// outbox rows in a final state (sent, delivered, read, failed, cancelled)
// last changed before that, early_statuses received more than 7 days
// ago, and media rows created more than unused_media_keep_ms ago that no
// alert and no draft names; batch_rows at most per transaction. Runs on the database thread,
// outside any transaction.
retention_result purge_old(SQLite::Database& db, std::int64_t older_than_ms, std::int64_t now_ms,
                           std::size_t batch_rows = purge_batch_rows);

}  // namespace banditore::store::sqlite

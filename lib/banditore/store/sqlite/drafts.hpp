// Drafts and the news feeds they come from (migration 11). Runs on the
// database thread, inside the caller's transaction; statements are prepared
// per call: drafts change a few times a day.
#pragma once

#include <banditore/store/drafts.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

std::int64_t insert_draft(SQLite::Database& db, const new_draft& draft, std::int64_t now_ms);
news_applied apply_news_items(SQLite::Database& db, std::string_view feed_url, std::string_view town_id,
                              const std::vector<news_item_input>& items, std::int64_t now_ms);

feed_state news_feed_state_of(SQLite::Database& db, std::string_view url);
void record_news_feed_polled(SQLite::Database& db, std::string_view url, std::string_view etag,
                             std::string_view last_modified, std::int64_t now_ms);
int record_news_feed_failed(SQLite::Database& db, std::string_view url, std::int64_t now_ms);

std::vector<draft_record> list_draft_records(SQLite::Database& db, std::string_view state, std::int64_t before_id,
                                             std::size_t limit);
std::optional<draft_record> draft_record_of(SQLite::Database& db, std::int64_t id);

// Whether the draft is still open (not sent, not discarded).
bool draft_is_open(SQLite::Database& db, std::int64_t id);
// Marks an open draft sent as the alert; false when it was not open.
bool mark_draft_sent(SQLite::Database& db, std::int64_t id, std::int64_t alert_id, std::int64_t now_ms);
// Marks an open draft discarded; false when it was not open.
bool mark_draft_discarded(SQLite::Database& db, std::int64_t id, std::int64_t now_ms);

}  // namespace banditore::store::sqlite

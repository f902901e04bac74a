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
// A person's draft (migration 17); returns its id.
std::int64_t insert_person_draft(SQLite::Database& db, const draft_content& content, std::string_view source,
                                 const actor& who, bool submit, std::int64_t now_ms);
// Rewrites a draft or rejected draft (back to draft, revision + 1); false
// when it is in no such state.
bool rewrite_person_draft(SQLite::Database& db, std::int64_t id, const draft_content& content, const actor& who,
                          std::int64_t now_ms);
// draft (or rejected) -> pending, or pending -> rejected with the reason;
// false when the draft was not in from.
bool move_draft(SQLite::Database& db, std::int64_t id, std::string_view from, std::string_view to,
                std::string_view reason, const actor& who, std::int64_t now_ms);
// Marks a draft sent as the alert by a decision, if it is still at that
// revision and not sent or discarded.
bool mark_draft_decided(SQLite::Database& db, std::int64_t id, std::int64_t alert_id, std::int64_t revision,
                        domain::draft_send how, const actor& who, std::int64_t now_ms);
// A CAP document held as a draft (its cap_alerts row) names the draft;
// once the draft is sent, the document names the alert, as a broadcast's
// does. A draft of no CAP document changes nothing.
void link_cap_draft(SQLite::Database& db, std::int64_t cap_row_id, std::int64_t draft_id);
void link_cap_alert(SQLite::Database& db, std::int64_t draft_id, std::int64_t alert_id);
// Marks an open draft discarded; false when it was not open.
bool mark_draft_discarded(SQLite::Database& db, std::int64_t id, std::int64_t now_ms);

}  // namespace banditore::store::sqlite

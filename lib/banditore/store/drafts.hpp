// Drafts: alerts not sent yet, and where news drafts come from. A town's
// website news feed is polled (app/news_feed.hpp); each new item becomes a
// draft that a person sends as an alert (POST /v1/alerts with draft_id) or
// discards. People write drafts too (POST /v1/drafts, the console), submit
// them, and a second person approves or rejects them (docs/approval.md);
// approving sends through alerts::create with the draft's id, in the
// transaction that creates the alert. Nothing here ever sends. Each call
// is one transaction.
#pragma once

#include <banditore/store/alerts.hpp>
#include <banditore/store/cap_alerts.hpp>
#include <banditore/domain/alert_audience.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace banditore::store {

// One item of a news feed, as web::parse_news_feed reads it.
struct news_item_input {
  std::string id;
  std::string title;
  std::string summary;
  std::string link;
  std::optional<std::int64_t> published_ms;
};

struct news_applied {
  std::size_t created = 0;    // new items, now drafts
  std::size_t updated = 0;    // changed items whose draft was rewritten
  std::size_t unchanged = 0;  // as before, or their draft was already sent or discarded
};

inline constexpr std::string_view draft_open = "draft";
inline constexpr std::string_view draft_sent = "sent";
inline constexpr std::string_view draft_discarded = "discarded";
inline constexpr std::string_view draft_pending = "pending";
inline constexpr std::string_view draft_rejected = "rejected";

struct draft_record {
  std::int64_t id = 0;
  std::string source;  // "news", "staff", "api", "cap"
  std::string town_id;
  std::string category, severity, title, text, link;
  std::string state;  // draft, pending, rejected, sent, discarded
  std::optional<std::int64_t> alert_id, published_at;
  std::string news_feed;
  std::int64_t created_at = 0, updated_at = 0;
  // Written by people (migration 17); empty or absent for news drafts.
  domain::alert_audience audience;
  std::optional<std::int64_t> expires_at, send_at, submitted_at, decided_at;
  bool publish = true;
  std::string author, editor;  // actor names: who wrote it, who changed it last
  std::optional<std::int64_t> author_key_id;
  std::int64_t revision = 1;
  std::string decided_by, decision, reject_reason;  // decision: approve, direct, bypass, reject
  // Its attachment (store/media.hpp, migration 22), given to the alert
  // its approval creates; absent: none.
  std::optional<std::int64_t> media_id;
};

// What a person writes: the alert as POST /v1/alerts takes it, checked by
// the caller, and when to send it (nullopt: as soon as it is approved).
struct draft_content {
  domain::alert_draft alert;
  domain::alert_audience audience;
  std::optional<std::int64_t> send_at;
  bool publish = true;
  std::optional<std::int64_t> media_id;  // an attachment stored with store::media; absent: none
};

// not_found: no such draft; wrong_state: not in a state that allows it
// (the record says which it is in); stale: at another revision than the
// one the caller read (the record says which), so nothing changed;
// media_unknown: the content names an attachment that is not stored
// (checked in the transaction that would write it), so nothing changed.
enum class draft_outcome { done, not_found, wrong_state, stale, media_unknown };
struct draft_change {
  draft_outcome outcome = draft_outcome::done;
  std::optional<draft_record> draft;  // as it is afterwards
};

class drafts {
 public:
  virtual ~drafts() = default;
  // One poll's items of the news feed of a town: new items become drafts,
  // a changed item rewrites its draft while it is still a draft; audited.
  virtual boost::asio::awaitable<news_applied> apply_news(std::string feed_url, std::string town_id,
                                                          std::vector<news_item_input> items,
                                                          std::int64_t now_ms) = 0;
  // Conditional GET state of a news feed, as for CAP feeds.
  virtual boost::asio::awaitable<feed_state> news_feed(std::string url) = 0;
  virtual boost::asio::awaitable<void> news_feed_polled(std::string url, std::string etag,
                                                        std::string last_modified, std::int64_t now_ms) = 0;
  // Counts one more consecutive failure; returns the count.
  virtual boost::asio::awaitable<int> news_feed_failed(std::string url, std::int64_t now_ms) = 0;

  // Newest first; state empty: every state; before_id = 0 starts from the newest.
  virtual boost::asio::awaitable<std::vector<draft_record>> list_drafts(std::string state, std::int64_t before_id,
                                                                       std::size_t limit) = 0;
  virtual boost::asio::awaitable<std::optional<draft_record>> draft(std::int64_t id) = 0;

  // A person's draft (source "staff" or "api"), authored by who; submitted
  // at once (pending) when submit is set. Audited. done with the draft, or
  // media_unknown (nothing written).
  virtual boost::asio::awaitable<draft_change> create_draft(draft_content content, std::string source, actor who,
                                                            bool submit, std::int64_t now_ms) = 0;
  // The four below take the revision the caller read: when it is given
  // and the draft is at another one, nothing changes (stale), checked in
  // the transaction that would change it; nullopt skips the check.
  //
  // Rewrites a draft or a rejected draft (back to draft); who becomes its
  // editor; the revision grows; the attachment is content's (none drops
  // it). Audited.
  virtual boost::asio::awaitable<draft_change> update_draft(std::int64_t id, draft_content content, actor who,
                                                            std::int64_t now_ms,
                                                            std::optional<std::int64_t> revision) = 0;
  // draft or rejected -> pending. Audited.
  virtual boost::asio::awaitable<draft_change> submit_draft(std::int64_t id, actor who, std::int64_t now_ms,
                                                            std::optional<std::int64_t> revision) = 0;
  // pending -> rejected with the reason. Audited.
  virtual boost::asio::awaitable<draft_change> reject_draft(std::int64_t id, std::string reason, actor who,
                                                            std::int64_t now_ms,
                                                            std::optional<std::int64_t> revision) = 0;
  // draft or rejected -> discarded. Audited. A draft in another state
  // (already sent, discarded or pending) is left as it is: wrong_state,
  // with the record.
  virtual boost::asio::awaitable<draft_change> discard_draft(std::int64_t id, actor who, std::int64_t now_ms,
                                                             std::optional<std::int64_t> revision) = 0;
};

}  // namespace banditore::store

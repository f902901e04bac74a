// Drafts: alerts not sent yet, and where news drafts come from. A town's
// website news feed is polled (app/news_feed.hpp); each new item becomes a
// draft that a person sends as an alert (POST /v1/alerts with draft_id) or
// discards. Nothing here ever sends. Each call is one transaction.
#pragma once

#include <banditore/store/alerts.hpp>
#include <banditore/store/cap_alerts.hpp>

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

struct draft_record {
  std::int64_t id = 0;
  std::string source;  // "news"
  std::string town_id;
  std::string category, severity, title, text, link;
  std::string state;  // draft, sent, discarded
  std::optional<std::int64_t> alert_id, published_at;
  std::string news_feed;
  std::int64_t created_at = 0, updated_at = 0;
};

// A draft a person writes in the console. Drafts keep one town; topics
// and areas are chosen again when it is sent.
struct new_draft {
  std::string town_id;  // empty: none
  std::string category, severity, title, text, link;
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
  // Saves a draft written by a person (source "console"), audited;
  // returns its id.
  virtual boost::asio::awaitable<std::int64_t> save_draft(new_draft draft, actor who, std::int64_t now_ms) = 0;
  // Discards a draft (audited); returns it as it is afterwards, nullopt
  // when there is none. A draft already sent or discarded is left as it is.
  virtual boost::asio::awaitable<std::optional<draft_record>> discard_draft(std::int64_t id, actor who,
                                                                           std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

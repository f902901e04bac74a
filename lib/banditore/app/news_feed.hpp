// Polls the news feeds of the towns' websites (BANDITORE_NEWS_FEEDS): each
// interval, a conditional GET of every feed; each new item becomes a draft
// alert and a changed item rewrites its draft (store/drafts.hpp). Nothing
// is ever sent from here: a person decides. A feed that fails is retried
// later and later (doubling, at most an hour), logged and counted in the
// metrics; nothing it does ever stops the service.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace banditore::store {
class drafts;
}

namespace banditore::app {

struct news_feed_source {
  std::string town_id;  // empty: no town
  std::string url;
};

struct news_feed_options {
  std::vector<news_feed_source> feeds;
  std::chrono::seconds interval{900};
  std::chrono::seconds max_backoff{3600};
  std::chrono::milliseconds request_timeout{30'000};
  std::size_t max_bytes = std::size_t{2} << 20;
  std::string ca_file;  // extra trusted CAs for https feeds
};

class news_feed_poller {
 public:
  // drafts must outlive the poller.
  news_feed_poller(boost::asio::io_context& io, store::drafts& drafts, news_feed_options options);
  ~news_feed_poller();
  news_feed_poller(const news_feed_poller&) = delete;
  news_feed_poller& operator=(const news_feed_poller&) = delete;

  // Polls every feed at once, then every interval. With no feeds it does
  // nothing.
  void start();
  // Stops after the request in progress (bounded by request_timeout).
  boost::asio::awaitable<void> stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace banditore::app

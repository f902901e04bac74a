// Polls Atom / RSS feeds of CAP documents (MeteoAlarm, civil-protection
// portals): each interval it asks every feed with a conditional GET,
// fetches the documents it has not fetched before and hands each to
// ingest_cap, exactly as if it had been pushed. A feed that fails is
// retried later and later (doubling, at most an hour); nothing it does
// ever stops the service.
#pragma once

#include <banditore/app/cap_api.hpp>
#include <banditore/http/client.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::dispatch {
class background_task;
}

namespace banditore::app {

struct cap_feed_options {
  std::vector<std::string> feeds;             // BANDITORE_CAP_FEEDS
  std::chrono::seconds interval{300};         // BANDITORE_CAP_POLL_SECONDS
  std::chrono::seconds max_backoff{3600};
  std::chrono::milliseconds request_timeout{30'000};
  std::size_t max_bytes = std::size_t{1} << 20;  // per feed or document, as parse_cap allows
  std::string ca_file;                        // extra trusted CAs for https feeds
};

struct cap_feed_stats {
  std::uint64_t polls = 0;
  std::uint64_t not_modified = 0;
  std::uint64_t failures = 0;             // feed polls that failed
  std::uint64_t documents = 0;            // documents fetched and ingested
  std::uint64_t documents_refused = 0;    // not valid CAP
  std::uint64_t document_failures = 0;    // could not be fetched; tried again next poll
  bool running = false;
};

// The wait before the next poll of a feed after `failures` consecutive
// failures: interval * 2^failures, at most max_backoff (never less than the
// interval).
std::chrono::seconds feed_backoff(int failures, std::chrono::seconds interval, std::chrono::seconds max_backoff);

// "https://host:port/path?q" -> origin "https://host:port" and target
// "/path?q" ("/" when there is no path); nullopt unless http(s) with a host.
struct url_parts {
  std::string origin;
  std::string target;
};
std::optional<url_parts> split_url(std::string_view url);

// What the CAP feed poller and the news feed poller share.

// One HTTP client per origin polled, kept between polls. For pollers that
// make one request at a time: past max_origins distinct origins the kept
// clients are dropped before a new one is made. A connection may take at
// most 10 s of the request's timeout.
class feed_clients {
 public:
  feed_clients(boost::asio::io_context& io, std::chrono::milliseconds request_timeout, std::size_t max_bytes,
               std::string ca_file, std::size_t connections_per_origin, std::size_t max_origins = 16);
  ~feed_clients();
  http::client& for_origin(const std::string& origin);

 private:
  boost::asio::io_context& io_;
  http::client_options defaults_;
  std::size_t max_origins_;
  std::map<std::string, std::unique_ptr<http::client>> clients_;
};

// Polls each of `feeds` feeds when it is due, until task stops: poll(i)
// returns the feed's consecutive failures (0: it worked), and the feed is
// due again after interval, or after feed_backoff when it failed.
boost::asio::awaitable<void> poll_feeds_when_due(dispatch::background_task& task, std::size_t feeds,
                                                 std::function<boost::asio::awaitable<int>(std::size_t)> poll,
                                                 std::chrono::seconds interval, std::chrono::seconds max_backoff);

class cap_feed_poller {
 public:
  // context must outlive the poller; its stores are used on the database
  // thread only.
  cap_feed_poller(boost::asio::io_context& io, cap_context& context, cap_feed_options options);
  ~cap_feed_poller();
  cap_feed_poller(const cap_feed_poller&) = delete;
  cap_feed_poller& operator=(const cap_feed_poller&) = delete;

  // Polls every feed at once, then every interval. With no feeds it does
  // nothing.
  void start();
  // Stops after the request in progress (bounded by request_timeout).
  boost::asio::awaitable<void> stop();

  cap_feed_stats stats() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace banditore::app

#include <banditore/app/news_feed.hpp>

#include <banditore/app/cap_feed.hpp>
#include <banditore/dispatch/background.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/http/client.hpp>
#include <banditore/log/log.hpp>
#include <banditore/metrics/registry.hpp>
#include <banditore/store/drafts.hpp>
#include <banditore/web/news.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace banditore::app {

namespace asio = boost::asio;

namespace {

constexpr std::string_view feed_accept =
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, */*;q=0.1";

metrics::counter& feed_counter(std::string_view outcome) {
  return metrics::default_registry().counter_for(
      "banditore_news_polls_total", "Polls of the towns' news feeds, by outcome (ok, not_modified, failed)",
      {{"outcome", std::string(outcome)}});
}

metrics::counter& draft_counter(std::string_view change) {
  return metrics::default_registry().counter_for(
      "banditore_news_drafts_total", "Drafts made or rewritten from news items", {{"change", std::string(change)}});
}

// Alerts carry https links only (domain/alert.hpp): an http link of a
// news item is left out of its draft rather than refused at send time.
std::string https_only(const std::string& link) { return link.starts_with("https://") ? link : std::string(); }

}  // namespace

struct news_feed_poller::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, store::drafts& drafts, news_feed_options o)
      : drafts_(drafts),
        options_(std::move(o)),
        task_(io, "news_feed"),
        clients_(io, options_.request_timeout, options_.max_bytes, options_.ca_file, 1) {}

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    auto poll_one = [this](std::size_t i) { return poll(options_.feeds[i]); };
    co_await poll_feeds_when_due(task_, options_.feeds.size(), poll_one, options_.interval, options_.max_backoff);
  }

  // The feed's consecutive failures: 0 when this poll worked. Never throws.
  asio::awaitable<int> poll(const news_feed_source& feed) {
    std::string error;
    try {
      error = co_await fetch(feed);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (error.empty()) co_return 0;
    feed_counter("failed").inc();
    int failures = 1;
    try {
      std::string url = feed.url;
      failures = co_await drafts_.news_feed_failed(std::move(url), domain::now_ms());
    } catch (const std::exception& e) {
      error += fmt::format(" (and the failure could not be recorded: {})", e.what());
    }
    log::warn("news_feed.failed", {{"feed", feed.url}, {"town", feed.town_id}, {"failures", failures}, {"error", error}});
    co_return failures;
  }

  // "" when the feed was read and its items made drafts; otherwise why not.
  asio::awaitable<std::string> fetch(const news_feed_source& feed) {
    auto parts = split_url(feed.url);
    if (!parts) co_return std::string("not an http:// or https:// URL");
    std::string url = feed.url;
    auto state = co_await drafts_.news_feed(std::move(url));
    std::vector<http::header_field> headers;
    headers.push_back({"Accept", std::string(feed_accept)});
    headers.push_back({"User-Agent", "banditore"});
    if (!state.etag.empty()) headers.push_back({"If-None-Match", state.etag});
    if (!state.last_modified.empty()) headers.push_back({"If-Modified-Since", state.last_modified});
    std::string no_body;
    auto r = co_await clients_.for_origin(parts->origin).request("GET", parts->target, std::move(no_body), std::move(headers));
    if (!r.answered()) co_return fmt::format("GET failed: {}", r.transport_error);
    const auto now = domain::now_ms();
    if (r.status == 304) {
      feed_counter("not_modified").inc();
      std::string etag = r.header("ETag").empty() ? state.etag : std::string(r.header("ETag"));
      std::string polled = feed.url, modified = state.last_modified;
      co_await drafts_.news_feed_polled(std::move(polled), std::move(etag), std::move(modified), now);
      co_return std::string();
    }
    if (r.status != 200) co_return fmt::format("HTTP {}", r.status);
    web::news_limits limits;
    limits.max_bytes = options_.max_bytes;
    auto parsed = web::parse_news_feed(r.body, limits);
    if (!parsed.ok()) co_return fmt::format("feed refused: {}: {}", parsed.element, parsed.reason);
    std::vector<store::news_item_input> items;
    items.reserve(parsed.items.size());
    for (auto& i : parsed.items)
      items.push_back({std::move(i.id), std::move(i.title), std::move(i.summary), https_only(i.link), i.published_ms});
    const auto count = items.size();
    std::string feed_url = feed.url, town = feed.town_id;
    auto applied = co_await drafts_.apply_news(std::move(feed_url), std::move(town), std::move(items), now);
    std::string polled = feed.url, etag(r.header("ETag")), modified(r.header("Last-Modified"));
    co_await drafts_.news_feed_polled(std::move(polled), std::move(etag), std::move(modified), now);
    feed_counter("ok").inc();
    draft_counter("created").inc(static_cast<double>(applied.created));
    draft_counter("updated").inc(static_cast<double>(applied.updated));
    if (applied.created > 0 || applied.updated > 0)
      log::info("news_feed.drafts", {{"feed", feed.url}, {"town", feed.town_id}, {"items", count},
                                     {"created", applied.created}, {"updated", applied.updated}});
    co_return std::string();
  }

  store::drafts& drafts_;
  news_feed_options options_;
  dispatch::background_task task_;
  feed_clients clients_;
};

news_feed_poller::news_feed_poller(asio::io_context& io, store::drafts& drafts, news_feed_options options)
    : impl_(std::make_shared<impl>(io, drafts, std::move(options))) {}

news_feed_poller::~news_feed_poller() = default;

void news_feed_poller::start() {
  if (impl_->options_.feeds.empty()) return;
  auto* impl = impl_.get();
  impl->task_.start([impl] { return impl->run(); }, impl_);
}

asio::awaitable<void> news_feed_poller::stop() {
  auto self = impl_;
  co_await self->task_.stop();
}

}  // namespace banditore::app

#include <banditore/app/cap_feed.hpp>

#include <banditore/cap/feed.hpp>
#include <banditore/http/client.hpp>
#include <banditore/log/log.hpp>
#include <banditore/dispatch/background.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/store/cap_alerts.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace banditore::app {

namespace asio = boost::asio;

namespace {

using domain::now_ms;

// A fetched document URL is remembered this long; feeds list a document
// for days, not weeks.
constexpr std::int64_t seen_memory_ms = 30LL * 24 * 3600 * 1000;

constexpr std::string_view feed_accept = "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.1";
constexpr std::string_view document_accept = "application/cap+xml, application/xml;q=0.9, */*;q=0.1";

// A document that will not be there next time either: give it up.
bool permanent(int status) { return status >= 400 && status < 500 && status != 408 && status != 429; }

}  // namespace

std::chrono::seconds feed_backoff(int failures, std::chrono::seconds interval, std::chrono::seconds max_backoff) {
  auto wait = interval;
  for (int i = 0; i < failures && wait < max_backoff; ++i) wait *= 2;
  return std::max(interval, std::min(wait, max_backoff));
}

std::optional<url_parts> split_url(std::string_view url) {
  auto base = http::parse_base_url(url);
  if (!base) return std::nullopt;
  auto scheme_end = url.find("://") + 3;
  auto path_at = url.find_first_of("/?#", scheme_end);
  url_parts out;
  out.origin = std::string(url.substr(0, path_at));
  std::string target = path_at == std::string_view::npos ? std::string() : std::string(url.substr(path_at));
  if (auto hash = target.find('#'); hash != std::string::npos) target.erase(hash);  // never sent
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  out.target = std::move(target);
  return out;
}

feed_clients::feed_clients(asio::io_context& io, std::chrono::milliseconds request_timeout, std::size_t max_bytes,
                           std::string ca_file, std::size_t connections_per_origin, std::size_t max_origins)
    : io_(io), max_origins_(max_origins) {
  defaults_.max_connections = connections_per_origin;
  defaults_.request_timeout = request_timeout;
  defaults_.connect_timeout = std::min(request_timeout, std::chrono::milliseconds(10'000));
  defaults_.max_response_bytes = max_bytes;
  defaults_.ca_file = std::move(ca_file);
}

feed_clients::~feed_clients() = default;

http::client& feed_clients::for_origin(const std::string& origin) {
  auto it = clients_.find(origin);
  if (it != clients_.end()) return *it->second;
  if (clients_.size() >= max_origins_) clients_.clear();
  auto o = defaults_;
  o.base = origin;
  auto c = std::make_unique<http::client>(io_.get_executor(), o);
  auto& ref = *c;
  clients_.emplace(origin, std::move(c));
  return ref;
}

asio::awaitable<void> poll_feeds_when_due(dispatch::background_task& task, std::size_t feeds,
                                          std::function<asio::awaitable<int>(std::size_t)> poll,
                                          std::chrono::seconds interval, std::chrono::seconds max_backoff) {
  using clock = std::chrono::steady_clock;
  std::vector<clock::time_point> due(feeds, clock::now());
  while (!task.stopping() && feeds > 0) {
    for (std::size_t i = 0; i < feeds && !task.stopping(); ++i) {
      if (due[i] > clock::now()) continue;
      const int failures = co_await poll(i);
      due[i] = clock::now() + (failures == 0 ? interval : feed_backoff(failures, interval, max_backoff));
    }
    if (task.stopping()) break;
    co_await task.wait_until(*std::min_element(due.begin(), due.end()));
  }
}

struct cap_feed_poller::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, cap_context& ctx, cap_feed_options o)
      : ctx_(ctx),
        options_(std::move(o)),
        task_(io, "cap_feed"),
        clients_(io, options_.request_timeout, options_.max_bytes, options_.ca_file, 2) {}

  http::client& client_for(const std::string& origin) { return clients_.for_origin(origin); }

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    auto poll = [this](std::size_t i) { return poll_feed(options_.feeds[i]); };
    co_await poll_feeds_when_due(task_, options_.feeds.size(), poll, options_.interval, options_.max_backoff);
  }

  // Returns the feed's consecutive failures: 0 when this poll worked. Never
  // throws: whatever goes wrong is logged and counted.
  asio::awaitable<int> poll_feed(const std::string& url) {
    std::string error;
    try {
      error = co_await fetch_feed(url);
    } catch (const std::exception& e) {
      error = e.what();
    }
    ++stats_.polls;
    if (error.empty()) co_return 0;
    ++stats_.failures;
    log::warn("cap_feed.failed", {{"feed", url}, {"error", error}});
    int failures = 1;
    std::string unrecorded;
    const auto now = now_ms();
    try {
      std::string feed = url;
      failures = co_await ctx_.cap->feed_failed(std::move(feed), now);
    } catch (const std::exception& e) {
      unrecorded = e.what();
    }
    if (!unrecorded.empty())
      log::warn("cap_feed.failed", {{"feed", url}, {"error", "the failure could not be recorded: " + unrecorded}});
    co_return failures;
  }

  // "" when the feed was read and its new documents dealt with; otherwise
  // why not.
  asio::awaitable<std::string> fetch_feed(const std::string& url) {
    auto parts = split_url(url);
    if (!parts) {
      std::string error = "not an http:// or https:// URL";
      co_return error;
    }
    std::string feed_url = url;
    auto state = co_await ctx_.cap->feed(std::move(feed_url));

    std::vector<http::header_field> headers;
    headers.push_back({"Accept", std::string(feed_accept)});
    headers.push_back({"User-Agent", "banditore"});
    if (!state.etag.empty()) headers.push_back({"If-None-Match", state.etag});
    if (!state.last_modified.empty()) headers.push_back({"If-Modified-Since", state.last_modified});
    auto& client = client_for(parts->origin);
    std::string no_body;
    auto r = co_await client.request("GET", parts->target, std::move(no_body), std::move(headers));
    if (!r.answered()) {
      std::string error = fmt::format("GET failed: {}", r.transport_error);
      co_return error;
    }
    const auto now = now_ms();
    if (r.status == 304) {
      ++stats_.not_modified;
      std::string etag = r.header("ETag").empty() ? state.etag : std::string(r.header("ETag"));
      std::string modified = state.last_modified;
      std::string polled = url;
      const std::optional<std::int64_t> keep_seen;
      co_await ctx_.cap->feed_polled(std::move(polled), std::move(etag), std::move(modified), now, keep_seen);
      co_return std::string();
    }
    if (r.status != 200) {
      std::string error = fmt::format("HTTP {}", r.status);
      co_return error;
    }
    auto feed = cap::cap_links_from_feed(r.body, options_.max_bytes);
    if (!feed.ok()) {
      std::string error = fmt::format("feed refused: {}: {}", feed.element, feed.reason);
      co_return error;
    }
    auto unseen = co_await ctx_.cap->unseen(std::move(feed.links));
    bool all_done = true;
    for (const auto& link : unseen) {
      if (task_.stopping()) {
        all_done = false;
        break;
      }
      const bool done = co_await fetch_document(url, link);
      all_done = all_done && done;
    }
    // The validators are kept only when every document was dealt with:
    // otherwise a 304 next time would hide the ones still to fetch.
    std::string etag = all_done ? std::string(r.header("ETag")) : std::string();
    std::string modified = all_done ? std::string(r.header("Last-Modified")) : std::string();
    std::string polled = url;
    const std::optional<std::int64_t> forget_before = now - seen_memory_ms;
    co_await ctx_.cap->feed_polled(std::move(polled), std::move(etag), std::move(modified), now, forget_before);
    co_return std::string();
  }

  // false when the document should be tried again at the next poll.
  asio::awaitable<bool> fetch_document(const std::string& feed_url, const std::string& link) {
    std::string error;
    bool retry = false;
    auto parts = split_url(link);
    if (!parts) {
      error = fmt::format("CAP document {}: not an http:// or https:// URL", link);
    } else {
      std::vector<http::header_field> headers;
      headers.push_back({"Accept", std::string(document_accept)});
      headers.push_back({"User-Agent", "banditore"});
      auto& client = client_for(parts->origin);
      std::string no_body;
      auto r = co_await client.request("GET", parts->target, std::move(no_body), std::move(headers));
      if (!r.answered()) {
        error = fmt::format("CAP document {}: GET failed: {}", link, r.transport_error);
        retry = true;
      } else if (r.status != 200) {
        error = fmt::format("CAP document {}: HTTP {}", link, r.status);
        retry = !permanent(r.status);
      } else {
        cap_origin origin;
        origin.actor = "cap-feed";
        origin.feed_url = feed_url;
        origin.document_url = link;
        const std::string_view xml = r.body;
        auto out = co_await ingest_cap(ctx_, xml, origin);
        ++stats_.documents;
        if (out.refused) {
          ++stats_.documents_refused;
          error = fmt::format("CAP document {} refused: {}: {}", link, out.element, out.reason);
        } else {
          log::info("cap_feed.document", {{"feed", feed_url}, {"document", link}, {"verdict", out.verdict},
                                          {"alert_id", out.alert_id ? nlohmann::json(*out.alert_id) : nlohmann::json(nullptr)}});
          co_return true;
        }
      }
    }
    log::warn("cap_feed.document_failed", {{"feed", feed_url}, {"error", error}});
    if (retry) {
      ++stats_.document_failures;
      co_return false;
    }
    // Refused or gone for good: not fetched again.
    const auto now = now_ms();
    std::string seen = link;
    co_await ctx_.cap->mark_seen(std::move(seen), now);
    co_return true;
  }

  cap_context& ctx_;
  cap_feed_options options_;
  dispatch::background_task task_;  // the polling loop: started once, stopped
  feed_clients clients_;
  cap_feed_stats stats_;
};

cap_feed_poller::cap_feed_poller(asio::io_context& io, cap_context& context, cap_feed_options options)
    : impl_(std::make_shared<impl>(io, context, std::move(options))) {}

cap_feed_poller::~cap_feed_poller() = default;

void cap_feed_poller::start() {
  if (impl_->options_.feeds.empty()) return;
  auto* impl = impl_.get();
  impl->task_.start([impl] { return impl->run(); }, impl_);
}

asio::awaitable<void> cap_feed_poller::stop() {
  auto self = impl_;
  co_await self->task_.stop();
}

cap_feed_stats cap_feed_poller::stats() const {
  auto s = impl_->stats_;
  s.running = impl_->task_.running();
  return s;
}

}  // namespace banditore::app

// The sender drives the outbox: it leases due rows, sends each through the
// channel at the allowed rate with a bounded number in flight, and records
// the outcomes in batches. A slot in flight is freed only once its outcome
// is committed, so a crash can re-send at most max_in_flight messages: the
// ones whose send may have happened but whose outcome was not yet saved.
#pragma once

#include <banditore/dispatch/channel.hpp>
#include <banditore/domain/alert_message.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace banditore::store {
class outbox_rounds;
class media;
}  // namespace banditore::store

namespace banditore::dispatch {

struct sender_options {
  double rate_per_second = 80;       // BANDITORE_WA_RATE
  double burst = 1;
  std::size_t max_in_flight = 32;
  std::size_t lease_batch = 512;
  std::chrono::milliseconds lease_duration{5 * 60 * 1000};
  int max_attempts = 10;
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{10 * 60 * 1000};
  std::chrono::milliseconds pair_pause{6000};        // WhatsApp: ~1 message / 6 s per person
  std::chrono::milliseconds slow_down_pause{1000};   // when no Retry-After is given
  std::chrono::milliseconds configuration_pause{60'000};
  std::chrono::milliseconds idle_poll{1000};
  // Longest wait for outcomes to gather before the next database round.
  std::chrono::milliseconds gather_wait{2};

  // Broadcast deliveries outside the 24-hour window use this template; its
  // body parameters are filled from the alert's fields in this order, each
  // folded to what Meta accepts (domain::template_parameters).
  std::string template_name;  // empty: none configured
  // Templates approved with the same language and body as template_name
  // and a media header (Meta: format IMAGE, or DOCUMENT): an alert with an
  // image (a PDF) goes outside the window as the first (the second) with
  // its attachment in the header. Empty: that alert goes as template_name,
  // without its attachment (a template without a media header takes none).
  std::string template_image_name;
  std::string template_document_name;
  std::string template_language = "it";
  std::vector<std::string> template_params = {"title", "text"};
  std::string town;
  domain::severity_labels labels;
  bool always_template = false;
  std::int64_t tier_limit = 0;  // unique people per day outside the window; 0 = unlimited
  // Where alerts' attachments are read for their upload to the channel;
  // null: alerts go without them.
  store::media* media = nullptr;
  // With several business numbers, this sender's: it leases only that
  // number's rows (config/numbers.hpp). Empty: one number, every row.
  std::string number_id;
  bool adopts_unrouted = false;  // the first number: also rows of no number
  // Its business portfolio: the messaging limit (tier_limit) is counted
  // over the portfolio's numbers together. Empty: over every number.
  std::string portfolio;
  // Called after a round that leased or settled deliveries (on the
  // sender's thread): the console's progress streams look again.
  std::function<void()> progressed;
};

struct sender_stats {
  std::uint64_t accepted = 0;
  std::uint64_t retried = 0;
  std::uint64_t failed = 0;
  std::uint64_t throttled = 0;
  std::size_t in_flight = 0;
  bool running = false;
  bool configuration_error = false;
};

// Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))].
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max, double unit_random);

namespace detail {
struct delivery_view {
  std::string title, text, category, severity, link;
  std::int64_t issued_at_ms = 0;
  std::string town;  // the alert's one town; empty: the deployment's (sender_options::town)
};
}  // namespace detail

// What a broadcast delivery says: free text, or the template with its
// parameters filled from the alert. media_mime_type: the alert's
// attachment's type (empty: none); as a template, one with a media header
// of its kind is chosen when configured, its header's provider id still
// empty (the sender fills it once the attachment is uploaded).
outgoing_message delivery_message(const sender_options& options, std::string to,
                                  const detail::delivery_view& alert, bool as_template,
                                  std::string_view media_mime_type = {});

// The template an alert with this attachment goes as outside the window:
// the one with a media header of its kind, or the plain one (then without
// the attachment). Empty mime type: the plain one.
const std::string& template_for_media(const sender_options& options, std::string_view media_mime_type);

class sender {
 public:
  // Each round of the sender is one call on the outbox.
  sender(boost::asio::io_context& io, store::outbox_rounds& outbox, channel& ch, sender_options options);
  ~sender();

  void start();
  // Stops leasing, waits for sends in flight and records their outcomes.
  boost::asio::awaitable<void> stop();
  // New rows were committed: look now rather than at the next poll.
  void wake();

  sender_stats stats() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace banditore::dispatch

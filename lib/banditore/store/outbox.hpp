// The outbox: every message that leaves is first a committed row. The
// sender leases due rows, sends them, and records what the provider
// answered; status notifications move a row forward (sent, delivered, read,
// failed) in whatever order they arrive. outbox_rounds is what the sender
// asks of the store: one round, one transaction.
#pragma once

#include <banditore/domain/replies.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::store {

// Lower goes first: replies to citizens are never starved by a broadcast.
inline constexpr int reply_priority = 0;

struct outbox_item {
  std::int64_t id = 0;
  int priority = 0;
  std::string phone_hash;
  std::string recipient;  // E.164 digits, decrypted for the send only
  std::string text;       // a reply's text, or an alert's text
  std::vector<domain::reply_button> buttons;  // a reply's buttons, if any
  domain::reply_list list;                    // or a reply's list message
  std::int64_t alert_id = 0;  // 0 for a reply
  std::int64_t subscriber_id = 0;
  std::string title, category, severity, link;  // the alert's, for deliveries
  std::string town;  // the town an alert is signed with: the one it is for, or the recipient's; empty: the deployment's
  std::int64_t issued_at_ms = 0;                 // when the alert was created
  bool as_template = false;  // outside the 24-hour window: the approved template
  // The alert's attachment (store/media.hpp), 0: none; sent inside the
  // window only, as an image or document with the text as its caption.
  std::int64_t media_id = 0;
  std::string media_mime_type, media_filename;
  int attempts = 0;           // including this one
  // The business number it leaves from (config/numbers.hpp); empty: the
  // deployment's one number.
  std::string number_id;
};

// How deliveries are leased: WhatsApp accepts free text only within 24 hours
// of the citizen's last message, and limits the unique people reached
// outside that window per moving day (the messaging tier).
struct delivery_policy {
  bool template_available = false;  // a template is configured
  bool always_template = false;     // never free text for broadcasts
  std::int64_t tier_limit = 0;      // unique people per 24 h outside the window; 0 = unlimited
  // With several business numbers, each number's sender leases only its
  // own rows, and the window is the one opened on that number. Empty: one
  // number, every row.
  std::string number_id;
  // The first number also takes queued rows of no number (written by
  // another process, such as the welcome notice of an import).
  bool adopts_unrouted = false;
  // With several numbers, the Meta business portfolio of number_id: the
  // messaging limit is counted over the portfolio's numbers together
  // (Meta, since October 2025), apart from other portfolios. Empty: over
  // every number of the deployment.
  std::string portfolio;
};

inline constexpr std::int64_t service_window_ms = 24LL * 3600 * 1000;
inline constexpr std::string_view waiting_for_limit = "waiting for the messaging limit";
// An alert to an imported number waits until the welcome notice has left.
inline constexpr std::string_view waiting_for_welcome = "waiting for the welcome notice";
inline constexpr std::int64_t welcome_wait_ms = 1000;

struct messaging_limit_usage {
  std::int64_t tier_limit = 0;
  std::int64_t used = 0;  // unique people reached outside their window in the last 24 h
  std::optional<std::int64_t> frees_at;  // when the oldest of them leaves the moving day
};

// One business portfolio's use of its messaging limit (several numbers).
struct portfolio_usage {
  std::string portfolio;
  std::int64_t used = 0;
  std::optional<std::int64_t> frees_at;
};

enum class result_kind {
  sent,
  retry,
  failed,
  requeue_as_template,  // 131047: outside the window, send the template
  opt_out,              // 131050: the person stopped these messages
};

struct send_record {
  std::int64_t id = 0;
  // The leased row's, so recording needs no lookup: a sent delivery moves
  // its alert's send times and clears its subscriber's failure streak.
  std::int64_t alert_id = 0;
  std::int64_t subscriber_id = 0;
  result_kind kind = result_kind::retry;
  std::string provider_message_id;  // when sent
  std::int64_t not_before = 0;      // when retry
  bool count_attempt = true;        // false: throttling, not the message's fault
  int error_code = 0;
  std::string error_title;
};


// A record of what became of a leased item, to be filled in.
send_record record_for(const outbox_item& item);

enum class status_kind { sent, delivered, read, failed };

// What became of a status notification.
enum class status_outcome {
  applied,     // matched its delivery (a repeated or stale status changes nothing)
  kept_early,  // overtook the send's answer: waits until the send is recorded
  unknown,     // not a message this service sent, or an attempt since replaced
};

// A send carries its outbox row as biz_opaque_callback_data ("outbox:<id>");
// Meta echoes it in the message's status notifications, so a status finds
// its row by primary key. (An index over message ids, which are random,
// cost a page write per send.)
std::string delivery_reference(std::int64_t outbox_id);
std::optional<std::int64_t> parse_delivery_reference(std::string_view callback_data);

// Rows by delivery state; add() files one "state, count" row of a GROUP BY.
struct delivery_counts {
  std::int64_t queued = 0, sending = 0, sent = 0, delivered = 0, read = 0, failed = 0, cancelled = 0;
  std::int64_t total() const { return queued + sending + sent + delivered + read + failed + cancelled; }
  void add(std::string_view state, std::int64_t n);
  // Moves n of the queued to sending (alert_progress counts both as one).
  void split_sending(std::int64_t n);
};
using outbox_counts = delivery_counts;

// What one round of the sender got back.
struct sender_round {
  std::vector<outbox_item> items;        // leased, marked sending
  std::optional<std::int64_t> next_due;  // when nothing was due: the earliest queued row's time
};

class outbox_rounds {
 public:
  virtual ~outbox_rounds() = default;

  // One transaction: records the outcomes of earlier sends, then leases up
  // to lease_limit due rows (none when 0), highest priority first, for
  // lease_ms; rows whose subscriber has left are cancelled instead. When
  // it could lease and nothing was due, next_due says when to look again.
  virtual boost::asio::awaitable<sender_round> round(std::vector<send_record> outcomes, std::size_t lease_limit,
                                                     std::int64_t lease_ms, delivery_policy policy,
                                                     std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

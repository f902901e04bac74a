// The alerts anyone may read: the archive (/avvisi), one alert's page, the
// Atom and CAP feeds. Read-only. An alert is public unless the press office
// marked it "non pubblicare", it came from a CAP document whose status is
// not Actual (an Exercise or a Test never shows), or it is not an alert
// for the public at all (an import's welcome notice). Nothing about
// subscribers is ever read here.
#pragma once

#include <banditore/domain/alert_audience.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace banditore::store {

// An alert's attachment as the public pages name it (store/media.hpp):
// what it is, never its bytes.
struct public_attachment {
  std::int64_t id = 0;
  std::string mime_type;  // image/jpeg, image/png or application/pdf
  std::string filename;   // as uploaded; empty for an image
  std::int64_t size = 0;  // bytes
  std::string sha256;     // 64 lowercase hex digits: the download's ETag
};

// The attachment and its bytes, for /avvisi/{id}/allegato.
struct public_attachment_file {
  public_attachment info;
  std::string bytes;
};

struct public_alert {
  std::int64_t id = 0;
  std::string category, severity, title, text, link, source;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at, cancelled_at;
  // Whom it was for: catalogue ids (the towns, topics and areas it names;
  // each absent when all). The pages name the places, never a count.
  domain::alert_audience audience;
  // The public alert this one updates, and the newest public alert that
  // updates this one: the pages link them, the CAP feed references them.
  // An alert replaced by a public update is shown as updated, not as
  // cancelled (the update stopped what was left of it): cancelled_at is
  // empty then.
  std::optional<std::int64_t> updates, updated_by;
  // The image or document it carries, if any.
  std::optional<public_attachment> attachment;
};

// A page of the archive, newest first, by keyset: the alerts with an id
// below before_id (0: from the newest).
struct public_alert_query {
  std::int64_t before_id = 0;
  std::size_t limit = 20;
  // Town and topic ids; empty: every one. An alert for every town (or
  // topic) is listed under each.
  std::string town, topic;
};

class public_alerts {
 public:
  virtual ~public_alerts() = default;
  virtual boost::asio::awaitable<std::vector<public_alert>> public_list(public_alert_query query) = 0;
  // nullopt when there is no such alert or it is not public.
  virtual boost::asio::awaitable<std::optional<public_alert>> public_alert_by_id(std::int64_t id) = 0;
  // The attachment of a public alert, with its bytes; nullopt when there
  // is no such alert, it is not public or it carries none.
  virtual boost::asio::awaitable<std::optional<public_attachment_file>> public_attachment_content(
      std::int64_t alert_id) = 0;
  // A number that changes whenever what the public sees may have changed
  // (an alert created, cancelled, hidden), from any process: the pages'
  // cache asks it before rendering again. One cheap query.
  virtual boost::asio::awaitable<std::int64_t> public_version() = 0;
};

}  // namespace banditore::store

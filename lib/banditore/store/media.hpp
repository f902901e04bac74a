// Attachments: the one image or document an alert may carry, kept whole
// in the database after domain::check_media has taken it, named by an id
// and by the SHA-256 of its bytes. Each call is one transaction.
#pragma once

#include <banditore/domain/media_rules.hpp>
#include <banditore/store/alerts.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace banditore::store {

struct new_media {
  domain::media_kind kind = domain::media_kind::jpeg;
  std::string bytes;
  std::string filename;  // a document's name as citizens see it; empty for an image
};

struct media_record {
  std::int64_t id = 0;
  std::string mime_type;
  std::string filename;
  std::int64_t size = 0;
  std::string sha256;  // 64 lowercase hex digits
  std::string created_by;
  std::int64_t created_at = 0;
};

// The alerts and drafts that name a stored file, newest first (at most 100
// of each): whose attachment it is.
struct media_users {
  std::vector<std::int64_t> alert_ids, draft_ids;
};

struct stored_media {
  media_record media;
  bool created = false;  // false: the same bytes were already stored, under this id
};

class media {
 public:
  virtual ~media() = default;
  // Stores the bytes, audited; the same bytes again answer the row they
  // already have.
  virtual boost::asio::awaitable<stored_media> store_media(new_media upload, actor who, std::int64_t now_ms) = 0;
  // What is known of a stored file, without its bytes.
  virtual boost::asio::awaitable<std::optional<media_record>> media_info(std::int64_t id) = 0;
  // The file's bytes, for its upload to the provider; nullopt when none.
  virtual boost::asio::awaitable<std::optional<std::string>> media_content(std::int64_t id) = 0;
  // Which alerts and drafts carry it (the console's check of a
  // town-limited user's reach).
  virtual boost::asio::awaitable<media_users> users_of_media(std::int64_t id) = 0;
};

}  // namespace banditore::store

// The record of CAP documents received and of the feeds polled for them.
// A sender repeats documents (retries, feeds listing them for days), so a
// document is named by sender, identifier and sent, and recorded once;
// Update and Cancel find the broadcasts of the documents they reference.
// Runs on the database thread, inside the caller's transaction.
#pragma once

#include <banditore/store/cap_alerts.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

class cap_store {
 public:
  explicit cap_store(SQLite::Database& db);
  ~cap_store();

  // The earlier record of this document, if any.
  std::optional<cap_document_record> find(const cap_document_key& key);

  // Records a document; nullopt when it was already recorded (nothing is
  // changed then: the first record stands).
  std::optional<std::int64_t> record(const cap_document_row& row, std::int64_t now_ms);

  // The broadcasts made from the referenced documents, each once, in the
  // order of the references; references never seen or not broadcast are
  // skipped.
  std::vector<std::int64_t> alert_ids_of(const std::vector<cap_document_key>& references);

  // Conditional GET state of a feed; a feed never polled has the default.
  feed_state feed(std::string_view url);
  // A poll answered (200 or 304): keeps the validators, clears failures.
  void feed_polled(std::string_view url, std::string_view etag, std::string_view last_modified,
                   std::int64_t now_ms);
  // A poll failed: counts it; returns the consecutive failures so far.
  int feed_failed(std::string_view url, std::int64_t now_ms);

  // Document URLs of feeds already fetched.
  bool seen(std::string_view document_url);
  void mark_seen(std::string_view document_url, std::int64_t now_ms);
  // Forgets URLs fetched before the cutoff: a feed stops listing a document
  // long before this, and a URL forgotten too early is at worst fetched
  // again and found a duplicate.
  int forget_seen_before(std::int64_t cutoff_ms);

 private:
  struct statements;
  SQLite::Database& db_;
  std::unique_ptr<statements> st_;
};

// "2024-07-14T13:02:11Z": the form of cap_alerts.sent.
std::string cap_sent_text(std::int64_t sent_ms);

}  // namespace banditore::store::sqlite

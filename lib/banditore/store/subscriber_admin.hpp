// What an operator does to the subscriber list from the command line:
// answer a GDPR access request (lookup), erase a number on request
// (forget), count, and import a town's existing WhatsApp Business
// broadcast list from CSV. A number is found only through its keyed hash;
// nothing returned here contains a number.
#pragma once

#include <banditore/domain/import_notice.hpp>
#include <banditore/domain/subscriber_list.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::store {

struct consent_event {
  std::string event;  // subscribe, unsubscribe, opt_out, import, forget, add, remove, ...
  std::int64_t at = 0;
  // The catalogue ids the change concerned, comma-separated; empty when none.
  std::string towns, topics, areas;
};

struct subscriber_record {
  bool subscribed = false;
  std::int64_t subscribed_at = 0;
  std::string source;  // whatsapp, import
  std::optional<std::int64_t> flagged_at;
  std::vector<consent_event> consent;  // oldest first; kept after leaving
  // What the subscriber receives now: catalogue ids, sorted.
  std::vector<std::string> towns, topics, areas;
  bool only_severe = false;
};

struct forget_result {
  bool known = false;  // anything at all was stored under this hash
  std::int64_t subscribers_deleted = 0;
  std::int64_t outbox_cancelled = 0;   // queued rows that will not be sent
  std::int64_t outbox_erased = 0;      // rows whose encrypted recipient or reply text was erased
  std::int64_t contacts_deleted = 0;
  std::int64_t inbound_deleted = 0;
  std::int64_t consent_kept = 0;       // events kept, before the 'forget' event
};

struct subscriber_counts {
  std::int64_t subscribers = 0;
  std::int64_t flagged = 0;  // deliveries kept failing permanently
};
// The file is read by domain::parse_subscriber_list (the formats towns
// have, the reasons a line is refused); this stores what it accepts.

// The title of the notice to imported numbers (the template's first
// parameter when it goes as a template).
inline constexpr std::string_view import_notice_title = domain::import_notice_title;

struct import_options {
  std::string default_country = "39";
  std::string language = "it";  // of the replies they will get (BANDITORE_LANGUAGE)
  // Sent once to each imported number; nullopt sends nothing.
  std::optional<std::string> notice;
  std::string notice_title = std::string(import_notice_title);
  std::int64_t notice_not_before = 0;  // quiet hours may hold the notice; 0 = at once
  bool dry_run = false;  // check and count, then roll back
};

struct import_result {
  std::int64_t imported = 0;
  std::int64_t duplicates = 0;  // already subscribed, or repeated in the file
  std::vector<domain::rejected_line> rejected;  // by line, with the reason; never the number
  std::string columns;  // how the header was read (domain::subscriber_list::columns)
  std::int64_t notices_queued = 0;
  std::int64_t notice_alert_id = 0;  // the alert carrying the notice; 0 = none, or a dry run
  std::string error;  // the file as a whole was refused; nothing imported
};

class subscriber_admin {
 public:
  virtual ~subscriber_admin() = default;
  virtual subscriber_record lookup(std::string_view phone_hash) = 0;
  // Erases what identifies or describes the person, in one transaction;
  // the consent log stays and gets a 'forget' event.
  virtual forget_result forget(std::string_view phone_hash, std::int64_t now_ms) = 0;
  virtual subscriber_counts count() = 0;
  // Imports in one transaction (see store/sqlite/subscriber_admin.hpp).
  virtual import_result import(std::string_view csv_text, const import_options& options, std::int64_t now_ms) = 0;
};

}  // namespace banditore::store

// What an operator does to the subscriber list from the command line:
// answer a GDPR access request (lookup), erase a number on request
// (forget), count, and import a town's existing WhatsApp Business
// broadcast list from CSV. A number is found only through its keyed hash;
// nothing returned here contains a number.
#pragma once

#include <banditore/domain/subscriber_list.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }
namespace banditore::store {

class live_keys;

struct consent_event {
  std::string event;  // subscribe, unsubscribe, opt_out, import, forget
  std::int64_t at = 0;
};

struct subscriber_record {
  bool subscribed = false;
  std::int64_t subscribed_at = 0;
  std::string source;  // whatsapp, import
  std::optional<std::int64_t> flagged_at;
  std::vector<consent_event> consent;  // oldest first; kept after leaving
};

subscriber_record lookup_subscriber(SQLite::Database& db, std::string_view phone_hash);

struct forget_result {
  bool known = false;  // anything at all was stored under this hash
  std::int64_t subscribers_deleted = 0;
  std::int64_t outbox_cancelled = 0;   // queued rows that will not be sent
  std::int64_t outbox_erased = 0;      // rows whose encrypted recipient was erased
  std::int64_t contacts_deleted = 0;
  std::int64_t inbound_deleted = 0;
  std::int64_t consent_kept = 0;       // events kept, before the 'forget' event
};

// Erases what identifies or describes the person, in one transaction: the
// subscriber row (with the encrypted number), queued messages (cancelled),
// every encrypted recipient in the outbox, the contact row and the inbound
// message records. The consent log stays (proof of consent without the
// number) and gets a 'forget' event, unless nothing was known at all.
forget_result forget_subscriber(SQLite::Database& db, std::string_view phone_hash, std::int64_t now_ms);

struct subscriber_counts {
  std::int64_t subscribers = 0;
  std::int64_t flagged = 0;  // deliveries kept failing permanently
};
subscriber_counts count_subscribers(SQLite::Database& db);

// --- import -------------------------------------------------------------

// The file is read by domain::parse_subscriber_list (the formats towns
// have, the reasons a line is refused); this stores what it accepts.

// The title of the notice to imported numbers (the template's first
// parameter when it goes as a template).
inline constexpr std::string_view import_notice_title = "Nuovo servizio di avvisi";

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

// Imports in one transaction: each new number becomes a subscriber (source
// 'import', subscribed at its consent date) and gets an 'import' consent
// event. When options.notice is set and someone was imported, the notice is
// one alert (source 'import', category other, severity minor) addressed to
// the imported numbers only, with one delivery each: imported people have
// not written within 24 hours, so it must go the way broadcasts go, as the
// template outside the window and within the messaging limit.
import_result import_subscribers(SQLite::Database& db, live_keys& keys, std::string_view csv_text,
                                 const import_options& options, std::int64_t now_ms);

// The notice sent to imported numbers unless the operator gives another:
// who writes, why, and how to leave.
std::string default_import_notice(std::string_view town);

}  // namespace banditore::store

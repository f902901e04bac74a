// The SQLite side of store/subscriber_admin.hpp: GDPR lookup and forget,
// counts and the CSV import, each in one transaction.
#pragma once

#include <banditore/store/subscriber_admin.hpp>

#include <string_view>

namespace SQLite { class Database; }
namespace banditore::store::sqlite {

class live_keys;

subscriber_record lookup_subscriber(SQLite::Database& db, std::string_view phone_hash);

// Erases what identifies or describes the person, in one transaction: the
// subscriber row (with the encrypted number), queued messages (cancelled),
// every encrypted recipient in the outbox, the contact row and the inbound
// message records. The consent log stays (proof of consent without the
// number) and gets a 'forget' event, unless nothing was known at all.
forget_result forget_subscriber(SQLite::Database& db, std::string_view phone_hash, std::int64_t now_ms);

subscriber_counts count_subscribers(SQLite::Database& db);

// Imports in one transaction: each new number becomes a subscriber (source
// 'import', subscribed at its consent date) and gets an 'import' consent
// event. When options.notice is set and someone was imported, the notice is
// one alert (source 'import', category other, severity minor) addressed to
// the imported numbers only, with one delivery each: imported people have
// not written within 24 hours, so it must go the way broadcasts go, as the
// template outside the window and within the messaging limit.
import_result import_subscribers(SQLite::Database& db, live_keys& keys, std::string_view csv_text,
                                 const import_options& options, std::int64_t now_ms);

}  // namespace banditore::store::sqlite

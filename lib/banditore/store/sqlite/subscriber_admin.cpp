#include <banditore/store/sqlite/subscriber_admin.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/store/sqlite/live_keys.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/phone.hpp>
#include <banditore/store/sqlite/alerts.hpp>
#include <banditore/store/sqlite/choices.hpp>
#include <banditore/store/sqlite/audit.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <unordered_set>

namespace banditore::store::sqlite {

namespace {

void bind_blob(SQLite::Statement& st, const char* name, std::string_view bytes) {
  st.bind(name, bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

// --- lookup, forget, count ----------------------------------------------

subscriber_record lookup_subscriber(SQLite::Database& db, std::string_view phone_hash) {
  subscriber_record out;
  SQLite::Statement s(db, "SELECT id, subscribed_at, source, flagged_at, only_severe FROM subscribers "
                          "WHERE phone_hash = :phone");
  bind_blob(s, ":phone", phone_hash);
  if (s.executeStep()) {
    const auto id = s.getColumn(0).getInt64();
    out.subscribed = true;
    out.subscribed_at = s.getColumn(1).getInt64();
    out.source = s.getColumn(2).getString();
    if (!s.getColumn(3).isNull()) out.flagged_at = s.getColumn(3).getInt64();
    out.only_severe = s.getColumn(4).getInt() != 0;
    auto chosen = [&](const char* sql, std::vector<std::string>& into) {
      SQLite::Statement q(db, sql);
      q.bind(":id", id);
      while (q.executeStep()) into.push_back(q.getColumn(0).getString());
    };
    chosen("SELECT town_id FROM subscriber_towns WHERE subscriber_id = :id ORDER BY town_id", out.towns);
    chosen("SELECT topic_id FROM subscriber_topics WHERE subscriber_id = :id ORDER BY topic_id", out.topics);
    chosen("SELECT area_id FROM subscriber_areas WHERE subscriber_id = :id ORDER BY area_id", out.areas);
  }
  SQLite::Statement c(db, "SELECT event, at, COALESCE(town_ids, ''), COALESCE(topic_ids, ''), "
                          "COALESCE(area_ids, '') FROM consent_log WHERE phone_hash = :phone ORDER BY at, id");
  bind_blob(c, ":phone", phone_hash);
  while (c.executeStep())
    out.consent.push_back({c.getColumn(0).getString(), c.getColumn(1).getInt64(), c.getColumn(2).getString(),
                           c.getColumn(3).getString(), c.getColumn(4).getString()});
  return out;
}

forget_result forget_subscriber(SQLite::Database& db, std::string_view phone_hash, std::int64_t now_ms) {
  forget_result r;
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);

  std::optional<std::int64_t> subscriber_id;
  {
    SQLite::Statement q(db, "SELECT id FROM subscribers WHERE phone_hash = :phone");
    bind_blob(q, ":phone", phone_hash);
    if (q.executeStep()) subscriber_id = q.getColumn(0).getInt64();
  }
  std::int64_t outbox_rows = 0;
  {
    SQLite::Statement q(db, "SELECT COUNT(*) FROM outbox WHERE phone_hash = :phone");
    bind_blob(q, ":phone", phone_hash);
    q.executeStep();
    outbox_rows = q.getColumn(0).getInt64();
  }
  {
    // Rows already leased keep going, but without a recipient a retry of
    // them is cancelled when next leased; no reply's text stays either.
    SQLite::Statement st(db, "UPDATE outbox SET recipient_cipher = NULL, body = NULL, buttons = NULL "
                             "WHERE phone_hash = :phone AND (recipient_cipher IS NOT NULL OR body IS NOT NULL)");
    bind_blob(st, ":phone", phone_hash);
    r.outbox_erased = st.exec();
  }
  {
    // Replies are found by hash, broadcast deliveries by subscriber.
    SQLite::Statement st(db, "UPDATE outbox SET state = 'cancelled', updated_at = :now WHERE state = 'queued' "
                             "AND (phone_hash = :phone OR subscriber_id = :id)");
    bind_blob(st, ":phone", phone_hash);
    st.bind(":now", now_ms);
    st.bind(":id", subscriber_id.value_or(-1));
    r.outbox_cancelled = st.exec();
  }
  auto delete_by_hash = [&](const char* sql) {
    SQLite::Statement st(db, sql);
    bind_blob(st, ":phone", phone_hash);
    return static_cast<std::int64_t>(st.exec());
  };
  r.subscribers_deleted = delete_by_hash("DELETE FROM subscribers WHERE phone_hash = :phone");
  r.contacts_deleted = delete_by_hash("DELETE FROM contacts WHERE phone_hash = :phone");
  // The same per business number and portfolio (several numbers): each
  // row is the hash beside a time, kept by nothing once the person is
  // forgotten.
  r.contacts_deleted += delete_by_hash("DELETE FROM number_windows WHERE phone_hash = :phone");
  r.contacts_deleted += delete_by_hash("DELETE FROM portfolio_contacts WHERE phone_hash = :phone");
  r.inbound_deleted = delete_by_hash("DELETE FROM inbound_messages WHERE phone_hash = :phone");
  {
    SQLite::Statement q(db, "SELECT COUNT(*) FROM consent_log WHERE phone_hash = :phone");
    bind_blob(q, ":phone", phone_hash);
    q.executeStep();
    r.consent_kept = q.getColumn(0).getInt64();
  }
  r.known = r.subscribers_deleted + r.contacts_deleted + r.inbound_deleted + r.consent_kept + outbox_rows > 0;
  // A number never seen leaves no trace, not even its hash.
  if (r.known) {
    SQLite::Statement st(db, "INSERT INTO consent_log (phone_hash, event, at) VALUES (:phone, 'forget', :now)");
    bind_blob(st, ":phone", phone_hash);
    st.bind(":now", now_ms);
    st.exec();
    record_audit(db, "cli", "subscribers.forget", std::nullopt, std::nullopt,
                 fmt::format("tag={} subscribers={} cancelled={} erased={} contacts={} inbound={}",
                             crypto::phone_tag(phone_hash), r.subscribers_deleted, r.outbox_cancelled,
                             r.outbox_erased, r.contacts_deleted, r.inbound_deleted),
                 now_ms);
  }
  tx.commit();
  return r;
}

subscriber_counts count_subscribers(SQLite::Database& db) {
  subscriber_counts c;
  SQLite::Statement q(db, "SELECT COUNT(*), COUNT(flagged_at) FROM subscribers");
  q.executeStep();
  c.subscribers = q.getColumn(0).getInt64();
  c.flagged = q.getColumn(1).getInt64();
  return c;
}

// --- import ---------------------------------------------------------------


import_result import_subscribers(SQLite::Database& db, live_keys& keys, std::string_view csv_text,
                                 const import_options& options, std::int64_t now_ms) {
  import_result result;
  auto parsed = domain::parse_subscriber_list(csv_text, options.default_country, now_ms);
  if (!parsed.error.empty()) {
    result.error = std::move(parsed.error);
    return result;
  }
  result.rejected = std::move(parsed.rejected);
  result.columns = std::move(parsed.columns);

  // Immediate: the write lock from the start, so a running service's
  // transactions wait for this one instead of failing.
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement exists(db, "SELECT 1 FROM subscribers WHERE phone_hash = :phone");
  SQLite::Statement insert(db, "INSERT INTO subscribers (phone_hash, phone_cipher, language, source, subscribed_at) "
                               "VALUES (:phone, :cipher, :language, 'import', :at)");
  SQLite::Statement consent(db, "INSERT INTO consent_log (phone_hash, event, at) VALUES (:phone, 'import', :at)");
  default_choices choices(db);
  std::unordered_set<std::string> seen;
  std::vector<std::int64_t> imported_ids;

  for (const auto& row : parsed.entries) {
    const auto& e164 = row.e164;
    const auto consent_at = row.consent_at.value_or(now_ms);
    const auto phone = crypto::phone_hash(keys.keys(), e164);
    exists.reset();
    bind_blob(exists, ":phone", phone);
    const bool subscribed = exists.executeStep();
    if (!seen.insert(phone).second || subscribed) {
      ++result.duplicates;
      continue;
    }
    insert.reset();
    bind_blob(insert, ":phone", phone);
    const auto cipher = keys.seal(e164, phone);
    bind_blob(insert, ":cipher", cipher);
    insert.bind(":language", options.language);
    insert.bind(":at", consent_at);
    insert.exec();
    imported_ids.push_back(db.getLastInsertRowid());
    choices.give(imported_ids.back());
    consent.reset();
    bind_blob(consent, ":phone", phone);
    consent.bind(":at", consent_at);
    consent.exec();
    ++result.imported;
  }

  std::optional<std::int64_t> alert_id;
  if (options.notice && !imported_ids.empty()) {
    // Addressed, not broadcast: the planner never fans it out to the
    // subscribers who were already there.
    alert_store alerts(db);
    new_alert notice;
    notice.draft.category = "other";
    notice.draft.level = domain::severity::minor;
    notice.draft.title = options.notice_title;
    notice.draft.text = *options.notice;
    notice.source = "import";
    notice.not_before = options.notice_not_before;
    alert_id = alerts.create_addressed(notice, now_ms);
    for (auto id : imported_ids)
      if (alerts.add_recipient(*alert_id, id, now_ms)) {
        alerts.set_welcome(*alert_id, id);
        ++result.notices_queued;
      }
    record_audit(db, "cli", "alert.create", alert_id, std::nullopt, notice.draft.title, now_ms);
  }
  record_audit(db, "cli", "subscribers.import", alert_id, std::nullopt,
               fmt::format("imported={} duplicates={} invalid={} notices={}", result.imported, result.duplicates,
                           result.rejected.size(), result.notices_queued),
               now_ms);
  if (!options.dry_run) {
    tx.commit();
    result.notice_alert_id = alert_id.value_or(0);
  }
  return result;
}

}  // namespace banditore::store::sqlite

#include <banditore/store/sqlite/outbox.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/store/sqlite/live_keys.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <limits>

namespace banditore::store::sqlite {

namespace {

int rank(std::string_view state) {
  if (state == "sent") return 1;
  if (state == "delivered") return 2;
  if (state == "read") return 3;
  return 0;
}

std::string_view to_string(status_kind s) {
  switch (s) {
    case status_kind::sent: return "sent";
    case status_kind::delivered: return "delivered";
    case status_kind::read: return "read";
    case status_kind::failed: return "failed";
  }
  return "sent";
}

// Runs a statement taking :id and :now once per id.
void exec_per_id(SQLite::Statement& st, const std::vector<std::int64_t>& ids, std::int64_t now_ms) {
  for (auto id : ids) {
    st.reset();
    st.bind(":id", id);
    st.bind(":now", now_ms);
    st.exec();
  }
}

void bind_blob(SQLite::Statement& st, const char* name, std::string_view bytes) {
  st.bind(name, bytes.data(), static_cast<int>(bytes.size()));
}

std::string column_blob(const SQLite::Column& c) {
  if (c.isNull()) return {};
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
}

// Due rows with what a send needs. The contact's window (a random page of
// contacts per row, at a million subscribers a read past SQLite's cache) is joined
// only when something uses it: choosing the template, or counting the
// messaging limit.
std::string due_sql(bool with_window, bool by_number = false, bool by_portfolio = false) {
  // With several numbers each sender leases its own number's rows, and the
  // 24-hour window is the one opened on that number (number_windows);
  // whether a person already counts against the messaging limit is their
  // portfolio's (portfolio_contacts).
  const char* window_columns = !with_window                ? "NULL, NULL, "
                               : by_number && by_portfolio ? "nw.last_inbound_at, pc.last_initiated_at, "
                               : by_number                 ? "nw.last_inbound_at, c.last_initiated_at, "
                                                           : "c.last_inbound_at, c.last_initiated_at, ";
  return std::string("SELECT o.id, o.priority, o.phone_hash, o.recipient_cipher, o.body, o.alert_id, "
                     "o.subscriber_id, o.attempts, s.phone_cipher, o.as_template, a.title, a.text, a.category, "
                     "a.severity, a.state, a.expires_at, ") +
         window_columns +
         "a.link, a.created_at, "
         // While a subscriber's welcome notice waits, their other alerts
         // wait behind it (evaluated only for imported subscribers).
         "CASE WHEN s.welcome_alert_id IS NOT NULL AND s.welcome_alert_id <> o.alert_id THEN EXISTS "
         "(SELECT 1 FROM outbox w WHERE w.alert_id = s.welcome_alert_id AND w.subscriber_id = o.subscriber_id "
         "AND w.state IN ('queued', 'sending')) ELSE 0 END, s.welcome_alert_id, o.buttons, "
         // An alert for one town names that town as its sender (in its
         // text and in the template's town parameter); one for several
         // towns, or for all of a deployment of several, names the
         // recipient's own town when exactly one of the towns they chose
         // is among the alert's. Otherwise NULL: the deployment's name.
         "CASE WHEN a.towns IS NOT NULL AND json_array_length(a.towns) = 1 THEN "
         "(SELECT t.name FROM towns t WHERE t.id = json_extract(a.towns, '$[0]')) "
         "WHEN a.id IS NOT NULL AND (a.towns IS NOT NULL OR (SELECT COUNT(*) FROM towns) > 1) THEN "
         "(SELECT MIN(t.name) FROM subscriber_towns st JOIN towns t ON t.id = st.town_id "
         "WHERE st.subscriber_id = o.subscriber_id AND (a.towns IS NULL OR st.town_id IN "
         "(SELECT value FROM json_each(a.towns))) HAVING COUNT(*) = 1) END, "
         "a.media_id, m.mime_type, m.filename, o.number_id "
         "FROM outbox o LEFT JOIN subscribers s ON s.id = o.subscriber_id "
         "LEFT JOIN alerts a ON a.id = o.alert_id LEFT JOIN media m ON m.id = a.media_id " +
         (with_window ? "LEFT JOIN contacts c ON c.phone_hash = o.phone_hash " : "") +
         (with_window && by_number ? "LEFT JOIN number_windows nw ON nw.phone_hash = o.phone_hash "
                                     "AND nw.number_id = o.number_id " : "") +
         (with_window && by_number && by_portfolio ? "LEFT JOIN portfolio_contacts pc ON pc.portfolio = :portfolio "
                                                     "AND pc.phone_hash = o.phone_hash " : "") +
         "WHERE o.state = 'queued' AND o.not_before <= :now " +
         (by_number ? "AND o.number_id = :number " : "") +
         "ORDER BY o.priority, o.not_before, o.id LIMIT :limit";
}

}  // namespace

struct outbox::statements {
  explicit statements(SQLite::Database& db)
      : insert_reply(db, "INSERT INTO outbox (priority, phone_hash, recipient_cipher, body, buttons, not_before, created_at, updated_at, number_id) "
                         "VALUES (:priority, :phone_hash, :cipher, :body, :buttons, :now, :now, :now, :number)"),
        due(db, due_sql(true)),
        due_without_window(db, due_sql(false)),
        due_on_number(db, due_sql(true, true)),
        due_on_number_without_window(db, due_sql(false, true)),
        due_in_portfolio(db, due_sql(true, true, true)),
        adopt_queued(db, "UPDATE outbox SET number_id = :number WHERE state = 'queued' AND number_id IS NULL"),
        adopt(db, "UPDATE outbox SET number_id = :first, updated_at = :now WHERE state IN ('queued', 'sending') "
                  "AND (number_id IS NULL OR number_id NOT IN (SELECT value FROM json_each(:numbers)))"),
        defer(db, "UPDATE outbox SET not_before = :until, error_title = :why, updated_at = :now WHERE id = :id"),
        welcome_forward(db, "UPDATE outbox SET not_before = MIN(not_before, :now), priority = MIN(priority, :priority), "
                            "updated_at = :now WHERE alert_id = :alert AND subscriber_id = :subscriber "
                            "AND state = 'queued'"),
        initiated(db, "INSERT INTO contacts (phone_hash, last_initiated_at) VALUES (:phone, :now) "
                      "ON CONFLICT (phone_hash) DO UPDATE SET last_initiated_at = excluded.last_initiated_at"),
        usage(db, "SELECT COUNT(*), MIN(last_initiated_at) FROM contacts WHERE last_initiated_at > :since"),
        initiated_in_portfolio(db, "INSERT INTO portfolio_contacts (portfolio, phone_hash, last_initiated_at) "
                                   "VALUES (:portfolio, :phone, :now) ON CONFLICT (portfolio, phone_hash) "
                                   "DO UPDATE SET last_initiated_at = excluded.last_initiated_at"),
        usage_in_portfolio(db, "SELECT COUNT(*), MIN(last_initiated_at) FROM portfolio_contacts "
                               "WHERE portfolio = :portfolio AND last_initiated_at > :since"),
        usage_by_portfolio(db, "SELECT portfolio, COUNT(*), MIN(last_initiated_at) FROM portfolio_contacts "
                               "WHERE last_initiated_at > :since GROUP BY portfolio ORDER BY portfolio"),
        requeue_template(db, "UPDATE outbox SET state = 'queued', as_template = 1, not_before = :now, "
                             "provider_hash = NULL, lease_until = NULL, error_code = :code, error_title = :title, "
                             "updated_at = :now WHERE id = :id"),
        streak_reset(db, "UPDATE subscribers SET failure_streak = 0 WHERE id = :subscriber AND failure_streak > 0"),
        sent_times(db, "UPDATE alerts SET first_sent_at = COALESCE(first_sent_at, :now), "
                       "last_sent_at = MAX(COALESCE(last_sent_at, :now), :now) WHERE id = :id"),
        streak_bump(db, "UPDATE subscribers SET failure_streak = failure_streak + 1, flagged_at = CASE WHEN "
                        "failure_streak + 1 >= 3 AND flagged_at IS NULL THEN :now ELSE flagged_at END "
                        "WHERE id = (SELECT subscriber_id FROM outbox WHERE id = :id)"),
        row_subscriber(db, "SELECT subscriber_id, phone_hash FROM outbox WHERE id = :id"),
        opt_out_delete(db, "DELETE FROM subscribers WHERE id = :id"),
        opt_out_cancel(db, cancel_queued_for_subscriber_sql),
        opt_out_consent(db, "INSERT INTO consent_log (phone_hash, event, at) VALUES (:phone, 'opt_out', :now)"),
        mark_sending(db, "UPDATE outbox SET state = 'sending', lease_until = :until, attempts = attempts + 1, "
                         "updated_at = :now WHERE id = :id"),
        // A row that is done keeps neither its recipient nor its text: a
        // reply's text says what the person chose ("Voltana", "acqua"),
        // which must not stay beside their keyed hash until retention.
        cancel(db, "UPDATE outbox SET state = 'cancelled', recipient_cipher = NULL, body = NULL, buttons = NULL, "
                   "updated_at = :now WHERE id = :id"),
        sent(db, "UPDATE outbox SET state = 'sent', provider_hash = :provider, sent_at = :now, "
                 "recipient_cipher = NULL, body = NULL, buttons = NULL, lease_until = NULL, error_code = NULL, error_title = NULL, "
                 "updated_at = :now WHERE id = :id AND state = 'sending'"),
        retry(db, "UPDATE outbox SET state = 'queued', not_before = :not_before, lease_until = NULL, "
                  "attempts = attempts - :uncount, error_code = :code, error_title = :title, updated_at = :now "
                  "WHERE id = :id AND state = 'sending'"),
        failed(db, "UPDATE outbox SET state = 'failed', recipient_cipher = NULL, body = NULL, buttons = NULL, lease_until = NULL, "
                   "error_code = :code, error_title = :title, updated_at = :now WHERE id = :id AND state = 'sending'"),
        by_id(db, "SELECT state, alert_id, as_template, provider_hash FROM outbox WHERE id = :id"),
        set_state(db, "UPDATE outbox SET state = :state, updated_at = :now, "
                      "delivered_at = CASE WHEN :state = 'delivered' THEN :at ELSE delivered_at END, "
                      "read_at = CASE WHEN :state = 'read' THEN :at ELSE read_at END, "
                      "error_code = CASE WHEN :state = 'failed' THEN :code ELSE error_code END, "
                      "error_title = CASE WHEN :state = 'failed' THEN :title ELSE error_title END "
                      "WHERE id = :id"),
        keep_early(db, "INSERT OR IGNORE INTO early_statuses (provider_hash, status, at, error_code, error_title, received_at) "
                       "VALUES (:provider, :status, :at, :code, :title, :now)"),
        early_for(db, "SELECT status, at, error_code, error_title FROM early_statuses WHERE provider_hash = :provider ORDER BY at"),
        drop_early(db, "DELETE FROM early_statuses WHERE provider_hash = :provider"),
        recover(db, "UPDATE outbox SET state = 'queued', lease_until = NULL, updated_at = :now WHERE state = 'sending'"),
        // The earliest row of the next priority above :after: one index
        // seek per priority, where MIN(not_before) over the whole queue
        // (indexed by priority first) read every queued row.
        next_due(db, "SELECT priority, not_before FROM outbox WHERE state = 'queued' AND priority > :after "
                     "ORDER BY priority, not_before LIMIT 1"),
        any_early(db, "SELECT EXISTS (SELECT 1 FROM early_statuses)"),
        counts(db, "SELECT state, COUNT(*) FROM outbox GROUP BY state") {}

  SQLite::Statement insert_reply, due, due_without_window, due_on_number, due_on_number_without_window, due_in_portfolio,
      adopt_queued, adopt, defer, welcome_forward, initiated, usage, initiated_in_portfolio, usage_in_portfolio,
      usage_by_portfolio, requeue_template, streak_reset, sent_times, streak_bump,
      row_subscriber, opt_out_delete, opt_out_cancel, opt_out_consent, mark_sending, cancel, sent, retry, failed, by_id,
      set_state, keep_early, early_for, drop_early, recover, next_due, any_early, counts;
};

outbox::outbox(SQLite::Database& db, live_keys& keys)
    : db_(db), keys_(keys), st_(std::make_unique<statements>(db)) {}

outbox::~outbox() = default;

std::string outbox::provider_hash(std::string_view provider_message_id) const {
  auto d = crypto::hmac_sha256(keys_.keys().lookup, std::string("wamid:").append(provider_message_id));
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

namespace {

// A list as enqueue_reply wrote it; what does not parse is left out.
domain::reply_list list_of(const nlohmann::json& j) {
  domain::reply_list out;
  auto text = [](const nlohmann::json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  out.button = text(j, "button");
  auto sections = j.find("sections");
  if (sections == j.end() || !sections->is_array()) return {};
  for (const auto& s : *sections) {
    if (!s.is_object() || !s.contains("rows") || !s["rows"].is_array()) continue;
    domain::reply_list::section section{text(s, "title"), {}};
    for (const auto& r : s["rows"])
      if (r.is_object()) section.rows.push_back({text(r, "id"), text(r, "title"), text(r, "description")});
    out.sections.push_back(std::move(section));
  }
  return out;
}

}  // namespace

std::string reply_extras_json(const std::vector<domain::reply_button>& buttons, const domain::reply_list& list) {
  if (!list.empty()) {
    auto sections = nlohmann::json::array();
    for (const auto& s : list.sections) {
      auto rows = nlohmann::json::array();
      for (const auto& r : s.rows) rows.push_back({{"id", r.id}, {"title", r.title}, {"description", r.description}});
      sections.push_back({{"title", s.title}, {"rows", std::move(rows)}});
    }
    return nlohmann::json{{"button", list.button}, {"sections", std::move(sections)}}.dump();
  }
  if (buttons.empty()) return {};
  auto array = nlohmann::json::array();
  for (const auto& b : buttons) array.push_back({{"id", b.id}, {"title", b.title}});
  return array.dump();
}

std::int64_t outbox::enqueue_reply(std::string_view phone_hash, std::string_view e164,
                                   std::string_view text, std::int64_t now_ms,
                                   const std::vector<domain::reply_button>& buttons,
                                   const domain::reply_list& list, std::string_view number_id) {
  return enqueue_reply_prepared(phone_hash, e164, text, now_ms, reply_extras_json(buttons, list), number_id);
}

std::int64_t outbox::enqueue_reply_prepared(std::string_view phone_hash, std::string_view e164, std::string_view text,
                                            std::int64_t now_ms, std::string_view extras_json,
                                            std::string_view number_id, std::string_view sealed) {
  const auto cipher = sealed.empty() ? keys_.seal(e164, phone_hash) : std::string(sealed);
  auto& st = st_->insert_reply;
  st.reset();
  st.bind(":priority", reply_priority);
  bind_blob(st, ":phone_hash", phone_hash);
  bind_blob(st, ":cipher", cipher);
  st.bind(":body", std::string(text));
  if (extras_json.empty()) st.bind(":buttons"); else st.bind(":buttons", std::string(extras_json));
  st.bind(":now", now_ms);
  if (number_id.empty()) st.bind(":number"); else st.bind(":number", std::string(number_id));
  st.exec();
  return db_.getLastInsertRowid();
}

int outbox::adopt_unrouted(const std::vector<std::string>& number_ids, std::int64_t now_ms) {
  if (number_ids.empty()) return 0;
  auto& st = st_->adopt;
  st.reset();
  st.bind(":first", number_ids.front());
  st.bind(":numbers", nlohmann::json(number_ids).dump());
  st.bind(":now", now_ms);
  return st.exec();
}

int outbox::recover_leases(std::int64_t now_ms) {
  auto& st = st_->recover;
  st.reset();
  st.bind(":now", now_ms);
  return st.exec();
}

messaging_limit_usage outbox::limit_usage(std::int64_t tier_limit, std::int64_t now_ms, std::string_view portfolio) {
  messaging_limit_usage u;
  u.tier_limit = tier_limit;
  auto& q = portfolio.empty() ? st_->usage : st_->usage_in_portfolio;
  q.reset();
  q.bind(":since", now_ms - service_window_ms);
  if (!portfolio.empty()) q.bind(":portfolio", std::string(portfolio));
  if (q.executeStep()) {
    u.used = q.getColumn(0).getInt64();
    if (!q.getColumn(1).isNull()) u.frees_at = q.getColumn(1).getInt64() + service_window_ms;
  }
  q.reset();
  return u;
}

std::vector<portfolio_usage> outbox::portfolio_usages(std::int64_t now_ms) {
  std::vector<portfolio_usage> out;
  auto& q = st_->usage_by_portfolio;
  q.reset();
  q.bind(":since", now_ms - service_window_ms);
  while (q.executeStep())
    out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64(),
                   q.getColumn(2).getInt64() + service_window_ms});
  q.reset();
  return out;
}

std::vector<outbox_item> outbox::lease(std::size_t limit, std::int64_t now_ms, std::int64_t lease_ms,
                                       const delivery_policy& policy) {
  std::vector<outbox_item> out;
  std::vector<std::int64_t> cancelled;
  struct deferral { std::int64_t id; std::int64_t until; std::string_view why; };
  std::vector<deferral> deferred;
  struct welcome_first { std::int64_t alert_id, subscriber_id; int priority; };
  std::vector<welcome_first> welcomes;
  std::vector<std::string> newly_initiated;
  std::optional<messaging_limit_usage> usage;
  const bool window_matters = policy.template_available || policy.tier_limit > 0;
  const bool by_number = !policy.number_id.empty();
  // Several numbers, each of a portfolio: the limit is the portfolio's.
  const bool by_portfolio = by_number && !policy.portfolio.empty();
  if (by_number && policy.adopts_unrouted) {
    // One seek of outbox_due_by_number: usually nothing to adopt.
    auto& a = st_->adopt_queued;
    a.reset();
    a.bind(":number", policy.number_id);
    a.exec();
  }
  auto& q = by_number ? (!window_matters ? st_->due_on_number_without_window
                                         : by_portfolio ? st_->due_in_portfolio : st_->due_on_number)
                      : (window_matters ? st_->due : st_->due_without_window);
  q.reset();
  q.bind(":now", now_ms);
  if (by_number) q.bind(":number", policy.number_id);
  if (by_portfolio && window_matters) q.bind(":portfolio", policy.portfolio);
  q.bind(":limit", static_cast<std::int64_t>(limit));
  while (q.executeStep()) {
    outbox_item item;
    item.id = q.getColumn(0).getInt64();
    item.priority = q.getColumn(1).getInt();
    item.phone_hash = column_blob(q.getColumn(2));
    item.text = q.getColumn(4).isNull() ? std::string{} : q.getColumn(4).getString();
    if (!q.getColumn(22).isNull()) {
      // Written by enqueue_reply; a row that does not parse goes as plain text.
      // New subscribers are sent the same list: read once while it repeats.
      auto extras = q.getColumn(22).getString();
      if (extras != last_extras_.json) {
        last_extras_ = {};
        auto list = nlohmann::json::parse(extras, nullptr, false);
        if (list.is_array())
          for (const auto& b : list)
            if (b.is_object() && b.contains("id") && b.contains("title") && b["id"].is_string() &&
                b["title"].is_string())
              last_extras_.buttons.push_back({b["id"].get<std::string>(), b["title"].get<std::string>()});
        if (list.is_object()) last_extras_.list = list_of(list);
        last_extras_.json = std::move(extras);
      }
      item.buttons = last_extras_.buttons;
      item.list = last_extras_.list;
    }
    item.alert_id = q.getColumn(5).isNull() ? 0 : q.getColumn(5).getInt64();
    item.number_id = q.getColumn(27).isNull() ? std::string{} : q.getColumn(27).getString();
    const bool is_delivery = !q.getColumn(6).isNull();
    item.subscriber_id = is_delivery ? q.getColumn(6).getInt64() : 0;
    item.attempts = q.getColumn(7).getInt() + 1;
    auto cipher = column_blob(q.getColumn(is_delivery ? 8 : 3));
    if (is_delivery) {
      const auto alert_state = q.getColumn(14).isNull() ? std::string{} : q.getColumn(14).getString();
      const bool expired = !q.getColumn(15).isNull() && q.getColumn(15).getInt64() <= now_ms;
      if (alert_state == "cancelled" || alert_state == "expired" || expired) {
        cancelled.push_back(item.id);
        continue;
      }
      if (q.getColumn(20).getInt() != 0) {
        // The welcome notice to an imported number goes before any other
        // alert to them: this one waits, and the notice is brought forward
        // (out of quiet hours, ahead of this alert's priority).
        deferred.push_back({item.id, now_ms + welcome_wait_ms, waiting_for_welcome});
        welcomes.push_back({q.getColumn(21).getInt64(), item.subscriber_id, item.priority});
        continue;
      }
      item.title = q.getColumn(10).getString();
      item.text = q.getColumn(11).getString();
      item.link = q.getColumn(18).isNull() ? std::string{} : q.getColumn(18).getString();
      item.issued_at_ms = q.getColumn(19).isNull() ? 0 : q.getColumn(19).getInt64();
      item.category = q.getColumn(12).getString();
      item.severity = q.getColumn(13).getString();
      item.town = q.getColumn(23).isNull() ? std::string{} : q.getColumn(23).getString();
      if (!q.getColumn(24).isNull() && !q.getColumn(25).isNull()) {
        item.media_id = q.getColumn(24).getInt64();
        item.media_mime_type = q.getColumn(25).getString();
        item.media_filename = q.getColumn(26).isNull() ? std::string{} : q.getColumn(26).getString();
      }
      const auto last_inbound = q.getColumn(16).isNull() ? 0 : q.getColumn(16).getInt64();
      const bool in_window = last_inbound > now_ms - service_window_ms;
      item.as_template = policy.template_available &&
                         (q.getColumn(9).getInt() != 0 || policy.always_template || !in_window);
      // WhatsApp's messaging limit counts each person reached outside
      // their window once per moving day; beyond it, deliveries wait.
      const auto last_initiated = q.getColumn(17).isNull() ? 0 : q.getColumn(17).getInt64();
      const bool counted = last_initiated > now_ms - service_window_ms;
      if (!in_window && !counted && policy.tier_limit > 0) {
        if (!usage) usage = limit_usage(policy.tier_limit, now_ms, by_portfolio ? policy.portfolio : std::string{});
        if (usage->used >= policy.tier_limit) {
          deferred.push_back({item.id, usage->frees_at.value_or(now_ms + service_window_ms), waiting_for_limit});
          continue;
        }
        ++usage->used;
      }
      // With no limit nothing needs counting, and the count would cost a
      // page write at a random place of contacts for every delivery.
      if (!in_window && !counted && policy.tier_limit > 0) newly_initiated.push_back(item.phone_hash);
    }
    // A ciphertext sealed under a key rotated in by another process makes
    // the keys reload here, before anything is given up.
    auto number = cipher.empty() ? std::nullopt : keys_.open(cipher, item.phone_hash);
    if (!number) {
      // The subscriber left (Disattiva erased the number), or a reply's
      // ciphertext opens with none of our keys: nothing can be sent.
      cancelled.push_back(item.id);
      continue;
    }
    item.recipient = std::move(*number);
    out.push_back(std::move(item));
  }
  q.reset();
  exec_per_id(st_->cancel, cancelled, now_ms);
  for (const auto& d : deferred) {
    auto& st = st_->defer;
    st.reset();
    st.bind(":until", d.until);
    st.bind(":why", std::string(d.why));
    st.bind(":now", now_ms);
    st.bind(":id", d.id);
    st.exec();
  }
  for (const auto& w : welcomes) {
    auto& st = st_->welcome_forward;
    st.reset();
    st.bind(":alert", w.alert_id);
    st.bind(":subscriber", w.subscriber_id);
    st.bind(":priority", w.priority);
    st.bind(":now", now_ms);
    st.exec();
  }
  for (const auto& phone : newly_initiated) {
    // contacts keeps the deployment's whole count (GET /v1/stats); the
    // portfolio's is what its numbers' limit is judged by.
    auto& st = st_->initiated;
    st.reset();
    bind_blob(st, ":phone", phone);
    st.bind(":now", now_ms);
    st.exec();
    if (!by_portfolio) continue;
    auto& p = st_->initiated_in_portfolio;
    p.reset();
    p.bind(":portfolio", policy.portfolio);
    bind_blob(p, ":phone", phone);
    p.bind(":now", now_ms);
    p.exec();
  }
  for (const auto& item : out) {
    auto& m = st_->mark_sending;
    m.reset();
    m.bind(":until", now_ms + lease_ms);
    m.bind(":now", now_ms);
    m.bind(":id", item.id);
    m.exec();
  }
  return out;
}

void outbox::requeue_as_template(std::int64_t id, int code, std::string_view title, std::int64_t now_ms) {
  auto& st = st_->requeue_template;
  st.reset();
  st.bind(":code", code);
  st.bind(":title", std::string(title));
  st.bind(":now", now_ms);
  st.bind(":id", id);
  st.exec();
}

void outbox::opt_out(std::int64_t id, std::int64_t now_ms) {
  auto& q = st_->row_subscriber;
  q.reset();
  q.bind(":id", id);
  if (!q.executeStep() || q.getColumn(0).isNull()) {
    q.reset();
    return;
  }
  const auto subscriber = q.getColumn(0).getInt64();
  const auto phone = column_blob(q.getColumn(1));
  q.reset();
  // 131050: the person stopped these messages in WhatsApp. That is a
  // Disattiva: erase the number and send nothing more.
  auto& c = st_->opt_out_cancel;
  c.reset();
  c.bind(":id", subscriber);
  c.bind(":now", now_ms);
  c.exec();
  auto& d = st_->opt_out_delete;
  d.reset();
  d.bind(":id", subscriber);
  if (d.exec() > 0) {
    auto& l = st_->opt_out_consent;
    l.reset();
    bind_blob(l, ":phone", phone);
    l.bind(":now", now_ms);
    l.exec();
  }
}

void outbox::record(const std::vector<send_record>& records, std::int64_t now_ms) {
  // Statuses overtake send answers only now and then: look for them per
  // row only when some are waiting.
  auto& any = st_->any_early;
  any.reset();
  const bool early_waiting = any.executeStep() && any.getColumn(0).getInt() != 0;
  any.reset();
  auto mark_failed = [this, now_ms](const send_record& r) {
    auto& st = st_->failed;
    st.reset();
    st.bind(":code", r.error_code);
    st.bind(":title", r.error_title);
    st.bind(":now", now_ms);
    st.bind(":id", r.id);
    st.exec();
  };
  // Alerts with a send in this batch: their first and last send time move
  // once, after the loop (every row here is stamped now_ms).
  std::vector<std::int64_t> alerts_sent;
  for (const auto& r : records) {
    switch (r.kind) {
      case result_kind::sent: {
        auto hash = provider_hash(r.provider_message_id);
        auto& st = st_->sent;
        st.reset();
        bind_blob(st, ":provider", hash);
        st.bind(":now", now_ms);
        st.bind(":id", r.id);
        st.exec();
        if (r.alert_id != 0 && std::find(alerts_sent.begin(), alerts_sent.end(), r.alert_id) == alerts_sent.end())
          alerts_sent.push_back(r.alert_id);
        if (r.subscriber_id != 0) {
          auto& streak = st_->streak_reset;
          streak.reset();
          streak.bind(":subscriber", r.subscriber_id);
          streak.exec();
        }
        if (!early_waiting) break;
        // Statuses that overtook this answer apply now.
        struct early { std::string status; std::int64_t at; int code; std::string title; };
        std::vector<early> pending;
        auto& e = st_->early_for;
        e.reset();
        bind_blob(e, ":provider", hash);
        while (e.executeStep())
          pending.push_back({e.getColumn(0).getString(), e.getColumn(1).getInt64(),
                             e.getColumn(2).isNull() ? 0 : e.getColumn(2).getInt(),
                             e.getColumn(3).isNull() ? std::string{} : e.getColumn(3).getString()});
        e.reset();
        if (!pending.empty()) {
          auto& d = st_->drop_early;
          d.reset();
          bind_blob(d, ":provider", hash);
          d.exec();
          for (const auto& p : pending) {
            status_kind s = p.status == "delivered" ? status_kind::delivered
                            : p.status == "read"    ? status_kind::read
                            : p.status == "failed"  ? status_kind::failed
                                                    : status_kind::sent;
            apply_status(r.provider_message_id, delivery_reference(r.id), s, p.at, p.code, p.title, now_ms);
          }
        }
        break;
      }
      case result_kind::retry: {
        auto& st = st_->retry;
        st.reset();
        st.bind(":not_before", r.not_before);
        st.bind(":uncount", r.count_attempt ? 0 : 1);
        if (r.error_code) st.bind(":code", r.error_code); else st.bind(":code");
        st.bind(":title", r.error_title);
        st.bind(":now", now_ms);
        st.bind(":id", r.id);
        st.exec();
        break;
      }
      case result_kind::failed: {
        mark_failed(r);
        auto& streak = st_->streak_bump;
        streak.reset();
        streak.bind(":now", now_ms);
        streak.bind(":id", r.id);
        streak.exec();
        break;
      }
      case result_kind::requeue_as_template:
        requeue_as_template(r.id, r.error_code, r.error_title, now_ms);
        break;
      case result_kind::opt_out:
        mark_failed(r);
        opt_out(r.id, now_ms);
        break;
    }
  }
  exec_per_id(st_->sent_times, alerts_sent, now_ms);
}


status_outcome outbox::apply_status(std::string_view provider_message_id, std::string_view callback_data,
                                    status_kind status, std::int64_t at_ms, int error_code,
                                    std::string_view error_title, std::int64_t now_ms) {
  const auto id = parse_delivery_reference(callback_data);
  if (!id) return status_outcome::unknown;
  const auto hash = provider_hash(provider_message_id);
  auto& q = st_->by_id;
  q.reset();
  q.bind(":id", *id);
  if (!q.executeStep()) {
    q.reset();
    return status_outcome::unknown;  // erased by retention, or never ours
  }
  const std::string current = q.getColumn(0).getString();
  const bool delivery = !q.getColumn(1).isNull();
  const bool was_template = q.getColumn(2).getInt() != 0;
  const auto recorded = q.getColumn(3).isNull() ? std::optional<std::string>{} : column_blob(q.getColumn(3));
  q.reset();
  if (recorded && *recorded != hash) return status_outcome::unknown;  // an earlier attempt's message
  if (!recorded) {
    if (current != "sending") return status_outcome::unknown;
    auto& k = st_->keep_early;
    k.reset();
    bind_blob(k, ":provider", hash);
    k.bind(":status", std::string(to_string(status)));
    k.bind(":at", at_ms);
    k.bind(":code", error_code);
    k.bind(":title", std::string(error_title));
    k.bind(":now", now_ms);
    k.exec();
    return status_outcome::kept_early;
  }
  if (status == status_kind::failed && delivery && (current == "sent" || current == "sending")) {
    // Meta reports 131047 (outside the 24-hour window) after accepting the
    // send: the delivery goes again as the approved template.
    if (error_code == 131047 && !was_template && template_fallback_) {
      requeue_as_template(*id, error_code, error_title, now_ms);
      return status_outcome::applied;
    }
    if (error_code == 131050) opt_out(*id, now_ms);
  }
  // Statuses arrive out of order and more than once: a row only moves
  // forward (sent < delivered < read), and a failure only lands on a
  // message not yet known to be delivered.
  bool move = false;
  if (status == status_kind::failed)
    move = current == "sent" || current == "sending";
  else
    move = current != "failed" && current != "cancelled" && rank(to_string(status)) > rank(current);
  if (!move) return status_outcome::applied;
  auto& u = st_->set_state;
  u.reset();
  u.bind(":state", std::string(to_string(status)));
  u.bind(":at", at_ms);
  u.bind(":code", error_code);
  u.bind(":title", std::string(error_title));
  u.bind(":now", now_ms);
  u.bind(":id", *id);
  u.exec();
  return status_outcome::applied;
}

std::optional<std::int64_t> outbox::next_due() {
  auto& q = st_->next_due;
  std::optional<std::int64_t> out;
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  for (;;) {
    q.reset();
    q.bind(":after", after);
    if (!q.executeStep()) break;
    after = q.getColumn(0).getInt64();
    const auto at = q.getColumn(1).getInt64();
    if (!out || at < *out) out = at;
  }
  q.reset();
  return out;
}


outbox_counts outbox::counts() {
  outbox_counts c;
  auto& q = st_->counts;
  q.reset();
  while (q.executeStep()) c.add(q.getColumn(0).getString(), q.getColumn(1).getInt64());
  q.reset();
  return c;
}

}  // namespace banditore::store::sqlite

#include <banditore/store/sqlite/inbound.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/domain/inbound_decision.hpp>
#include <banditore/store/sqlite/choices.hpp>
#include <banditore/store/sqlite/live_keys.hpp>
#include <banditore/store/sqlite/outbox.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <map>

namespace banditore::store::sqlite {

namespace {
void bind_blob(SQLite::Statement& st, const char* name, std::string_view bytes) {
  st.bind(name, bytes.data(), static_cast<int>(bytes.size()));
}
}  // namespace

struct inbound_store::statements {
  explicit statements(SQLite::Database& db)
      : seen(db, "SELECT 1 FROM inbound_messages WHERE message_hash = :hash"),
        contact(db, "SELECT last_help_at FROM contacts WHERE phone_hash = :phone"),
        touch_contact(db, "INSERT INTO contacts (phone_hash, last_inbound_at) VALUES (:phone, :at) "
                          "ON CONFLICT (phone_hash) DO UPDATE SET last_inbound_at = "
                          "MAX(COALESCE(last_inbound_at, 0), excluded.last_inbound_at)"),
        helped(db, "UPDATE contacts SET last_help_at = :now WHERE phone_hash = :phone"),
        subscriber(db, "SELECT id FROM subscribers WHERE phone_hash = :phone"),
        subscribe(db, "INSERT INTO subscribers (phone_hash, phone_cipher, language, source, subscribed_at) "
                      "VALUES (:phone, :cipher, :language, 'whatsapp', :now)"),
        unsubscribe(db, "DELETE FROM subscribers WHERE id = :id"),
        cancel_deliveries(db, cancel_queued_for_subscriber_sql),
        consent(db, "INSERT INTO consent_log (phone_hash, event, message_hash, at) VALUES (:phone, :event, :message, :now)"),
        record(db, "INSERT INTO inbound_messages (message_hash, phone_hash, type, decision, matched_text, sent_at, received_at) "
                   "VALUES (:hash, :phone, :type, :decision, :text, :sent_at, :now)"),
        choices(db) {}

  SQLite::Statement seen, contact, touch_contact, helped, subscriber, subscribe, unsubscribe,
      cancel_deliveries, consent, record;
  default_choices choices;
};

inbound_store::inbound_store(SQLite::Database& db, live_keys& keys, outbox& out)
    : db_(db), keys_(keys), outbox_(out), st_(std::make_unique<statements>(db)) {}

inbound_store::~inbound_store() = default;

std::string inbound_store::message_hash(std::string_view message_id) const {
  // Message ids encode the sender's number: keep only a keyed hash.
  auto d = crypto::hmac_sha256(keys_.keys().lookup, std::string("wamid:").append(message_id));
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

inbound_result inbound_store::handle(const inbound_message_input& m, const conversation_settings& settings,
                                     std::int64_t now_ms) {
  inbound_result result;
  const auto phone = crypto::phone_hash(keys_.keys(), m.from);
  result.phone_tag = crypto::phone_tag(phone);
  const auto msg_hash = message_hash(m.message_id);

  auto& seen = st_->seen;
  seen.reset();
  bind_blob(seen, ":hash", msg_hash);
  result.duplicate = seen.executeStep();
  seen.reset();
  if (result.duplicate) return result;

  std::int64_t last_help_at = 0;
  auto& c = st_->contact;
  c.reset();
  bind_blob(c, ":phone", phone);
  if (c.executeStep() && !c.getColumn(0).isNull()) last_help_at = c.getColumn(0).getInt64();
  c.reset();

  auto& touch = st_->touch_contact;
  touch.reset();
  bind_blob(touch, ":phone", phone);
  touch.bind(":at", domain::window_opened_at(m.sent_at_ms, now_ms));
  touch.exec();

  std::int64_t subscriber_id = 0;
  auto& s = st_->subscriber;
  s.reset();
  bind_blob(s, ":phone", phone);
  if (s.executeStep()) subscriber_id = s.getColumn(0).getInt64();
  s.reset();

  const domain::inbound_message_view view{m.type, m.text, m.reply_id};
  const auto understood = domain::understand_inbound(view, settings.town, subscriber_id != 0, last_help_at,
                                                     settings.help_interval_ms, now_ms);
  const auto policy = understood.policy;
  const auto& match = understood.match;
  result.keyword = match.keyword;
  result.decision = understood.verdict;

  auto log_consent = [&](const char* event) {
    auto& st = st_->consent;
    st.reset();
    bind_blob(st, ":phone", phone);
    st.bind(":event", event);
    bind_blob(st, ":message", msg_hash);
    st.bind(":now", now_ms);
    st.exec();
  };

  switch (result.decision) {
    case domain::decision::subscribe: {
      auto cipher = keys_.seal(m.from, phone);
      auto& st = st_->subscribe;
      st.reset();
      bind_blob(st, ":phone", phone);
      bind_blob(st, ":cipher", cipher);
      st.bind(":language", settings.language);
      st.bind(":now", now_ms);
      st.exec();
      st_->choices.give(db_.getLastInsertRowid());
      log_consent("subscribe");
      break;
    }
    case domain::decision::unsubscribe: {
      // Disattiva erases the number at once: the row and its ciphertext go,
      // and nothing still queued for this subscriber will be sent.
      auto& cancel = st_->cancel_deliveries;
      cancel.reset();
      cancel.bind(":id", subscriber_id);
      cancel.bind(":now", now_ms);
      cancel.exec();
      auto& st = st_->unsubscribe;
      st.reset();
      st.bind(":id", subscriber_id);
      st.exec();
      log_consent("unsubscribe");
      break;
    }
    case domain::decision::help:
    case domain::decision::info: {
      auto& st = st_->helped;
      st.reset();
      bind_blob(st, ":phone", phone);
      st.bind(":now", now_ms);
      st.exec();
      break;
    }
    default: break;
  }

  auto& r = st_->record;
  r.reset();
  bind_blob(r, ":hash", msg_hash);
  bind_blob(r, ":phone", phone);
  r.bind(":type", m.type.substr(0, 32));
  r.bind(":decision", std::string(domain::to_string(result.decision)));
  if (policy == domain::type_policy::read_command) r.bind(":text", match.normalised); else r.bind(":text");
  if (m.sent_at_ms > 0) r.bind(":sent_at", m.sent_at_ms); else r.bind(":sent_at");
  r.bind(":now", now_ms);
  r.exec();

  if (auto reply = domain::reply_for(result.decision))
    outbox_.enqueue_reply(phone, m.from, domain::reply_text(settings.texts, *reply), now_ms,
                          domain::reply_buttons(settings.texts, *reply));
  return result;
}


std::vector<unknown_text> unknown_texts(SQLite::Database& db, std::int64_t since_ms, std::size_t limit) {
  SQLite::Statement q(db,
                      "SELECT matched_text, COUNT(*), SUM(decision = 'ask'), MAX(received_at) FROM inbound_messages "
                      "WHERE received_at >= :since AND decision IN ('help', 'help_suppressed', 'ask') "
                      "AND matched_text IS NOT NULL AND matched_text <> '' "
                      "GROUP BY matched_text");
  q.bind(":since", since_ms);
  // Grouped again after masking: "via 12" and "via 13" recorded before
  // every digit was masked are one text now.
  std::map<std::string, unknown_text> by_text;
  while (q.executeStep()) {
    auto text = mask_all_digits(q.getColumn(0).getString());
    auto& u = by_text[text];
    u.text = std::move(text);
    u.count += q.getColumn(1).getInt64();
    u.asked += q.getColumn(2).getInt64();
    u.last_at_ms = std::max(u.last_at_ms, q.getColumn(3).getInt64());
  }
  std::vector<unknown_text> all;
  all.reserve(by_text.size());
  for (auto& [text, u] : by_text) all.push_back(std::move(u));
  std::sort(all.begin(), all.end(), [](const unknown_text& a, const unknown_text& b) {
    return a.count != b.count ? a.count > b.count : a.text < b.text;
  });
  if (all.size() > limit) all.resize(limit);
  return all;
}

}  // namespace banditore::store::sqlite

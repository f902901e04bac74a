#include <banditore/store/sqlite/inbound.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/domain/audience_geo.hpp>
#include <banditore/domain/choices.hpp>
#include <banditore/domain/inbound_decision.hpp>
#include <banditore/store/sqlite/audience.hpp>
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
        touch_number_window(db, "INSERT INTO number_windows (phone_hash, number_id, last_inbound_at) "
                                "VALUES (:phone, :number, :at) ON CONFLICT (phone_hash, number_id) DO UPDATE SET "
                                "last_inbound_at = MAX(last_inbound_at, excluded.last_inbound_at)"),
        helped(db, "UPDATE contacts SET last_help_at = :now WHERE phone_hash = :phone"),
        subscriber(db, "SELECT id FROM subscribers WHERE phone_hash = :phone"),
        subscribe(db, "INSERT INTO subscribers (phone_hash, phone_cipher, language, source, subscribed_at) "
                      "VALUES (:phone, :cipher, :language, 'whatsapp', :now)"),
        unsubscribe(db, "DELETE FROM subscribers WHERE id = :id"),
        cancel_deliveries(db, cancel_queued_for_subscriber_sql),
        consent(db, "INSERT INTO consent_log (phone_hash, event, message_hash, at, town_ids, topic_ids, area_ids) "
                    "VALUES (:phone, :event, :message, :now, :towns, :topics, :areas)"),
        record(db, "INSERT INTO inbound_messages (message_hash, phone_hash, type, decision, matched_text, sent_at, received_at) "
                   "VALUES (:hash, :phone, :type, :decision, :text, :sent_at, :now)"),
        towns_of(db, "SELECT town_id FROM subscriber_towns WHERE subscriber_id = :id"),
        topics_of(db, "SELECT topic_id FROM subscriber_topics WHERE subscriber_id = :id"),
        areas_of(db, "SELECT area_id FROM subscriber_areas WHERE subscriber_id = :id"),
        floor_of(db, "SELECT only_severe FROM subscribers WHERE id = :id"),
        add_town(db, "INSERT OR IGNORE INTO subscriber_towns (town_id, subscriber_id) VALUES (:choice, :id)"),
        add_topic(db, "INSERT OR IGNORE INTO subscriber_topics (topic_id, subscriber_id) VALUES (:choice, :id)"),
        add_area(db, "INSERT OR IGNORE INTO subscriber_areas (area_id, subscriber_id) VALUES (:choice, :id)"),
        drop_town(db, "DELETE FROM subscriber_towns WHERE town_id = :choice AND subscriber_id = :id"),
        drop_topic(db, "DELETE FROM subscriber_topics WHERE topic_id = :choice AND subscriber_id = :id"),
        drop_area(db, "DELETE FROM subscriber_areas WHERE area_id = :choice AND subscriber_id = :id"),
        set_floor(db, "UPDATE subscribers SET only_severe = :floor WHERE id = :id"),
        version(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'catalogue_version'") {}

  SQLite::Statement seen, contact, touch_contact, touch_number_window, helped, subscriber, subscribe, unsubscribe,
      cancel_deliveries, consent, record, towns_of, topics_of, areas_of, floor_of, add_town, add_topic, add_area,
      drop_town, drop_topic, drop_area, set_floor, version;
};

// The catalogue as inbound messages need it, read once per change of it
// (meta 'catalogue_version') rather than per message: the names folded
// and stemmed for reading texts, the boundaries parsed for locations.
struct inbound_store::catalogue_copy {
  explicit catalogue_copy(std::int64_t v, domain::audience_catalogue c)
      : version(v), catalogue(std::move(c)), reader(catalogue), places(catalogue) {}
  std::int64_t version;
  domain::audience_catalogue catalogue;
  domain::audience_reader reader;
  domain::place_finder places;
  // The last confirmation of a subscription, which every new subscriber
  // who names nothing is sent alike: built once, not per message.
  struct reply {
    domain::decision verdict = domain::decision::ignored;
    domain::subscriber_choices after;
    std::string head;  // the configured confirmation it starts with
    std::string text, extras_json;
  } last_reply;
  // The replies of each number that serves one town, naming it: built at
  // the first message to it after each change of the catalogue, so a
  // renamed town is named anew.
  std::map<std::string, domain::reply_texts, std::less<>> number_texts;
};

const domain::reply_texts& inbound_store::texts_for(const conversation_settings& settings, std::string_view number_id) {
  if (!settings.replies_name_number_town || number_id.empty()) return settings.texts;
  auto& cache = catalogue_->number_texts;
  if (const auto it = cache.find(number_id); it != cache.end()) return it->second;
  const auto towns = settings.number_towns.find(number_id);
  if (towns == settings.number_towns.end() || towns->second.size() != 1) return settings.texts;
  const auto& all = catalogue_->catalogue.towns;
  const auto town = std::find_if(all.begin(), all.end(), [&](const auto& t) { return t.id == towns->second.front(); });
  if (town == all.end()) return settings.texts;
  auto texts = settings.language == "en" ? domain::english_replies(town->name, settings.contacts)
                                         : domain::italian_replies(town->name, settings.contacts);
  return cache.emplace(std::string(number_id), std::move(texts)).first->second;
}

inbound_store::inbound_store(SQLite::Database& db, live_keys& keys, outbox& out)
    : db_(db), keys_(keys), outbox_(out), st_(std::make_unique<statements>(db)) {}

inbound_store::~inbound_store() = default;

void inbound_store::refresh_catalogue() {
  auto& q = st_->version;
  q.reset();
  const std::int64_t version = q.executeStep() ? q.getColumn(0).getInt64() : 0;
  q.reset();
  if (catalogue_ && catalogue_->version == version) return;
  catalogue_ = std::make_unique<catalogue_copy>(version, read_catalogue(db_));
}

namespace {

std::vector<std::string> ids_of(SQLite::Statement& q, std::int64_t subscriber_id) {
  std::vector<std::string> out;
  q.reset();
  q.bind(":id", subscriber_id);
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  q.reset();
  return out;
}

std::string comma_list(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out.append(out.empty() ? "" : ",").append(id);
  return out;
}

}  // namespace

domain::subscriber_choices inbound_store::choices_of(std::int64_t subscriber_id) {
  domain::subscriber_choices c;
  c.towns = ids_of(st_->towns_of, subscriber_id);
  c.topics = ids_of(st_->topics_of, subscriber_id);
  c.areas = ids_of(st_->areas_of, subscriber_id);
  auto& f = st_->floor_of;
  f.reset();
  f.bind(":id", subscriber_id);
  if (f.executeStep()) c.only_severe = f.getColumn(0).getInt() != 0;
  f.reset();
  return c;
}

void inbound_store::write_choices(std::int64_t subscriber_id, const domain::subscriber_choices& before,
                                  const domain::subscriber_choices& after) {
  auto each = [subscriber_id](SQLite::Statement& st, const std::vector<std::string>& ids,
                              const std::vector<std::string>& except) {
    for (const auto& id : ids) {
      if (std::find(except.begin(), except.end(), id) != except.end()) continue;
      st.reset();
      st.bind(":choice", id);
      st.bind(":id", subscriber_id);
      st.exec();
    }
  };
  each(st_->drop_area, before.areas, after.areas);
  each(st_->drop_topic, before.topics, after.topics);
  each(st_->drop_town, before.towns, after.towns);
  each(st_->add_town, after.towns, before.towns);
  each(st_->add_topic, after.topics, before.topics);
  each(st_->add_area, after.areas, before.areas);
  if (before.only_severe != after.only_severe) {
    auto& st = st_->set_floor;
    st.reset();
    st.bind(":floor", after.only_severe ? 1 : 0);
    st.bind(":id", subscriber_id);
    st.exec();
  }
}

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
  if (!m.number_id.empty()) {
    auto& w = st_->touch_number_window;
    w.reset();
    bind_blob(w, ":phone", phone);
    w.bind(":number", m.number_id);
    w.bind(":at", domain::window_opened_at(m.sent_at_ms, now_ms));
    w.exec();
  }

  std::int64_t subscriber_id = 0;
  auto& s = st_->subscriber;
  s.reset();
  bind_blob(s, ":phone", phone);
  if (s.executeStep()) subscriber_id = s.getColumn(0).getInt64();
  s.reset();

  if (!catalogue_) refresh_catalogue();
  const auto& catalogue = catalogue_->catalogue;
  // A shared location is reduced here to the ids containing it; the
  // point goes no further (not recorded, not logged).
  std::optional<domain::choice_request> located;
  if (m.location && m.type == "location" && !catalogue_->places.empty()) {
    auto found = catalogue_->places.find(*m.location);
    located = domain::located_request(std::move(found.towns), std::move(found.areas));
  }
  domain::inbound_message_view view{m.type, m.text, m.reply_id};
  if (located) view.located = &*located;
  const auto understood = domain::understand_inbound(view, settings.town, subscriber_id != 0, last_help_at,
                                                     settings.help_interval_ms, now_ms, &catalogue_->reader);
  const auto policy = understood.policy;
  const auto& match = understood.match;
  result.keyword = match.keyword;
  result.decision = understood.verdict;

  auto log_consent = [&](std::string_view event, const domain::choice_change* ids = nullptr) {
    auto& st = st_->consent;
    st.reset();
    bind_blob(st, ":phone", phone);
    st.bind(":event", std::string(event));
    bind_blob(st, ":message", msg_hash);
    st.bind(":now", now_ms);
    auto bind_ids = [&st](const char* name, const std::vector<std::string>* list) {
      if (list && !list->empty()) st.bind(name, comma_list(*list)); else st.bind(name);
    };
    bind_ids(":towns", ids ? &ids->towns : nullptr);
    bind_ids(":topics", ids ? &ids->topics : nullptr);
    bind_ids(":areas", ids ? &ids->areas : nullptr);
    st.exec();
  };

  std::optional<domain::choice_plan> plan;
  if (understood.choice) {
    const bool subscribed = subscriber_id != 0;
    auto request = *understood.choice;
    // Written to a town's own number, a plain "Attiva" means that town.
    if (!subscribed && request.op == domain::choice_op::join && request.towns.empty() && request.areas.empty() &&
        !m.number_id.empty())
      if (auto own = settings.number_towns.find(m.number_id);
          own != settings.number_towns.end() && own->second.size() == 1)
        request.towns = own->second;
    plan = domain::plan_choices(request, catalogue, subscribed,
                                subscribed ? choices_of(subscriber_id) : domain::subscriber_choices{});
    result.decision = plan->verdict;
  }

  // A new subscriber's number, sealed once for their row and their reply.
  std::string cipher;
  switch (result.decision) {
    case domain::decision::subscribe: {
      cipher = keys_.seal(m.from, phone);
      auto& st = st_->subscribe;
      st.reset();
      bind_blob(st, ":phone", phone);
      bind_blob(st, ":cipher", cipher);
      st.bind(":language", settings.language);
      st.bind(":now", now_ms);
      st.exec();
      const auto id = db_.getLastInsertRowid();
      if (plan) {
        // A row at a time, even the town and default topics of a plain
        // Attiva: one INSERT ... SELECT of them all may fail halfway on a
        // foreign key, so SQLite copied every page it touched into a
        // statement journal first, which cost more than the statements.
        write_choices(id, {}, plan->after);
        for (const auto& change : plan->changes) log_consent(change.event, &change);
      } else {
        write_choices(id, {}, domain::default_choices(catalogue));
        log_consent("subscribe");
      }
      break;
    }
    case domain::decision::choices_changed: {
      write_choices(subscriber_id, plan->before, plan->after);
      for (const auto& change : plan->changes) log_consent(change.event, &change);
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

  // Replies name the town of the number written to, where it has one.
  const auto& texts = texts_for(settings, m.number_id);
  if (plan) {
    auto& cached = catalogue_->last_reply;
    const bool alike = plan->verdict == domain::decision::subscribe ||
                       plan->verdict == domain::decision::already_subscribed;
    const auto& head = plan->verdict == domain::decision::subscribe ? texts.subscribed : texts.already_subscribed;
    if (!alike || cached.verdict != plan->verdict || !(cached.after == plan->after) || cached.head != head) {
      auto reply = domain::reply_for_plan(*plan, catalogue, texts);
      cached = {alike ? plan->verdict : domain::decision::ignored, plan->after, alike ? head : std::string{},
                std::move(reply.text), reply_extras_json({}, reply.list)};
    }
    outbox_.enqueue_reply_prepared(phone, m.from, cached.text, now_ms, cached.extras_json, m.number_id, cipher);
  } else if (auto reply = domain::reply_for(result.decision)) {
    outbox_.enqueue_reply(phone, m.from, domain::reply_text(texts, *reply), now_ms,
                          domain::reply_buttons(texts, *reply), {}, m.number_id);
  }
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

#include <banditore/store/sqlite/alerts.hpp>

#include <banditore/domain/alert_audience.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace banditore::store::sqlite {

namespace {

std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

constexpr const char* alert_columns =
    "id, category, severity, title, text, state, source, priority, api_key_id, expires_at, "
    "cancelled_at, finished_at, not_before, created_at, planned_count, link, towns, topics, areas, updates, "
    "media_id, send_at";

std::optional<std::string> opt_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

void bind_opt(SQLite::Statement& st, const char* name, const std::optional<std::string>& v) {
  if (v) st.bind(name, *v); else st.bind(name);
}

// Who an alert reaches, in SQL over one range of subscriber ids
// (:after, :upto]: the rule of domain/alert_audience.hpp. The driver reads
// the choice tables by key (town, area or topic first, then subscriber
// id), so an alert to one town touches that town's rows only; the match
// then checks each candidate's other choices by primary-key lookups. A
// subscriber found through several rows is one id of the UNION, and the
// outbox's UNIQUE (alert_id, subscriber_id) keeps a repeated step from
// queueing twice. json_each(NULL) is empty: an unused key list reads
// nothing.
constexpr const char* audience_driver =
    "SELECT subscriber_id FROM subscriber_towns WHERE town_id IN (SELECT value FROM json_each(:drive_towns)) "
    "AND subscriber_id > :after AND subscriber_id <= :upto "
    "UNION SELECT subscriber_id FROM subscriber_areas WHERE area_id IN (SELECT value FROM json_each(:drive_areas)) "
    "AND subscriber_id > :after AND subscriber_id <= :upto "
    "UNION SELECT subscriber_id FROM subscriber_topics WHERE topic_id IN (SELECT value FROM json_each(:drive_topics)) "
    "AND subscriber_id > :after AND subscriber_id <= :upto";

// The number a subscriber s hears an alert from (alert_store::route): the
// first of their towns the alert is for (:route_towns, NULL for all).
constexpr const char* number_of_subscriber =
    "COALESCE((SELECT COALESCE(r.value, :first) FROM subscriber_towns st LEFT JOIN json_each(:routes) r "
    "ON r.key = st.town_id WHERE st.subscriber_id = s.id AND (:route_towns IS NULL OR st.town_id IN "
    "(SELECT value FROM json_each(:route_towns))) ORDER BY st.town_id LIMIT 1), :first)";

// Counted per number, outside that number's own 24-hour window.
std::string count_by_number_sql(const std::string& selection) {
  return std::string("SELECT n, COUNT(*), COALESCE(SUM(NOT EXISTS (SELECT 1 FROM number_windows w WHERE "
                     "w.phone_hash = x.phone_hash AND w.number_id = x.n AND w.last_inbound_at > :since)), 0) "
                     "FROM (SELECT s.phone_hash AS phone_hash, ") +
         number_of_subscriber + " AS n FROM subscribers s WHERE " + selection + ") x GROUP BY n ORDER BY n";
}

constexpr const char* audience_match =
    "s.subscribed_at <= :created AND (:all_severities OR s.only_severe = 0) "
    "AND (:topics IS NULL OR EXISTS (SELECT 1 FROM subscriber_topics x WHERE x.topic_id IN "
    "(SELECT value FROM json_each(:topics)) AND x.subscriber_id = s.id)) "
    "AND (NOT :placed "
    "OR EXISTS (SELECT 1 FROM subscriber_towns x WHERE x.town_id IN (SELECT value FROM json_each(:whole_towns)) "
    "AND x.subscriber_id = s.id) "
    "OR EXISTS (SELECT 1 FROM subscriber_areas x WHERE x.area_id IN (SELECT value FROM json_each(:areas)) "
    "AND x.subscriber_id = s.id) "
    // No area of that town chosen: the whole town, so its areas too.
    "OR EXISTS (SELECT 1 FROM subscriber_towns x WHERE x.town_id IN (SELECT value FROM json_each(:area_towns)) "
    "AND x.subscriber_id = s.id AND NOT EXISTS (SELECT 1 FROM subscriber_areas y JOIN areas a ON a.id = y.area_id "
    "WHERE y.subscriber_id = s.id AND a.town_id = x.town_id)))";

std::string json_ids(const std::vector<std::string>& ids) { return nlohmann::json(ids).dump(); }
std::optional<std::string> json_ids_or_null(const std::vector<std::string>& ids) {
  if (ids.empty()) return std::nullopt;
  return json_ids(ids);
}

alert_record read_alert(SQLite::Statement& q) {
  alert_record a;
  a.id = q.getColumn(0).getInt64();
  a.category = q.getColumn(1).getString();
  a.severity = q.getColumn(2).getString();
  a.title = q.getColumn(3).getString();
  a.text = q.getColumn(4).getString();
  a.state = q.getColumn(5).getString();
  a.source = q.getColumn(6).getString();
  a.priority = q.getColumn(7).getInt();
  a.api_key_id = opt_int(q.getColumn(8));
  a.expires_at = opt_int(q.getColumn(9));
  a.cancelled_at = opt_int(q.getColumn(10));
  a.finished_at = opt_int(q.getColumn(11));
  a.not_before = q.getColumn(12).getInt64();
  a.created_at = q.getColumn(13).getInt64();
  a.planned_count = q.getColumn(14).getInt64();
  a.link = q.getColumn(15).isNull() ? std::string{} : q.getColumn(15).getString();
  a.audience.towns = domain::id_list_from_json_text(opt_text(q.getColumn(16)));
  a.audience.topics = domain::id_list_from_json_text(opt_text(q.getColumn(17)));
  a.audience.areas = domain::id_list_from_json_text(opt_text(q.getColumn(18)));
  a.updates = opt_int(q.getColumn(19));
  a.media_id = opt_int(q.getColumn(20));
  a.send_at = opt_int(q.getColumn(21));
  return a;
}

void bind_audience_columns(SQLite::Statement& st, const domain::alert_audience& audience) {
  bind_opt(st, ":towns", domain::id_list_to_json_text(audience.towns));
  bind_opt(st, ":topics", domain::id_list_to_json_text(audience.topics));
  bind_opt(st, ":areas", domain::id_list_to_json_text(audience.areas));
}

std::int64_t single_count(SQLite::Statement& q) {
  q.executeStep();
  auto n = q.getColumn(0).getInt64();
  q.reset();
  return n;
}

}  // namespace

struct alert_store::statements {
  explicit statements(SQLite::Database& db)
      : by_key(db, "SELECT id, request_hash FROM alerts WHERE api_key_id IS :key AND idempotency_key = :idem"),
        insert(db, "INSERT INTO alerts (category, severity, title, text, link, priority, state, source, api_key_id, "
                   "idempotency_key, request_hash, expires_at, not_before, created_at, public, towns, topics, areas, "
                   "updates, media_id, send_at) "
                   "VALUES (:category, :severity, :title, :text, :link, :priority, :state, :source, :key, :idem, :hash, "
                   ":expires, :not_before, :now, :public, :towns, :topics, :areas, :updates, :media, :send_at)"),
        duplicate(db, "SELECT id FROM alerts WHERE created_at >= :since AND state <> 'cancelled' AND source = :source "
                      "AND category = :category AND severity = :severity AND title = :title AND text = :text "
                      "AND COALESCE(link, '') = :link AND towns IS :towns AND topics IS :topics AND areas IS :areas "
                      "ORDER BY id DESC LIMIT 1"),
        welcome(db, "UPDATE subscribers SET welcome_alert_id = :alert WHERE id = :subscriber"),
        errors(db, "SELECT state, COALESCE(error_code, 0), COALESCE(error_title, ''), COUNT(*) FROM outbox "
                   "INDEXED BY outbox_errors WHERE alert_id = :id AND (error_code IS NOT NULL OR error_title IS NOT NULL) "
                   "GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2 LIMIT 50"),
        add_recipient(db, "INSERT OR IGNORE INTO outbox (priority, phone_hash, alert_id, subscriber_id, not_before, "
                          "created_at, updated_at) SELECT a.priority, s.phone_hash, a.id, s.id, a.not_before, :now, "
                          ":now FROM alerts a JOIN subscribers s ON s.id = :subscriber WHERE a.id = :alert"),
        // The number of the first of the subscriber's towns the alert is
        // for (a town no number lists is the first number's).
        route(db, "UPDATE outbox SET number_id = COALESCE((SELECT COALESCE(r.value, :first) FROM subscriber_towns st "
                  "LEFT JOIN json_each(:routes) r ON r.key = st.town_id WHERE st.subscriber_id = outbox.subscriber_id "
                  "AND (:towns IS NULL OR st.town_id IN (SELECT value FROM json_each(:towns))) "
                  "ORDER BY st.town_id LIMIT 1), :first) "
                  "WHERE alert_id = :alert AND subscriber_id > :after AND subscriber_id <= :upto AND number_id IS NULL"),
        count_recipient(db, "UPDATE alerts SET planned_count = planned_count + 1 WHERE id = :id"),
        get(db, std::string("SELECT ") + alert_columns + " FROM alerts WHERE id = :id"),
        list(db, std::string("SELECT ") + alert_columns +
                     " FROM alerts WHERE id < :before ORDER BY id DESC LIMIT :limit"),
        // One statement for every filter: a NULL parameter filters nothing.
        search(db, std::string("SELECT ") + alert_columns +
                       " FROM alerts WHERE id < :before"
                       " AND (:severity IS NULL OR severity = :severity)"
                       " AND (:source IS NULL OR source = :source)"
                       " AND (:state IS NULL OR state = :state)"
                       " AND (:from IS NULL OR created_at >= :from)"
                       " AND (:until IS NULL OR created_at < :until)"
                       " AND (:title IS NULL OR instr(lower(title), lower(:title)) > 0)"
                       " AND (:topic IS NULL OR EXISTS (SELECT 1 FROM json_each(alerts.topics) WHERE value = :topic))"
                       " AND (:town IS NULL OR EXISTS (SELECT 1 FROM json_each(alerts.towns) WHERE value = :town)"
                       " OR EXISTS (SELECT 1 FROM json_each(alerts.areas) j JOIN areas a ON a.id = j.value"
                       " WHERE a.town_id = :town))"
                       " AND (:within IS NULL"
                       " OR (coalesce(json_array_length(alerts.towns), 0) = 0"
                       " AND coalesce(json_array_length(alerts.areas), 0) = 0)"
                       " OR EXISTS (SELECT 1 FROM json_each(alerts.towns) t"
                       " WHERE t.value IN (SELECT value FROM json_each(:within)))"
                       " OR EXISTS (SELECT 1 FROM json_each(alerts.areas) j JOIN areas a ON a.id = j.value"
                       " WHERE a.town_id IN (SELECT value FROM json_each(:within))))"
                       " ORDER BY id DESC LIMIT :limit"),
        counts(db, "SELECT state, count FROM alert_progress WHERE alert_id = :id"),
        // Both read at most the rows in flight, through the partial
        // indexes; left to choose, SQLite reads every row of the alert.
        sending(db, "SELECT COUNT(*) FROM outbox INDEXED BY outbox_leased WHERE state = 'sending' "
                    "AND alert_id = :id"),
        all_sending(db, "SELECT COUNT(*) FROM outbox INDEXED BY outbox_leased WHERE state = 'sending' "
                        "AND alert_id IS NOT NULL"),
        sent_times(db, "SELECT first_sent_at, last_sent_at FROM alerts WHERE id = :id"),
        waiting(db, "SELECT COUNT(*) FROM outbox INDEXED BY outbox_waiting WHERE alert_id = :id AND state = 'queued' "
                    "AND error_title = 'waiting for the messaging limit'"),
        cancel_alert(db, "UPDATE alerts SET state = 'cancelled', cancelled_at = :now "
                         "WHERE id = :id AND state IN ('scheduled', 'planning', 'sending')"),
        // A broadcast that has finished (or expired) keeps its state and its
        // counts; the cancellation is still recorded, so the public archive
        // and the CAP feed withdraw what citizens already received.
        withdraw_alert(db, "UPDATE alerts SET cancelled_at = :now "
                           "WHERE id = :id AND state IN ('done', 'expired') AND cancelled_at IS NULL"),
        // "state IN ('queued', 'sending')" repeats outbox_pending_by_alert's
        // condition: SQLite uses a partial index only for a query that
        // states it.
        cancel_rows(db, "UPDATE outbox SET state = 'cancelled', updated_at = :now "
                        "WHERE alert_id = :id AND state IN ('queued', 'sending') AND state = 'queued'"),
        // A scheduled alert reaches whoever is subscribed when it leaves.
        next_to_plan(db, "SELECT id, priority, planned_through, not_before, expires_at, "
                         "MAX(created_at, COALESCE(send_at, 0)), severity, "
                         "towns, topics, areas FROM alerts WHERE state = 'planning' ORDER BY priority, id LIMIT 1"),
        batch_end(db, "SELECT MAX(id), COUNT(*) FROM (SELECT id FROM subscribers WHERE id > :after "
                      "AND subscribed_at <= :created ORDER BY id LIMIT :batch)"),
        plan(db, "INSERT OR IGNORE INTO outbox (priority, phone_hash, alert_id, subscriber_id, not_before, "
                 "created_at, updated_at) SELECT :priority, phone_hash, :alert, id, :not_before, :now, :now "
                 "FROM subscribers WHERE id > :after AND id <= :upto AND subscribed_at <= :created"),
        // Below severe, to everyone: the same walk, without those who
        // asked for "Solo emergenze".
        plan_below_severe(db, "INSERT OR IGNORE INTO outbox (priority, phone_hash, alert_id, subscriber_id, "
                              "not_before, created_at, updated_at) SELECT :priority, phone_hash, :alert, id, "
                              ":not_before, :now, :now FROM subscribers WHERE id > :after AND id <= :upto AND "
                              "subscribed_at <= :created AND only_severe = 0"),
        // Keyset batches of a targeted alert: the batch-th subscriber
        // after :after under one key, read along the key.
        town_end(db, "SELECT subscriber_id FROM subscriber_towns WHERE town_id = :key AND subscriber_id > :after "
                     "ORDER BY subscriber_id LIMIT 1 OFFSET :skip"),
        area_end(db, "SELECT subscriber_id FROM subscriber_areas WHERE area_id = :key AND subscriber_id > :after "
                     "ORDER BY subscriber_id LIMIT 1 OFFSET :skip"),
        topic_end(db, "SELECT subscriber_id FROM subscriber_topics WHERE topic_id = :key AND subscriber_id > :after "
                      "ORDER BY subscriber_id LIMIT 1 OFFSET :skip"),
        plan_targeted(db, std::string("INSERT OR IGNORE INTO outbox (priority, phone_hash, alert_id, subscriber_id, "
                                      "not_before, created_at, updated_at) SELECT :priority, s.phone_hash, :alert, "
                                      "s.id, :not_before, :now, :now FROM subscribers s WHERE s.id IN (") +
                              audience_driver + ") AND " + audience_match),
        count_targeted(db, std::string("SELECT COUNT(*), COALESCE(SUM(c.last_inbound_at IS NULL OR "
                                       "c.last_inbound_at <= :since), 0) FROM subscribers s LEFT JOIN contacts c "
                                       "ON c.phone_hash = s.phone_hash WHERE s.id IN (") +
                               audience_driver + ") AND " + audience_match),
        count_everyone(db, "SELECT COUNT(*), COALESCE(SUM(c.last_inbound_at IS NULL OR c.last_inbound_at <= :since), "
                           "0) FROM subscribers s LEFT JOIN contacts c ON c.phone_hash = s.phone_hash "
                           "WHERE s.subscribed_at <= :created AND (:all_severities OR s.only_severe = 0)"),
        count_targeted_by_number(db, count_by_number_sql(std::string("s.id IN (") + audience_driver + ") AND " +
                                                         audience_match)),
        count_everyone_by_number(db, count_by_number_sql(
                                         "s.subscribed_at <= :created AND (:all_severities OR s.only_severe = 0)")),
        area_towns(db, "SELECT id, town_id FROM areas WHERE id IN (SELECT value FROM json_each(:areas))"),
        advance(db, "UPDATE alerts SET planned_through = :upto, planned_count = planned_count + :added "
                    "WHERE id = :id"),
        planned(db, "UPDATE alerts SET state = 'sending' WHERE id = :id AND state = 'planning'"),
        expire(db, "UPDATE alerts SET state = 'expired', finished_at = :now WHERE id = :id"),
        finish(db, "UPDATE alerts SET state = 'done', finished_at = :now WHERE state = 'sending' AND "
                   "NOT EXISTS (SELECT 1 FROM outbox WHERE alert_id = alerts.id AND state IN ('queued', 'sending'))"),
        expire_sending(db, "UPDATE outbox SET state = 'cancelled', updated_at = :now WHERE state = 'queued' AND "
                           "state IN ('queued', 'sending') AND "
                           "alert_id IN (SELECT id FROM alerts WHERE state = 'sending' AND expires_at <= :now)"),
        next_scheduled(db, "SELECT MIN(not_before) FROM alerts WHERE state = 'scheduled'"),
        due_scheduled(db, "SELECT id, expires_at FROM alerts WHERE state = 'scheduled' AND not_before <= :now "
                          "ORDER BY not_before, id LIMIT 100"),
        release(db, "UPDATE alerts SET state = 'planning' WHERE id = :id AND state = 'scheduled'"),
        expire_scheduled(db, "UPDATE alerts SET state = 'expired', finished_at = :now "
                             "WHERE id = :id AND state = 'scheduled'"),
        subscribers(db, "SELECT COUNT(*) FROM subscribers"),
        flagged(db, "SELECT COUNT(*) FROM subscribers WHERE flagged_at IS NOT NULL"),
        all_counts(db, "SELECT state, SUM(count) FROM alert_progress GROUP BY state") {}

  SQLite::Statement by_key, insert, duplicate, welcome, errors, add_recipient, route, count_recipient, get, list, search, counts, sending, all_sending, sent_times, waiting, cancel_alert, withdraw_alert, cancel_rows, next_to_plan, batch_end,
      plan, plan_below_severe, town_end, area_end, topic_end, plan_targeted, count_targeted, count_everyone,
      count_targeted_by_number, count_everyone_by_number,
      area_towns, advance, planned, expire, finish, expire_sending, next_scheduled, due_scheduled, release,
      expire_scheduled, subscribers, flagged, all_counts;
};

std::string alert_store::targeted_plan_sql() {
  return std::string("SELECT s.id FROM subscribers s WHERE s.id IN (") + audience_driver + ") AND " + audience_match;
}

alert_store::alert_store(SQLite::Database& db) : db_(db), st_(std::make_unique<statements>(db)) {}
alert_store::~alert_store() = default;

create_result alert_store::create(const new_alert& a, std::int64_t now_ms) {
  if (!a.idempotency_key.empty()) {
    auto& q = st_->by_key;
    q.reset();
    if (a.api_key_id) q.bind(":key", *a.api_key_id); else q.bind(":key");
    q.bind(":idem", a.idempotency_key);
    if (q.executeStep()) {
      create_result r;
      r.id = q.getColumn(0).getInt64();
      const auto stored = q.getColumn(1).isNull() ? std::string{} : q.getColumn(1).getString();
      r.outcome = stored == a.request_hash ? create_outcome::replayed : create_outcome::conflict;
      q.reset();
      return r;
    }
    q.reset();
  } else if (a.duplicate_since > 0) {
    auto& q = st_->duplicate;
    q.reset();
    q.bind(":since", a.duplicate_since);
    q.bind(":source", a.source);
    q.bind(":category", a.draft.category);
    q.bind(":severity", std::string(domain::to_string(a.draft.level)));
    q.bind(":title", a.draft.title);
    q.bind(":text", a.draft.text);
    q.bind(":link", a.draft.link);
    bind_audience_columns(q, a.audience);
    std::optional<std::int64_t> earlier;
    if (q.executeStep()) earlier = q.getColumn(0).getInt64();
    q.reset();
    if (earlier) return {create_outcome::duplicate, *earlier};
  }
  // A time ahead: it waits for the scheduler (release_due).
  const bool later = a.send_at && *a.send_at > now_ms;
  return {create_outcome::created, insert_alert(a, later ? "scheduled" : "planning", now_ms)};
}

std::int64_t alert_store::create_addressed(const new_alert& a, std::int64_t now_ms) {
  // 'sending' from the start: the planner only picks alerts still planning.
  return insert_alert(a, "sending", now_ms);
}

bool alert_store::add_recipient(std::int64_t alert_id, std::int64_t subscriber_id, std::int64_t now_ms) {
  auto& st = st_->add_recipient;
  st.reset();
  st.bind(":alert", alert_id);
  st.bind(":subscriber", subscriber_id);
  st.bind(":now", now_ms);
  if (st.exec() == 0) return false;
  route_planned(alert_id, subscriber_id - 1, subscriber_id, std::nullopt);
  auto& n = st_->count_recipient;
  n.reset();
  n.bind(":id", alert_id);
  n.exec();
  return true;
}

void alert_store::set_number_routes(std::string routes_json, std::string first_number) {
  routes_json_ = std::move(routes_json);
  first_number_ = std::move(first_number);
}

void alert_store::route_planned(std::int64_t alert_id, std::int64_t after, std::int64_t upto,
                                const std::optional<std::string>& towns) {
  if (first_number_.empty()) return;
  auto& st = st_->route;
  st.reset();
  st.bind(":routes", routes_json_.empty() ? std::string("{}") : routes_json_);
  st.bind(":first", first_number_);
  bind_opt(st, ":towns", towns);
  st.bind(":alert", alert_id);
  st.bind(":after", after);
  st.bind(":upto", upto);
  st.exec();
}

void alert_store::set_welcome(std::int64_t alert_id, std::int64_t subscriber_id) {
  auto& st = st_->welcome;
  st.reset();
  st.bind(":alert", alert_id);
  st.bind(":subscriber", subscriber_id);
  st.exec();
}

std::int64_t alert_store::insert_alert(const new_alert& a, std::string_view state, std::int64_t now_ms) {
  auto& st = st_->insert;
  st.reset();
  st.bind(":category", a.draft.category);
  st.bind(":severity", std::string(domain::to_string(a.draft.level)));
  st.bind(":title", a.draft.title);
  st.bind(":text", a.draft.text);
  if (a.draft.link.empty()) st.bind(":link"); else st.bind(":link", a.draft.link);
  bind_audience_columns(st, a.audience);
  st.bind(":priority", domain::priority_of(a.draft.level));
  st.bind(":state", std::string(state));
  st.bind(":source", a.source);
  if (a.api_key_id) st.bind(":key", *a.api_key_id); else st.bind(":key");
  if (a.idempotency_key.empty()) st.bind(":idem"); else st.bind(":idem", a.idempotency_key);
  if (a.request_hash.empty()) st.bind(":hash");
  else st.bind(":hash", a.request_hash.data(), static_cast<int>(a.request_hash.size()));
  if (a.draft.expires_at_ms) st.bind(":expires", *a.draft.expires_at_ms); else st.bind(":expires");
  const bool later = a.send_at && *a.send_at > now_ms;
  st.bind(":not_before", std::max({a.not_before, now_ms, later ? *a.send_at : 0}));
  if (later) st.bind(":send_at", *a.send_at); else st.bind(":send_at");
  st.bind(":now", now_ms);
  st.bind(":public", a.publish ? 1 : 0);
  if (a.updates) st.bind(":updates", *a.updates); else st.bind(":updates");
  if (a.media_id) st.bind(":media", *a.media_id); else st.bind(":media");
  st.exec();
  return db_.getLastInsertRowid();
}

std::optional<alert_record> alert_store::get(std::int64_t id) {
  auto& q = st_->get;
  q.reset();
  q.bind(":id", id);
  std::optional<alert_record> out;
  if (q.executeStep()) out = read_alert(q);
  q.reset();
  return out;
}

std::vector<alert_record> alert_store::list(std::int64_t before_id, std::size_t limit) {
  auto& q = st_->list;
  q.reset();
  q.bind(":before", before_id > 0 ? before_id : std::numeric_limits<std::int64_t>::max());
  q.bind(":limit", static_cast<std::int64_t>(limit));
  std::vector<alert_record> out;
  while (q.executeStep()) out.push_back(read_alert(q));
  q.reset();
  return out;
}

std::vector<alert_record> alert_store::search(const alert_query& query) {
  auto& q = st_->search;
  q.reset();
  q.clearBindings();
  q.bind(":before", query.before_id > 0 ? query.before_id : std::numeric_limits<std::int64_t>::max());
  q.bind(":limit", static_cast<std::int64_t>(query.limit));
  auto text = [&q](const char* name, const std::string& value) {
    if (!value.empty()) q.bind(name, value);
  };
  text(":severity", query.severity);
  text(":source", query.source);
  text(":state", query.state);
  text(":title", query.title_contains);
  text(":topic", query.topic);
  text(":town", query.town);
  if (query.created_from) q.bind(":from", *query.created_from);
  if (query.created_before) q.bind(":until", *query.created_before);
  if (!query.within_towns.empty()) q.bind(":within", *domain::id_list_to_json_text(query.within_towns));
  std::vector<alert_record> out;
  while (q.executeStep()) out.push_back(read_alert(q));
  q.reset();
  return out;
}

std::optional<alert_report> alert_store::report(std::int64_t id) {
  auto a = get(id);
  if (!a) return std::nullopt;
  alert_report r;
  r.alert = std::move(*a);
  auto& q = st_->counts;
  q.reset();
  q.bind(":id", id);
  while (q.executeStep()) r.counts.add(q.getColumn(0).getString(), q.getColumn(1).getInt64());
  q.reset();
  auto& sending = st_->sending;
  sending.reset();
  sending.bind(":id", id);
  r.counts.split_sending(single_count(sending));
  auto& t = st_->sent_times;
  t.reset();
  t.bind(":id", id);
  if (t.executeStep()) {
    r.first_sent_at = opt_int(t.getColumn(0));
    r.last_sent_at = opt_int(t.getColumn(1));
  }
  t.reset();
  if (r.counts.queued > 0) {
    auto& w = st_->waiting;
    w.reset();
    w.bind(":id", id);
    if (w.executeStep()) r.waiting_for_limit = w.getColumn(0).getInt64();
    w.reset();
  }
  auto& e = st_->errors;
  e.reset();
  e.bind(":id", id);
  while (e.executeStep())
    r.errors.push_back({e.getColumn(0).getString(), e.getColumn(1).getInt(), e.getColumn(2).getString(),
                        e.getColumn(3).getInt64()});
  e.reset();
  return r;
}

bool alert_store::stop(std::int64_t id, std::int64_t now_ms) {
  if (!get(id)) return false;
  auto& a = st_->cancel_alert;
  a.reset();
  a.bind(":id", id);
  a.bind(":now", now_ms);
  if (a.exec() > 0) {
    auto& rows = st_->cancel_rows;
    rows.reset();
    rows.bind(":id", id);
    rows.bind(":now", now_ms);
    rows.exec();
  }
  return true;
}

bool alert_store::cancel(std::int64_t id, std::int64_t now_ms) {
  if (!stop(id, now_ms)) return false;
  auto& w = st_->withdraw_alert;
  w.reset();
  w.bind(":id", id);
  w.bind(":now", now_ms);
  w.exec();
  return true;
}

std::optional<std::int64_t> alert_store::next_scheduled() {
  auto& q = st_->next_scheduled;
  q.reset();
  std::optional<std::int64_t> out;
  if (q.executeStep()) out = opt_int(q.getColumn(0));
  q.reset();
  return out;
}

std::vector<scheduled_release> alert_store::release_due(std::int64_t now_ms) {
  std::vector<scheduled_release> due;
  auto& q = st_->due_scheduled;
  q.reset();
  q.bind(":now", now_ms);
  while (q.executeStep()) {
    const auto expires = opt_int(q.getColumn(1));
    due.push_back({q.getColumn(0).getInt64(), expires && *expires <= now_ms});
  }
  q.reset();
  for (const auto& d : due) {
    auto& w = d.expired ? st_->expire_scheduled : st_->release;
    w.reset();
    w.bind(":id", d.alert_id);
    if (d.expired) w.bind(":now", now_ms);
    w.exec();
  }
  return due;
}

std::optional<plan_step> alert_store::plan_next(std::size_t batch, std::int64_t now_ms) {
  auto& q = st_->next_to_plan;
  q.reset();
  if (!q.executeStep()) {
    q.reset();
    return std::nullopt;
  }
  const auto id = q.getColumn(0).getInt64();
  const auto priority = q.getColumn(1).getInt();
  const auto after = q.getColumn(2).getInt64();
  const auto not_before = q.getColumn(3).getInt64();
  const auto expires = opt_int(q.getColumn(4));
  const auto created = q.getColumn(5).getInt64();
  const auto level = domain::parse_severity(q.getColumn(6).getString()).value_or(domain::severity::minor);
  domain::alert_audience audience;
  audience.towns = domain::id_list_from_json_text(opt_text(q.getColumn(7)));
  audience.topics = domain::id_list_from_json_text(opt_text(q.getColumn(8)));
  audience.areas = domain::id_list_from_json_text(opt_text(q.getColumn(9)));
  q.reset();
  // A small first batch: its deliveries can leave while the rest of the
  // list is planned, so the first message goes within milliseconds.
  if (after == 0) batch = std::min(batch, first_plan_batch);

  plan_step step;
  step.alert_id = id;
  if (expires && *expires <= now_ms) {
    auto& e = st_->expire;
    e.reset();
    e.bind(":id", id);
    e.bind(":now", now_ms);
    e.exec();
    step.finished_planning = true;
    return step;
  }

  if (!audience.everyone()) {
    plan_targeted(step, audience, level, after, priority, not_before, created, batch, now_ms);
    return step;
  }

  auto& end = st_->batch_end;
  end.reset();
  end.bind(":after", after);
  end.bind(":created", created);
  end.bind(":batch", static_cast<std::int64_t>(batch));
  end.executeStep();
  const auto upto = end.getColumn(0).isNull() ? after : end.getColumn(0).getInt64();
  const auto found = end.getColumn(1).getInt64();
  end.reset();

  if (found > 0) {
    auto& p = domain::reaches_only_severe(level) ? st_->plan : st_->plan_below_severe;
    p.reset();
    p.bind(":priority", priority);
    p.bind(":alert", id);
    p.bind(":not_before", not_before);
    p.bind(":now", now_ms);
    p.bind(":after", after);
    p.bind(":upto", upto);
    p.bind(":created", created);
    step.added = p.exec();
    route_planned(id, after, upto, std::nullopt);
    auto& adv = st_->advance;
    adv.reset();
    adv.bind(":upto", upto);
    adv.bind(":added", step.added);
    adv.bind(":id", id);
    adv.exec();
  }
  if (found < static_cast<std::int64_t>(batch)) {
    auto& done = st_->planned;
    done.reset();
    done.bind(":id", id);
    done.exec();
    step.finished_planning = true;
  }
  return step;
}

alert_store::targeting alert_store::target_of(const domain::alert_audience& audience) {
  targeting t;
  std::vector<domain::area> areas;
  if (audience.areas) {
    auto& q = st_->area_towns;
    q.reset();
    q.bind(":areas", json_ids(*audience.areas));
    while (q.executeStep()) {
      domain::area a;
      a.id = q.getColumn(0).getString();
      a.town_id = q.getColumn(1).getString();
      areas.push_back(std::move(a));
    }
    q.reset();
  }
  const auto place = domain::place_of(audience, areas);
  t.placed = place.named();
  t.whole_towns = json_ids_or_null(place.whole_towns);
  t.areas = json_ids_or_null(place.areas);
  t.area_towns = json_ids_or_null(place.area_towns);
  if (audience.topics) t.topics = json_ids(*audience.topics);
  // The place is read by key when named (a town is about a tenth of the
  // list), the topics otherwise.
  if (t.placed) {
    auto towns = place.whole_towns;
    towns.insert(towns.end(), place.area_towns.begin(), place.area_towns.end());
    t.drive_towns = json_ids_or_null(towns);
    t.drive_areas = t.areas;
    for (const auto& id : towns) t.keys.push_back({&st_->town_end, id});
    for (const auto& id : place.areas) t.keys.push_back({&st_->area_end, id});
  } else if (audience.topics) {
    t.drive_topics = t.topics;
    for (const auto& id : *audience.topics) t.keys.push_back({&st_->topic_end, id});
  }
  return t;
}

void alert_store::bind_target(SQLite::Statement& st, const targeting& t, domain::severity level) {
  bind_opt(st, ":drive_towns", t.drive_towns);
  bind_opt(st, ":drive_areas", t.drive_areas);
  bind_opt(st, ":drive_topics", t.drive_topics);
  bind_opt(st, ":topics", t.topics);
  bind_opt(st, ":whole_towns", t.whole_towns);
  bind_opt(st, ":areas", t.areas);
  bind_opt(st, ":area_towns", t.area_towns);
  st.bind(":placed", t.placed ? 1 : 0);
  st.bind(":all_severities", domain::reaches_only_severe(level) ? 1 : 0);
}

void alert_store::plan_targeted(plan_step& step, const domain::alert_audience& audience, domain::severity level,
                                std::int64_t after, int priority, std::int64_t not_before, std::int64_t created,
                                std::size_t batch, std::int64_t now_ms) {
  const auto t = target_of(audience);
  // Keyset batches: under each key, the batch-th subscriber after the last
  // step; the step ends at the lowest of them, so it reads at most a batch
  // per key. A key with fewer left bounds nothing; with none bounding,
  // this is the last step.
  std::optional<std::int64_t> upto;
  for (const auto& [end, key] : t.keys) {
    end->reset();
    end->bind(":key", key);
    end->bind(":after", static_cast<std::int64_t>(after));
    end->bind(":skip", static_cast<std::int64_t>(batch) - 1);
    if (end->executeStep()) {
      const auto id = end->getColumn(0).getInt64();
      upto = std::min(upto.value_or(id), id);
    }
    end->reset();
  }
  const auto last = upto.value_or(std::numeric_limits<std::int64_t>::max());
  auto& p = st_->plan_targeted;
  p.reset();
  p.bind(":priority", priority);
  p.bind(":alert", step.alert_id);
  p.bind(":not_before", not_before);
  p.bind(":now", now_ms);
  p.bind(":after", after);
  p.bind(":upto", last);
  p.bind(":created", created);
  bind_target(p, t, level);
  step.added = p.exec();
  route_planned(step.alert_id, after, last, t.placed ? t.drive_towns : std::nullopt);
  auto& adv = st_->advance;
  adv.reset();
  adv.bind(":upto", last);
  adv.bind(":added", step.added);
  adv.bind(":id", step.alert_id);
  adv.exec();
  if (!upto) {
    auto& done = st_->planned;
    done.reset();
    done.bind(":id", step.alert_id);
    done.exec();
    step.finished_planning = true;
  }
}

audience_count alert_store::count_audience(const domain::alert_audience& audience, domain::severity level,
                                           std::int64_t now_ms) {
  audience_count out;
  const std::int64_t since = now_ms - std::int64_t{24} * 3600 * 1000;
  if (audience.everyone()) {
    auto& q = st_->count_everyone;
    q.reset();
    q.bind(":since", since);
    q.bind(":created", now_ms);
    q.bind(":all_severities", domain::reaches_only_severe(level) ? 1 : 0);
    q.executeStep();
    out.recipients = q.getColumn(0).getInt64();
    out.outside_window = q.getColumn(1).getInt64();
    q.reset();
    if (!first_number_.empty()) {
      auto& n = st_->count_everyone_by_number;
      n.reset();
      n.bind(":since", since);
      n.bind(":created", now_ms);
      n.bind(":all_severities", domain::reaches_only_severe(level) ? 1 : 0);
      bind_routes(n, std::nullopt);
      read_numbers(n, out);
    }
    return out;
  }
  // The planner's own selection over the whole list.
  const auto t = target_of(audience);
  auto& q = st_->count_targeted;
  q.reset();
  q.bind(":since", since);
  q.bind(":after", std::int64_t{0});
  q.bind(":upto", std::numeric_limits<std::int64_t>::max());
  q.bind(":created", now_ms);
  bind_target(q, t, level);
  q.executeStep();
  out.recipients = q.getColumn(0).getInt64();
  out.outside_window = q.getColumn(1).getInt64();
  q.reset();
  if (!first_number_.empty()) {
    auto& n = st_->count_targeted_by_number;
    n.reset();
    n.bind(":since", since);
    n.bind(":after", std::int64_t{0});
    n.bind(":upto", std::numeric_limits<std::int64_t>::max());
    n.bind(":created", now_ms);
    bind_target(n, t, level);
    bind_routes(n, t.placed ? t.drive_towns : std::nullopt);
    read_numbers(n, out);
  }
  return out;
}

void alert_store::bind_routes(SQLite::Statement& st, const std::optional<std::string>& towns) {
  st.bind(":routes", routes_json_.empty() ? std::string("{}") : routes_json_);
  st.bind(":first", first_number_);
  bind_opt(st, ":route_towns", towns);
}

void alert_store::read_numbers(SQLite::Statement& st, audience_count& out) {
  while (st.executeStep())
    out.numbers.push_back({st.getColumn(0).getString(), st.getColumn(1).getInt64(), st.getColumn(2).getInt64()});
  st.reset();
}

int alert_store::finish_settled(std::int64_t now_ms) {
  auto& e = st_->expire_sending;
  e.reset();
  e.bind(":now", now_ms);
  e.exec();
  auto& f = st_->finish;
  f.reset();
  f.bind(":now", now_ms);
  return f.exec();
}

std::int64_t alert_store::subscriber_count() {
  auto& q = st_->subscribers;
  q.reset();
  q.executeStep();
  auto n = q.getColumn(0).getInt64();
  q.reset();
  return n;
}

std::int64_t alert_store::flagged_count() {
  st_->flagged.reset();
  return single_count(st_->flagged);
}

delivery_counts alert_store::all_delivery_counts() {
  delivery_counts c;
  auto& q = st_->all_counts;
  q.reset();
  while (q.executeStep()) c.add(q.getColumn(0).getString(), q.getColumn(1).getInt64());
  q.reset();
  st_->all_sending.reset();
  c.split_sending(single_count(st_->all_sending));
  return c;
}

}  // namespace banditore::store::sqlite

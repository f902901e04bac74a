// Alerts and their fan-out. An alert is one row; the planner streams the
// subscriber list, in id order and in batches, into one outbox row per
// (alert, subscriber), so memory does not grow with the list. Reports count
// the alert's outbox rows by state. Runs on the database thread.
#pragma once

#include <banditore/store/alerts.hpp>

#include <banditore/domain/alert.hpp>
#include <banditore/store/sqlite/outbox.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
class Statement;
}

namespace banditore::store::sqlite {

class alert_store {
 public:
  explicit alert_store(SQLite::Database& db);
  ~alert_store();

  // One call = one broadcast: a repeated idempotency key with the same
  // request returns the first alert; with another request, a conflict.
  create_result create(const new_alert& alert, std::int64_t now_ms);

  // An alert for chosen subscribers rather than for everyone (the notice to
  // numbers just imported): it is created already planned, so plan_next
  // never fans it out, and add_recipient queues its deliveries. Call both
  // in one transaction, or the alert may finish before its recipients exist.
  std::int64_t create_addressed(const new_alert& alert, std::int64_t now_ms);
  // Queues the alert's delivery to one subscriber, counted among its
  // recipients; false when the alert or subscriber does not exist or the
  // delivery is already there.
  bool add_recipient(std::int64_t alert_id, std::int64_t subscriber_id, std::int64_t now_ms);
  // Makes the alert the subscriber's welcome: their other alerts wait
  // until its delivery to them has left.
  void set_welcome(std::int64_t alert_id, std::int64_t subscriber_id);

  std::optional<alert_record> get(std::int64_t id);
  // Newest first; before_id = 0 starts from the newest.
  std::vector<alert_record> list(std::int64_t before_id, std::size_t limit);
  std::vector<alert_record> search(const alert_query& query);
  std::optional<alert_report> report(std::int64_t id);

  // Stops what has not been sent; an alert whose broadcast has finished or
  // expired keeps its state and counts and gets cancelled_at (withdrawn
  // from the public pages). Returns false when the alert does not exist.
  bool cancel(std::int64_t id, std::int64_t now_ms);
  // Stops what has not been sent of an alert still in progress, and only
  // that: what an update does to the alert it replaces.
  bool stop(std::int64_t id, std::int64_t now_ms);

  // Plans the next batch of the most urgent alert still planning; nullopt
  // when none is. Expired alerts stop here.
  // An alert's first step plans at most first_plan_batch subscribers.
  std::optional<plan_step> plan_next(std::size_t batch, std::int64_t now_ms);

  // With several business numbers: which number each town's deliveries
  // leave from (a JSON object, town id -> number id) and the first number,
  // which carries every other town. Each planned row is given the number
  // of the first (by id) of the subscriber's towns the alert is for. Not
  // called with one number: rows then carry none.
  void set_number_routes(std::string routes_json, std::string first_number);
  static constexpr std::size_t first_plan_batch = 256;

  // The earliest time a scheduled alert is due; nullopt when none waits.
  std::optional<std::int64_t> next_scheduled();
  // Scheduled alerts due by now move to planning (or to expired, when
  // their expiry came first); at most 100 a call.
  std::vector<scheduled_release> release_due(std::int64_t now_ms);

  // Marks alerts whose deliveries are all settled as done.
  int finish_settled(std::int64_t now_ms);

  // Who an alert for this audience and severity would reach now, and how
  // many of them are outside their 24-hour window: the planner's selection,
  // counted through the same keys.
  audience_count count_audience(const domain::alert_audience& audience, domain::severity level, std::int64_t now_ms);

  // The selection of a targeted alert's step, for a test to read its
  // query plan: it must never scan the subscribers.
  static std::string targeted_plan_sql();

  std::int64_t subscriber_count();
  std::int64_t flagged_count();
  delivery_counts all_delivery_counts();

 private:
  std::int64_t insert_alert(const new_alert& alert, std::string_view state, std::int64_t now_ms);

  // A targeted alert's audience as the statements bind it.
  struct targeting {
    bool placed = false;
    std::optional<std::string> whole_towns, areas, area_towns, topics;  // JSON arrays of ids
    std::optional<std::string> drive_towns, drive_areas, drive_topics;
    std::vector<std::pair<SQLite::Statement*, std::string>> keys;  // batch-end statement, key
  };
  targeting target_of(const domain::alert_audience& audience);
  void bind_target(SQLite::Statement& st, const targeting& t, domain::severity level);
  void plan_targeted(plan_step& step, const domain::alert_audience& audience, domain::severity level,
                     std::int64_t after, int priority, std::int64_t not_before, std::int64_t created,
                     std::size_t batch, std::int64_t now_ms);

  // Gives the rows planned for subscribers (after, upto] of an alert their
  // number; towns: the alert's towns as a JSON array, or none for all.
  void bind_routes(SQLite::Statement& st, const std::optional<std::string>& towns);
  void read_numbers(SQLite::Statement& st, audience_count& out);
  void route_planned(std::int64_t alert_id, std::int64_t after, std::int64_t upto,
                     const std::optional<std::string>& towns);

  std::string routes_json_;   // empty: one number
  std::string first_number_;
  struct statements;
  SQLite::Database& db_;
  std::unique_ptr<statements> st_;
};

}  // namespace banditore::store::sqlite

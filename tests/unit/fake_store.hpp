// An in-memory store behind the interfaces of lib/banditore/store/, for
// unit tests of what sits on top of them (the sender, the planner, the
// HTTP handlers) without SQLite. It keeps the rules callers rely on (an
// idempotency key replays, a leased row is not leased again, an alert is
// planned in batches) and records every call, so a test can say what was
// asked. It is not a second engine: what SQL does is tested against the
// SQLite engine in tests/unit/store/sqlite/.
#pragma once

#include <banditore/store/alerts.hpp>
#include <banditore/store/api_keys.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/store/inbound.hpp>
#include <banditore/store/outbox.hpp>
#include <banditore/store/planning.hpp>
#include <banditore/store/staff.hpp>
#include <banditore/store/public_alerts.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace banditore::testing {

class fake_store final : public store::alerts,
                         public store::planning,
                         public store::outbox_rounds,
                         public store::api_keys,
                         public store::inbound,
                         public store::audience,
                         public store::staff_accounts,
                         public store::staff_admin,
                         public store::public_alerts {
 public:
  // --- what a test sets up ------------------------------------------------
  // A key; returns its token (any text: the fake does not check shapes).
  // towns: the only towns it may send to (empty: anywhere).
  std::string add_key(std::string name, std::vector<std::string> scopes, bool revoked = false,
                      std::vector<std::string> towns = {});
  // A subscriber the planner will fan alerts out to.
  std::int64_t add_subscriber();
  // A queued outbox row; returns its id.
  std::int64_t queue(store::outbox_item item, std::int64_t not_before = 0);

  // --- what a test reads ----------------------------------------------------
  struct row {
    store::outbox_item item;
    std::string state = "queued";
    std::int64_t not_before = 0;
    std::string provider_message_id;
    int error_code = 0;
  };
  std::map<std::int64_t, row> outbox;                 // by id
  std::map<std::int64_t, store::alert_record> alert_rows;  // by id
  std::set<std::int64_t> unpublished;                 // alerts created with publish = false
  std::vector<store::send_record> recorded;           // every outcome the sender recorded
  std::vector<std::size_t> lease_limits;              // asked in each round
  std::vector<store::delivery_policy> policies;       // the policy of each round
  // What preview() answers instead of counting every subscriber.
  std::optional<store::alert_preview_counts> preview_counts;
  std::vector<std::pair<std::string, std::string>> audit;  // (actor, action)
  std::vector<store::inbound_batch> batches;          // applied webhook batches
  int rounds = 0;
  int plan_calls = 0;
  // What apply() answers for each message; by default a subscription.
  std::function<store::inbound_result(const store::inbound_message_input&)> decide;
  // The towns, topics and areas; changed through the audience interface
  // by the rules of domain/audience_rules.hpp, as the engine does.
  domain::audience_catalogue catalogue_data;
  // Attachments by media id, as an alert's media_id names them: the public
  // pages read them (the fake does not implement store::media).
  std::map<std::int64_t, store::public_attachment_file> media_files;
  // Thrown by the next round() when not empty (a database failure).
  std::string fail_next_round;

  // --- the interfaces -------------------------------------------------------
  boost::asio::awaitable<store::created_alert> create(store::new_alert alert, store::actor who,
                                                      std::int64_t tier_limit, std::int64_t now_ms) override;
  boost::asio::awaitable<std::optional<store::alert_report>> report(std::int64_t id) override;
  boost::asio::awaitable<std::vector<store::alert_record>> list(std::int64_t before_id, std::size_t limit) override;
  // Towns are matched by name only: the fake does not look areas up.
  boost::asio::awaitable<std::vector<store::alert_record>> search(store::alert_query query) override;
  boost::asio::awaitable<std::optional<store::alert_report>> cancel(std::int64_t id, store::actor who,
                                                                    std::int64_t now_ms) override;
  boost::asio::awaitable<store::alert_stats> stats(std::int64_t tier_limit, std::int64_t now_ms) override;
  // Every subscriber, all outside their window: the fake keeps no choices.
  boost::asio::awaitable<store::alert_preview_counts> preview(domain::alert_audience audience, domain::severity level,
                                                              std::int64_t tier_limit, std::int64_t now_ms) override;
  std::vector<domain::alert_audience> previewed;  // what preview() was asked

  boost::asio::awaitable<std::optional<store::plan_step>> next_step(std::size_t batch, std::int64_t now_ms) override;

  boost::asio::awaitable<store::sender_round> round(std::vector<store::send_record> outcomes, std::size_t lease_limit,
                                                    std::int64_t lease_ms, store::delivery_policy policy,
                                                    std::int64_t now_ms) override;

  boost::asio::awaitable<std::optional<store::key_info>> authenticate(std::string token, std::int64_t now_ms) override;

  boost::asio::awaitable<store::batch_outcome> apply(store::inbound_batch batch, std::int64_t now_ms) override;

  boost::asio::awaitable<domain::audience_catalogue> catalogue() override;
  boost::asio::awaitable<domain::catalogue_verdict> add(domain::catalogue_entry entry, store::actor who,
                                                        std::int64_t now_ms) override;
  boost::asio::awaitable<domain::catalogue_verdict> update(domain::catalogue_entry entry, store::actor who,
                                                           std::int64_t now_ms) override;
  boost::asio::awaitable<domain::catalogue_verdict> remove(domain::catalogue_kind kind, std::string id,
                                                           store::actor who, std::int64_t now_ms) override;

  // Staff: the rules callers rely on (a TOTP step taken once, a recovery
  // code used once, sessions expiring idle and absolute, a password change
  // or a disable ending sessions), kept in memory; tokens are kept in
  // clear here, the engine keeps their SHA-256.
  boost::asio::awaitable<std::optional<store::staff_credentials>> find_for_login(std::string email) override;
  boost::asio::awaitable<void> login_succeeded(std::int64_t user_id, std::optional<std::string> rehashed,
                                                std::int64_t now_ms) override;
  boost::asio::awaitable<void> login_failed(std::optional<std::int64_t> user_id, store::login_failure why,
                                            std::int64_t now_ms) override;
  boost::asio::awaitable<bool> accept_totp_step(std::int64_t user_id, std::int64_t step, std::int64_t now_ms) override;
  boost::asio::awaitable<bool> use_recovery_code(std::int64_t user_id, std::string code_hash,
                                                 std::int64_t now_ms) override;
  boost::asio::awaitable<store::created_session> create_session(std::int64_t user_id, store::session_limits limits,
                                                                std::int64_t now_ms) override;
  boost::asio::awaitable<std::optional<store::staff_session>> check_session(std::string token,
                                                                           store::session_limits limits,
                                                                           std::int64_t now_ms) override;
  boost::asio::awaitable<bool> end_session(std::string token, std::int64_t now_ms) override;
  boost::asio::awaitable<int> end_other_sessions(std::int64_t user_id, std::string keep_token,
                                                 std::int64_t now_ms) override;
  boost::asio::awaitable<int> change_password(std::int64_t user_id, std::string password_hash, std::string keep_token,
                                              std::int64_t now_ms) override;
  boost::asio::awaitable<void> enroll_own_totp(std::int64_t user_id, std::string secret,
                                               std::vector<std::string> recovery_code_hashes,
                                               std::int64_t accepted_step, std::int64_t now_ms) override;
  std::int64_t create_user(const store::new_staff_user& user, std::string_view actor, std::int64_t now_ms) override;
  std::vector<store::staff_user> list_users() override;
  std::optional<store::staff_user> find_user(std::string_view email) override;
  bool set_disabled(std::string_view email, bool disabled, std::string_view actor, std::int64_t now_ms) override;
  bool set_role(std::string_view email, std::string_view role, std::string_view actor, std::int64_t now_ms) override;
  bool reset_password(std::string_view email, std::string_view password_hash, std::string_view actor,
                      std::int64_t now_ms) override;
  bool enroll_totp(std::string_view email, std::string_view secret, const std::vector<std::string>& recovery_code_hashes,
                   std::string_view actor, std::int64_t now_ms) override;
  boost::asio::awaitable<std::vector<store::public_alert>> public_list(store::public_alert_query query) override;
  boost::asio::awaitable<std::optional<store::public_alert>> public_alert_by_id(std::int64_t id) override;
  boost::asio::awaitable<std::optional<store::public_attachment_file>> public_attachment_content(
      std::int64_t alert_id) override;
  boost::asio::awaitable<std::int64_t> public_version() override;

  // The synchronous parts, for tests that need no coroutine.
  std::optional<store::alert_report> report_now(std::int64_t id) const;

 private:
  struct idempotent {
    std::int64_t alert_id = 0;
    std::string request_hash;
  };
  struct planning_state {
    std::size_t next = 0;  // index into subscribers_
    bool first = true;
  };
  std::map<std::string, store::key_info> keys_;  // by token
  std::map<std::string, idempotent> idempotency_;
  std::map<std::int64_t, planning_state> planning_;
  std::vector<std::int64_t> subscribers_;
  std::int64_t next_alert_id_ = 1;
  std::int64_t next_outbox_id_ = 1;
  std::int64_t next_subscriber_id_ = 1;
  std::int64_t next_key_id_ = 1;

  struct staff_row {
    store::staff_credentials credentials;
    std::vector<std::string> recovery_hashes;
  };
  struct session_row {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::int64_t created_at = 0;
    std::int64_t last_seen_at = 0;
    std::int64_t expires_at = 0;
  };
  staff_row* staff_by_email(std::string_view email);
  staff_row* staff_by_id(std::int64_t id);
  std::string staff_actor(std::int64_t id);
  int end_sessions_of(std::int64_t user_id, const std::string& keep_token);
  std::map<std::int64_t, staff_row> staff_;          // by id
  std::map<std::string, session_row> sessions_;      // by token
  std::int64_t next_staff_id_ = 1;
  std::int64_t next_session_id_ = 1;
};

}  // namespace banditore::testing

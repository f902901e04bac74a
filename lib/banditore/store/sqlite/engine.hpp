// The SQLite engine behind every store interface: one database file, one
// thread that owns the writer connection (worker.hpp) and the statements
// prepared on it. The service and the command line hold it through the
// interfaces of store/; only this folder speaks SQL.
#pragma once

#include <banditore/config/settings.hpp>
#include <banditore/crypto/data_keys.hpp>
#include <banditore/store/alert_trail.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/store/api_keys.hpp>
#include <banditore/store/cap_alerts.hpp>
#include <banditore/store/drafts.hpp>
#include <banditore/store/inbound.hpp>
#include <banditore/store/key_rotation.hpp>
#include <banditore/store/media.hpp>
#include <banditore/store/models.hpp>
#include <banditore/store/operations.hpp>
#include <banditore/store/outbox.hpp>
#include <banditore/store/planning.hpp>
#include <banditore/store/staff.hpp>
#include <banditore/store/public_alerts.hpp>
#include <banditore/store/setting_overrides.hpp>
#include <banditore/store/subscriber_admin.hpp>
#include <banditore/store/subscriber_figures.hpp>
#include <banditore/store/sqlite/open.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

using key_loader = std::function<crypto::data_keys()>;

struct engine_options {
  conversation_settings conversation;  // how citizens' messages are answered
  bool template_fallback = false;      // 131047 reported late re-sends as the template
  key_loader reload;                   // re-reads the keys after `banditore rotate-keys`
  bool recover_leases = false;         // the service, at start-up: requeue what a crash left leased
  // Several business numbers (config/numbers.hpp): their ids, the first
  // carrying towns listed nowhere, and which town's deliveries leave from
  // which (JSON object, town id -> number id). Empty: one number, and rows
  // carry none.
  std::vector<std::string> number_ids;
  std::string number_routes_json;
  // The inbound journal (store/sqlite/inbound_journal.hpp). A webhook's
  // messages are applied at once while the journal is empty and at most
  // direct_group_limit webhooks carrying messages wait for their answer
  // (one citizen at a time: the reply leaves at once; statuses do not
  // count); otherwise they are journaled. Past
  // journal_limit rows waiting, each journaling webhook first applies as
  // many of the oldest rows as it adds, so the journal stops growing and
  // answers slow down to the pace of applying. The journal is applied in
  // transactions of up to journal_step rows, between webhooks, once
  // citizens' messages have paused for journal_quiet or its oldest row
  // has waited journal_max_wait: a burst is answered at the pace of
  // journaling and applied after it.
  std::size_t direct_group_limit = 4;
  std::int64_t journal_limit = 200000;
  std::size_t journal_step = 32;
  std::chrono::milliseconds journal_quiet{5};
  std::chrono::milliseconds journal_max_wait{10000};
};

// Messages applied from the journal, one webhook's.
struct journal_applied {
  std::string request_id;
  std::vector<inbound_result> results;  // empty when no key opened the row
  bool unreadable = false;
};

class engine final : public store::inbound,
                     public store::alerts,
                     public store::alert_trail,
                     public store::subscriber_figures,
                     public store::planning,
                     public store::outbox_rounds,
                     public store::api_keys,
                     public store::cap_alerts,
                     public store::operations,
                     public store::alert_admin,
                     public store::api_key_admin,
                     public store::subscriber_admin,
                     public store::unknown_text_report,
                     public store::key_rotation,
                     public store::audience,
                     public store::audience_admin,
                     public store::drafts,
                     public store::models,
                     public store::media,
                     public store::staff_accounts,
                     public store::staff_admin,
                     public store::staff_directory,
                     public store::api_key_directory,
                     public store::public_alerts,
                     public store::alert_schedule,
                     public store::setting_overrides {
 public:
  engine(std::unique_ptr<SQLite::Database> db, crypto::data_keys keys, engine_options options);
  ~engine() override;  // finishes queued work, then closes the database
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // Rows a previous process leased and never settled, put back in the
  // queue at start-up (recover_leases): the only messages sent twice.
  int recovered_leases() const;
  // Called on the database thread after each group commit of webhook
  // batches with the number of batches it held. Set before serving.
  void on_group_commit(std::function<void(std::size_t batches)> observer);
  // Called after each commit applying journal rows (on the database
  // thread, or a webhook's when a full journal made it apply some), with
  // what they held: logs, metrics, waking the senders for the replies.
  // Calls do not overlap; the rows of one webhook may be told before
  // older rows applied by the database thread at the same moment. Setting
  // it starts applying the rows a previous process left (the service's
  // start-up); until then they wait for the next journaled webhook.
  void on_inbound_applied(std::function<void(std::vector<journal_applied>)> observer);

  // inbound
  boost::asio::awaitable<batch_outcome> apply(inbound_batch batch, std::int64_t now_ms) override;
  // alerts
  boost::asio::awaitable<created_alert> create(new_alert alert, actor who, std::int64_t tier_limit,
                                               std::int64_t now_ms) override;
  boost::asio::awaitable<std::optional<alert_report>> report(std::int64_t id) override;
  boost::asio::awaitable<std::vector<alert_record>> list(std::int64_t before_id, std::size_t limit) override;
  boost::asio::awaitable<std::vector<alert_record>> search(alert_query query) override;
  boost::asio::awaitable<std::vector<audit_entry>> alert_audit(std::int64_t alert_id) override;
  boost::asio::awaitable<std::vector<delivery_period>> delivery_timeline(std::int64_t alert_id,
                                                                       std::int64_t period_ms) override;
  boost::asio::awaitable<std::vector<day_change>> subscriber_changes(std::int64_t since_ms,
                                                                   std::int64_t offset_ms) override;
  boost::asio::awaitable<audience_figures> subscribers_by_audience() override;
  boost::asio::awaitable<std::optional<alert_report>> cancel(std::int64_t id, actor who, std::int64_t now_ms) override;
  boost::asio::awaitable<alert_stats> stats(std::int64_t tier_limit, std::int64_t now_ms) override;
  boost::asio::awaitable<alert_preview_counts> preview(domain::alert_audience audience, domain::severity level,
                                                       std::int64_t tier_limit, std::int64_t now_ms) override;
  // planning
  boost::asio::awaitable<std::optional<plan_step>> next_step(std::size_t batch, std::int64_t now_ms) override;
  // alert_schedule
  boost::asio::awaitable<schedule_round> release_due(std::int64_t now_ms) override;
  // outbox_rounds
  boost::asio::awaitable<sender_round> round(std::vector<send_record> outcomes, std::size_t lease_limit,
                                             std::int64_t lease_ms, delivery_policy policy,
                                             std::int64_t now_ms) override;
  // api_keys
  boost::asio::awaitable<std::optional<key_info>> authenticate(std::string token, std::int64_t now_ms) override;
  // cap_alerts
  boost::asio::awaitable<cap_applied> apply(cap_document document, std::int64_t now_ms) override;
  boost::asio::awaitable<feed_state> feed(std::string url) override;
  boost::asio::awaitable<void> feed_polled(std::string url, std::string etag, std::string last_modified,
                                           std::int64_t now_ms, std::optional<std::int64_t> forget_before) override;
  boost::asio::awaitable<int> feed_failed(std::string url, std::int64_t now_ms) override;
  boost::asio::awaitable<std::vector<std::string>> unseen(std::vector<std::string> links) override;
  boost::asio::awaitable<void> mark_seen(std::string document_url, std::int64_t now_ms) override;
  // operations
  boost::asio::awaitable<void> probe_writable() override;
  boost::asio::awaitable<store_figures> figures(std::int64_t now_ms) override;
  boost::asio::awaitable<retention_result> purge(std::int64_t older_than_ms, std::int64_t now_ms) override;
  // alert_admin
  std::int64_t create_alert(const new_alert& alert, const actor& who, std::int64_t now_ms) override;
  std::vector<alert_record> list_alerts(std::int64_t before_id, std::size_t limit) override;
  std::optional<alert_report> alert_report_of(std::int64_t id) override;
  cli_cancel cancel_alert(std::int64_t id, const actor& who, std::int64_t now_ms) override;
  // api_key_admin
  created_key create_key(std::string_view name, const std::vector<std::string>& scopes,
                         const std::vector<std::string>& towns, std::int64_t now_ms) override;
  std::vector<key_info> list_keys() override;
  revoke_result revoke_key(std::string_view id_or_name, std::int64_t now_ms) override;
  // subscriber_admin
  subscriber_record lookup(std::string_view phone_hash) override;
  forget_result forget(std::string_view phone_hash, std::int64_t now_ms) override;
  subscriber_counts count() override;
  import_result import(std::string_view csv_text, const import_options& options, std::int64_t now_ms) override;
  // unknown_text_report
  std::vector<unknown_text> unknown_texts(std::int64_t since_ms, std::size_t limit) override;
  // key_rotation
  crypto::data_keys name_new_key(const std::string& key_file, bool& resumed) override;
  void name_keys(const crypto::data_keys& keys) override;
  reseal_counts reseal_pass(const crypto::data_keys& keys, std::size_t batch_size) override;
  void drop_retired(const std::string& key_file, const crypto::data_keys& keys) override;
  // audience
  boost::asio::awaitable<domain::audience_catalogue> catalogue() override;
  boost::asio::awaitable<domain::catalogue_verdict> add(domain::catalogue_entry entry, actor who,
                                                        std::int64_t now_ms) override;
  boost::asio::awaitable<domain::catalogue_verdict> update(domain::catalogue_entry entry, actor who,
                                                           std::int64_t now_ms) override;
  boost::asio::awaitable<domain::catalogue_verdict> remove(domain::catalogue_kind kind, std::string id, actor who,
                                                           std::int64_t now_ms) override;
  // drafts
  boost::asio::awaitable<news_applied> apply_news(std::string feed_url, std::string town_id,
                                                  std::vector<news_item_input> items, std::int64_t now_ms) override;
  boost::asio::awaitable<feed_state> news_feed(std::string url) override;
  boost::asio::awaitable<void> news_feed_polled(std::string url, std::string etag, std::string last_modified,
                                                std::int64_t now_ms) override;
  boost::asio::awaitable<int> news_feed_failed(std::string url, std::int64_t now_ms) override;
  boost::asio::awaitable<std::vector<draft_record>> list_drafts(std::string state, std::int64_t before_id,
                                                               std::size_t limit) override;
  boost::asio::awaitable<std::optional<draft_record>> draft(std::int64_t id) override;
  boost::asio::awaitable<draft_change> discard_draft(std::int64_t id, actor who, std::int64_t now_ms,
                                                     std::optional<std::int64_t> revision) override;
  boost::asio::awaitable<draft_change> create_draft(draft_content content, std::string source, actor who, bool submit,
                                                    std::int64_t now_ms) override;
  boost::asio::awaitable<draft_change> update_draft(std::int64_t id, draft_content content, actor who,
                                                    std::int64_t now_ms, std::optional<std::int64_t> revision) override;
  boost::asio::awaitable<draft_change> submit_draft(std::int64_t id, actor who, std::int64_t now_ms,
                                                    std::optional<std::int64_t> revision) override;
  boost::asio::awaitable<draft_change> reject_draft(std::int64_t id, std::string reason, actor who,
                                                    std::int64_t now_ms, std::optional<std::int64_t> revision) override;
  // models
  boost::asio::awaitable<std::vector<model_record>> list_models() override;
  boost::asio::awaitable<std::optional<model_record>> model(std::int64_t id) override;
  boost::asio::awaitable<model_change> create_model(domain::model_fields fields, actor who,
                                                    std::int64_t now_ms) override;
  boost::asio::awaitable<model_change> update_model(std::int64_t id, domain::model_fields fields, actor who,
                                                    std::int64_t now_ms) override;
  boost::asio::awaitable<bool> delete_model(std::int64_t id, actor who, std::int64_t now_ms) override;
  boost::asio::awaitable<model_fill> fill_model(std::int64_t id, std::vector<std::string> values, actor who,
                                                std::int64_t now_ms) override;
  // media
  boost::asio::awaitable<stored_media> store_media(new_media upload, actor who, std::int64_t now_ms) override;
  boost::asio::awaitable<std::optional<media_record>> media_info(std::int64_t id) override;
  boost::asio::awaitable<media_users> users_of_media(std::int64_t id) override;
  boost::asio::awaitable<std::optional<std::string>> media_content(std::int64_t id) override;
  // audience_admin
  domain::audience_catalogue list_catalogue() override;
  domain::catalogue_verdict add_entry(const domain::catalogue_entry& entry, const actor& who,
                                      std::int64_t now_ms) override;
  domain::catalogue_verdict update_entry(const domain::catalogue_entry& entry, const actor& who,
                                         std::int64_t now_ms) override;
  domain::catalogue_verdict remove_entry(domain::catalogue_kind kind, std::string_view id, const actor& who,
                                         std::int64_t now_ms) override;
  // staff_accounts
  boost::asio::awaitable<std::optional<staff_credentials>> find_for_login(std::string email) override;
  boost::asio::awaitable<void> login_succeeded(std::int64_t user_id, std::optional<std::string> rehashed,
                                                std::int64_t now_ms) override;
  boost::asio::awaitable<void> login_failed(std::optional<std::int64_t> user_id, login_failure why,
                                            std::int64_t now_ms) override;
  boost::asio::awaitable<bool> accept_totp_step(std::int64_t user_id, std::int64_t step,
                                                std::int64_t now_ms) override;
  boost::asio::awaitable<bool> use_recovery_code(std::int64_t user_id, std::string code_hash,
                                                 std::int64_t now_ms) override;
  boost::asio::awaitable<created_session> create_session(std::int64_t user_id, session_limits limits,
                                                         std::int64_t now_ms) override;
  boost::asio::awaitable<std::optional<staff_session>> check_session(std::string token, session_limits limits,
                                                                    std::int64_t now_ms) override;
  boost::asio::awaitable<bool> end_session(std::string token, std::int64_t now_ms) override;
  boost::asio::awaitable<int> end_other_sessions(std::int64_t user_id, std::string keep_token,
                                                 std::int64_t now_ms) override;
  boost::asio::awaitable<int> change_password(std::int64_t user_id, std::string password_hash, std::string keep_token,
                                              std::int64_t now_ms) override;
  boost::asio::awaitable<void> enroll_own_totp(std::int64_t user_id, std::string secret,
                                               std::vector<std::string> recovery_code_hashes,
                                               std::int64_t accepted_step, std::int64_t now_ms) override;
  // staff_admin
  std::int64_t create_user(const new_staff_user& user, std::string_view actor, std::int64_t now_ms) override;
  std::vector<staff_user> list_users() override;
  std::optional<staff_user> find_user(std::string_view email) override;
  bool set_disabled(std::string_view email, bool disabled, std::string_view actor, std::int64_t now_ms) override;
  bool set_role(std::string_view email, std::string_view role, std::string_view actor, std::int64_t now_ms) override;
  bool reset_password(std::string_view email, std::string_view password_hash, std::string_view actor,
                      std::int64_t now_ms) override;
  bool enroll_totp(std::string_view email, std::string_view secret, const std::vector<std::string>& recovery_code_hashes,
                   std::string_view actor, std::int64_t now_ms) override;
  // staff_directory
  boost::asio::awaitable<std::vector<staff_user>> staff_users() override;
  boost::asio::awaitable<staff_change> add_staff_user(new_staff_user user, std::string actor,
                                                      std::int64_t now_ms) override;
  boost::asio::awaitable<staff_change> set_staff_access(std::int64_t id, std::string role,
                                                        std::vector<std::string> towns, std::string actor,
                                                        std::int64_t now_ms) override;
  boost::asio::awaitable<staff_change> set_staff_disabled(std::int64_t id, bool disabled, std::string actor,
                                                          std::int64_t now_ms) override;
  boost::asio::awaitable<staff_change> reset_staff_password(std::int64_t id, std::string password_hash,
                                                            std::string actor, std::int64_t now_ms) override;
  // api_key_directory
  boost::asio::awaitable<std::vector<key_info>> api_key_list() override;
  boost::asio::awaitable<key_creation> add_api_key(std::string name, std::vector<std::string> scopes,
                                                   std::vector<std::string> towns, std::string actor,
                                                   std::int64_t now_ms) override;
  boost::asio::awaitable<revoke_result> revoke_api_key(std::int64_t id, std::string actor,
                                                       std::int64_t now_ms) override;
  // public_alerts
  boost::asio::awaitable<std::vector<public_alert>> public_list(public_alert_query query) override;
  boost::asio::awaitable<std::optional<public_alert>> public_alert_by_id(std::int64_t id) override;
  boost::asio::awaitable<std::optional<public_attachment_file>> public_attachment_content(std::int64_t alert_id) override;
  boost::asio::awaitable<std::int64_t> public_version() override;
  // setting_overrides
  boost::asio::awaitable<std::vector<setting_override>> setting_override_list() override;
  boost::asio::awaitable<setting_change_result> change_setting(setting_change change) override;
  std::vector<setting_override> setting_overrides_now() override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// The database of the settings, migrated, with its data keys checked
// (open.hpp), behind the engine.
struct opened_engine {
  std::unique_ptr<engine> store;
  crypto::data_keys keys;  // for phone hashes on the command line
  int migrations_applied = 0;
  bool key_created = false;
};
// Throws std::runtime_error (config::config_error for the settings') with
// an operator-readable reason.
opened_engine open_engine(const config::settings& settings, engine_options options = {});

}  // namespace banditore::store::sqlite

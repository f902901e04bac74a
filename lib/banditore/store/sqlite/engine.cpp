#include <banditore/store/sqlite/engine.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/domain/revocation.hpp>
#include <banditore/domain/rfc3339.hpp>
#include <banditore/store/sqlite/alert_trail.hpp>
#include <banditore/store/sqlite/alerts.hpp>
#include <banditore/store/sqlite/api_keys.hpp>
#include <banditore/store/sqlite/audience.hpp>
#include <banditore/store/sqlite/audit.hpp>
#include <banditore/store/sqlite/cap_alerts.hpp>
#include <banditore/store/sqlite/drafts.hpp>
#include <banditore/store/sqlite/media.hpp>
#include <banditore/store/sqlite/models.hpp>
#include <banditore/store/sqlite/figures.hpp>
#include <banditore/store/sqlite/inbound.hpp>
#include <banditore/store/sqlite/inbound_journal.hpp>
#include <banditore/store/sqlite/key_rotation.hpp>
#include <banditore/store/sqlite/live_keys.hpp>
#include <banditore/store/sqlite/open.hpp>
#include <banditore/store/sqlite/outbox.hpp>
#include <banditore/store/sqlite/public_alerts.hpp>
#include <banditore/store/sqlite/retention.hpp>
#include <banditore/store/sqlite/staff.hpp>
#include <banditore/store/sqlite/subscriber_admin.hpp>
#include <banditore/store/sqlite/subscriber_figures.hpp>
#include <banditore/store/sqlite/setting_overrides.hpp>
#include <banditore/store/sqlite/worker.hpp>

#include <banditore/log/log.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>

namespace banditore::store::sqlite {

namespace asio = boost::asio;

struct engine::impl {
  impl(std::unique_ptr<SQLite::Database> db, engine_options o) : options(std::move(o)), worker(std::move(db)) {}

  // Applies the oldest journal rows, at most limit, inside the caller's
  // transaction, deleting each; what they held is appended to done.
  void apply_journal(std::size_t limit, std::vector<journal_applied>& done) {
    auto entries = journal->oldest(limit);
    if (entries.empty()) return;
    inbound->refresh_catalogue();
    for (auto& e : entries) {
      journal_applied a{std::move(e.request_id), {}, e.unreadable};
      if (e.unreadable)
        log::error("inbound.journal_unreadable", {{"seq", e.seq}, {"request_id", a.request_id}});
      for (const auto& m : e.messages) a.results.push_back(inbound->handle(m, options.conversation, e.received_at_ms));
      journal->remove(e.seq);
      done.push_back(std::move(a));
    }
  }

  // A failure of the database rather than of a row: a lock held too long
  // by another process, a full disk. Nothing is set aside for it.
  static bool passing(const std::exception& e) {
    const auto* db_error = dynamic_cast<const SQLite::Exception*>(&e);
    if (!db_error) return false;
    switch (db_error->getErrorCode() & 0xff) {
      case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_FULL: case SQLITE_IOERR: case SQLITE_NOMEM:
      case SQLITE_READONLY: case SQLITE_CANTOPEN: case SQLITE_PROTOCOL: return true;
      default: return false;
    }
  }
  bool retry_later() {
    worker.wake_idle_after(std::chrono::seconds(1));
    return false;
  }

  // One step of the idle work: a transaction applying the oldest rows.
  // A step that fails is undone and tried again one row at a time; a row
  // that fails alone is set aside (logged, deleted) rather than holding
  // every later citizen back. A failure of the database is tried again a
  // second later.
  bool journal_step(SQLite::Database& db) {
    // Not while citizens' messages keep coming: answering them comes
    // first, until they pause or the oldest row has waited too long.
    using namespace std::chrono;
    const steady_clock::time_point last(steady_clock::duration(last_message.load()));  // read before the clock
    const auto since_last = steady_clock::now() - last;
    if (options.journal_quiet.count() > 0 && since_last < options.journal_quiet) {
      const auto oldest = journal->oldest_received_at();
      if (!oldest) return false;
      const auto waited = milliseconds(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() - *oldest);
      if (waited < options.journal_max_wait) {
        worker.wake_idle_after(std::min<steady_clock::duration>(options.journal_quiet - since_last,
                                                                options.journal_max_wait - waited));
        return false;
      }
    }
    std::vector<journal_applied> done;
    bool one_row = false;  // the step fell back to a row alone: more may follow
    try {
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      apply_journal(options.journal_step, done);
      tx.commit();
    } catch (const std::exception& e) {
      done.clear();
      reset_statements(db);
      log::warn("inbound.journal_step_failed", {{"error", e.what()}});
      if (passing(e)) return retry_later();
      try {
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        apply_journal(1, done);
        tx.commit();
        one_row = true;
      } catch (const std::exception& alone) {
        done.clear();
        reset_statements(db);
        if (passing(alone)) return retry_later();
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        auto first = journal->oldest(1);
        if (!first.empty()) {
          log::error("inbound.journal_row_dropped",
                     {{"seq", first.front().seq}, {"request_id", first.front().request_id}, {"error", alone.what()}});
          journal->remove(first.front().seq);
        }
        tx.commit();
        return true;
      }
    }
    // Fewer rows than a step takes: the journal is empty now (a webhook
    // journaling more wakes the work again).
    const bool more = one_row || done.size() >= options.journal_step;
    if (!done.empty()) report(std::move(done));
    return more;
  }

  engine_options options;
  int recovered = 0;
  db_worker worker;
  // Prepared on the database thread and used only there.
  std::unique_ptr<live_keys> keys;
  std::unique_ptr<outbox> out;
  std::unique_ptr<inbound_store> inbound;
  std::unique_ptr<inbound_journal> journal;
  // Told from the database thread and from webhooks that made room in a
  // full journal: one at a time.
  std::mutex observer_mutex;
  std::atomic<std::size_t> messages_waiting{0};  // webhooks with messages in apply()
  // When the last webhook with messages came (steady clock ticks).
  std::atomic<std::chrono::steady_clock::rep> last_message{0};
  std::function<void(std::vector<journal_applied>)> journal_observer;
  void report(std::vector<journal_applied> done) {
    std::lock_guard lock(observer_mutex);
    if (journal_observer) journal_observer(std::move(done));
  }
  std::unique_ptr<api_key_store> api_keys;
  std::unique_ptr<alert_store> alerts;
  std::unique_ptr<cap_store> cap;
  std::unique_ptr<staff_store> staff;
};

namespace {

// Whether any delivery of the alert may have reached a phone.
bool reached_anyone(const alert_report& r) {
  return r.counts.sending + r.counts.sent + r.counts.delivered + r.counts.read > 0;
}

std::int64_t create_audited(alert_store& alerts, SQLite::Database& db, const new_alert& a, const actor& who,
                            std::string_view detail, std::int64_t now) {
  auto created = alerts.create(a, now);
  record_audit(db, who.name, "alert.create", created.id, who.api_key_id, detail, now);
  return created.id;
}

bool holds(const std::vector<crypto::key>& keys, const crypto::key& k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

}  // namespace

engine::engine(std::unique_ptr<SQLite::Database> db, crypto::data_keys keys, engine_options options)
    : impl_(std::make_unique<impl>(std::move(db), std::move(options))) {
  auto& s = *impl_;
  s.worker.run_sync([&s, &keys](SQLite::Database& conn) {
    s.keys = std::make_unique<live_keys>(conn, std::move(keys), s.options.reload);
    s.out = std::make_unique<outbox>(conn, *s.keys);
    s.out->set_template_fallback(s.options.template_fallback);
    s.inbound = std::make_unique<inbound_store>(conn, *s.keys, *s.out);
    s.journal = std::make_unique<inbound_journal>(conn, *s.keys);
    s.api_keys = std::make_unique<api_key_store>(conn);
    s.alerts = std::make_unique<alert_store>(conn);
    if (!s.options.number_ids.empty()) {
      s.alerts->set_number_routes(s.options.number_routes_json, s.options.number_ids.front());
      using namespace std::chrono;
      s.out->adopt_unrouted(s.options.number_ids,
                            duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
    }
    s.cap = std::make_unique<cap_store>(conn);
    s.staff = std::make_unique<staff_store>(conn, *s.keys);
    if (s.options.recover_leases) {
      using namespace std::chrono;
      s.recovered = s.out->recover_leases(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
    }
  });
  s.worker.set_idle_work([&s](SQLite::Database& db) { return s.journal_step(db); });
}

engine::~engine() {
  // The statements belong to the database thread: destroy them there,
  // before the connection closes.
  auto& s = *impl_;
  // Rows still journaled stay for the next start.
  s.worker.stop_idle();
  s.worker.run_sync([&s](SQLite::Database&) {
    s.staff.reset();
    s.cap.reset();
    s.alerts.reset();
    s.api_keys.reset();
    s.journal.reset();
    s.inbound.reset();
    s.out.reset();
    s.keys.reset();
  });
}

int engine::recovered_leases() const { return impl_->recovered; }

void engine::on_group_commit(std::function<void(std::size_t)> observer) {
  impl_->worker.on_group_commit(std::move(observer));
}

void engine::on_inbound_applied(std::function<void(std::vector<journal_applied>)> observer) {
  auto& s = *impl_;
  {
    std::lock_guard lock(s.observer_mutex);  // the database thread may be applying rows already
    s.journal_observer = std::move(observer);
  }
  // What a previous process journaled and did not apply, told as well.
  s.worker.wake_idle();
}

// --- inbound ---------------------------------------------------------------

asio::awaitable<batch_outcome> engine::apply(inbound_batch batch, std::int64_t now) {
  auto& s = *impl_;
  // Webhooks carrying messages that have not been answered yet, this one
  // included: more than a few at once is a burst.
  struct waiting {
    std::atomic<std::size_t>* count;
    explicit waiting(std::atomic<std::size_t>* c) : count(c) { if (count) count->fetch_add(1); }
    ~waiting() { if (count) count->fetch_sub(1); }
    waiting(const waiting&) = delete;
    waiting& operator=(const waiting&) = delete;
  } in_line(batch.messages.empty() ? nullptr : &s.messages_waiting);
  if (!batch.messages.empty()) s.last_message.store(std::chrono::steady_clock::now().time_since_epoch().count());
  auto work = [&s, batch = std::move(batch), now](SQLite::Database&) {
    // The transaction is the group's (db_worker::run_grouped), and this
    // may run twice in it: once more if another batch of the group throws.
    std::pair<batch_outcome, std::vector<journal_applied>> result;
    auto& [out, made_room] = result;
    if (!batch.messages.empty()) {
      // Messages go through the journal while it holds any (their order is
      // the order they came) or while many webhooks with messages wait.
      if (s.messages_waiting.load() <= s.options.direct_group_limit && s.journal->empty()) {
        // One look at the catalogue's version per batch: a change made by
        // the API or the command line is read before the next batch.
        s.inbound->refresh_catalogue();
        for (const auto& in : batch.messages) out.results.push_back(s.inbound->handle(in, s.options.conversation, now));
      } else {
        if (s.journal->depth() >= s.options.journal_limit) {
          // Full: this webhook applies as many rows as it adds.
          s.apply_journal(batch.messages.size(), made_room);
        }
        s.journal->append(batch.request_id, batch.messages, now);
        out.journaled = batch.messages.size();
        s.worker.wake_idle();
      }
    }
    for (const auto& st : batch.statuses) {
      switch (s.out->apply_status(st.provider_message_id, st.callback_data, st.status, st.at_ms, st.error_code,
                                  st.error_title, now)) {
        case status_outcome::applied: ++out.statuses_applied; break;
        case status_outcome::kept_early: ++out.statuses_early; break;
        case status_outcome::unknown: ++out.statuses_unknown; break;
      }
    }
    return result;
  };
  auto [out, made_room] = co_await s.worker.run_grouped(std::move(work));
  if (!made_room.empty()) s.report(std::move(made_room));
  co_return out;
}

// --- alerts ------------------------------------------------------------------

asio::awaitable<created_alert> engine::create(new_alert alert, actor who, std::int64_t tier, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, a = std::move(alert), who = std::move(who), tier, now](SQLite::Database& db) {
    created_alert out;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    // A draft becomes at most one alert: a second send of it, or a send of
    // a discarded one, creates nothing (an idempotent replay still answers).
    const auto decided_draft = a.draft_id && a.decision ? draft_record_of(db, *a.draft_id) : std::nullopt;
    // A retried request with its Idempotency-Key finds the draft sent by
    // its first try: alerts::create below replays that alert, or, for
    // another request, creates one that mark_draft_decided then undoes.
    const bool replaying = decided_draft && !a.idempotency_key.empty() && decided_draft->state == draft_sent;
    if (a.draft_id && a.decision && !replaying) {
      // A person's draft sent by a decision: checked here, in the
      // transaction that creates the alert, so two approvers racing or an
      // edit in between cannot send twice or send what was not approved.
      const auto& d = decided_draft;
      if (!d) {
        out.result = {create_outcome::draft_unavailable, *a.draft_id};
        return out;
      }
      const auto verdict = domain::may_send(a.decision->how, d->state, d->author, d->editor, who.name);
      if (verdict != domain::draft_verdict::allowed) {
        out.result = {verdict == domain::draft_verdict::own_draft ? create_outcome::own_draft
                                                                  : create_outcome::draft_unavailable,
                      *a.draft_id};
        return out;
      }
      if (d->revision != a.decision->revision) {
        out.result = {create_outcome::draft_changed, *a.draft_id};
        return out;
      }
    } else if (a.draft_id && a.idempotency_key.empty() && !draft_is_open(db, *a.draft_id)) {
      out.result = {create_outcome::draft_unavailable, *a.draft_id};
      return out;
    }
    if (a.updates && !s.alerts->get(*a.updates)) {
      out.result = {create_outcome::update_unknown, *a.updates};
      return out;
    }
    if (a.media_id && !media_record_of(db, *a.media_id)) {
      out.result = {create_outcome::media_unknown, *a.media_id};
      return out;
    }
    out.result = s.alerts->create(a, now);
    if (out.result.outcome == create_outcome::created && a.draft_id &&
        !(a.decision ? mark_draft_decided(db, *a.draft_id, out.result.id, a.decision->revision, a.decision->how, who,
                                          now)
                     : mark_draft_sent(db, *a.draft_id, out.result.id, now))) {
      out.result = {create_outcome::draft_unavailable, *a.draft_id};
      return out;  // not committed: the alert is undone
    }
    if (out.result.outcome == create_outcome::created) {
      record_audit(db, who.name, "alert.create", out.result.id, who.api_key_id, a.draft.title, now);
      if (a.send_at && *a.send_at > now)
        record_audit(db, who.name, "alert.schedule", out.result.id, who.api_key_id,
                     "send_at=" + domain::format_rfc3339_utc(*a.send_at), now);
      // The decision in its own words: "draft.bypass" is a send past the
      // approval rule by the emergency capability, and reads as such.
      // A bypass without a draft (POST /v1/alerts past the rule) is
      // recorded too, naming no draft.
      if (a.draft_id && a.decision) link_cap_alert(db, *a.draft_id, out.result.id);
      if (a.decision)
        record_audit(db, who.name, fmt::format("draft.{}", domain::to_string(a.decision->how)), out.result.id,
                     who.api_key_id,
                     a.draft_id ? fmt::format("draft={} revision={}", *a.draft_id, a.decision->revision)
                                : std::string("no draft"),
                     now);
    }
    if (out.result.outcome == create_outcome::created && a.updates) {
      // Nobody should receive the old version after the new one.
      s.alerts->stop(*a.updates, now);
      record_audit(db, who.name, "alert.update", *a.updates, who.api_key_id,
                   "replaced by alert " + std::to_string(out.result.id), now);
    }
    if (out.result.outcome == create_outcome::created || out.result.outcome == create_outcome::replayed)
      out.report = s.alerts->report(out.result.id);
    if (tier > 0 && out.report) {
      alert_preview_counts counts;
      counts.audience = s.alerts->count_audience(a.audience, a.draft.level, now);
      counts.usage = s.out->limit_usage(tier, now);
      if (!counts.audience.numbers.empty()) counts.portfolios = s.out->portfolio_usages(now);
      out.limit_counts = std::move(counts);
    }
    tx.commit();
    return out;
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<std::optional<alert_report>> engine::report(std::int64_t id) {
  auto& s = *impl_;
  auto work = [&s, id](SQLite::Database&) { return s.alerts->report(id); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<std::vector<alert_record>> engine::list(std::int64_t before_id, std::size_t limit) {
  auto& s = *impl_;
  auto work = [&s, before_id, limit](SQLite::Database&) { return s.alerts->list(before_id, limit); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<std::vector<alert_record>> engine::search(alert_query query) {
  auto& s = *impl_;
  auto work = [&s, q = std::move(query)](SQLite::Database&) { return s.alerts->search(q); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<std::vector<audit_entry>> engine::alert_audit(std::int64_t alert_id) {
  auto& s = *impl_;
  auto work = [alert_id](SQLite::Database& db) { return sqlite::alert_audit(db, alert_id); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<std::vector<delivery_period>> engine::delivery_timeline(std::int64_t alert_id, std::int64_t period_ms) {
  auto& s = *impl_;
  auto work = [alert_id, period_ms](SQLite::Database& db) { return sqlite::delivery_timeline(db, alert_id, period_ms); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<std::vector<day_change>> engine::subscriber_changes(std::int64_t since_ms, std::int64_t offset_ms) {
  auto& s = *impl_;
  auto work = [since_ms, offset_ms](SQLite::Database& db) { return sqlite::subscriber_changes(db, since_ms, offset_ms); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<audience_figures> engine::subscribers_by_audience() {
  auto& s = *impl_;
  auto work = [](SQLite::Database& db) { return sqlite::subscribers_by_audience(db); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<std::optional<alert_report>> engine::cancel(std::int64_t id, actor who, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, id, who = std::move(who), now](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    std::optional<alert_report> report;
    if (s.alerts->cancel(id, now)) {
      record_audit(db, who.name, "alert.cancel", id, who.api_key_id, "", now);
      report = s.alerts->report(id);
    }
    tx.commit();
    return report;
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<alert_stats> engine::stats(std::int64_t tier, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, tier, now](SQLite::Database&) {
    alert_stats out;
    out.subscribers = s.alerts->subscriber_count();
    out.flagged = s.alerts->flagged_count();
    out.deliveries = s.alerts->all_delivery_counts();
    out.usage = s.out->limit_usage(tier, now);
    out.portfolios = s.out->portfolio_usages(now);
    return out;
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<alert_preview_counts> engine::preview(domain::alert_audience audience, domain::severity level,
                                                      std::int64_t tier, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, audience = std::move(audience), level, tier, now](SQLite::Database& db) {
    // One read transaction: the count and the limit's use from one moment.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::DEFERRED);
    alert_preview_counts out;
    out.audience = s.alerts->count_audience(audience, level, now);
    out.usage = s.out->limit_usage(tier, now);
    if (!out.audience.numbers.empty()) out.portfolios = s.out->portfolio_usages(now);
    tx.commit();
    return out;
  };
  co_return co_await s.worker.run(std::move(work));
}

// --- planning ------------------------------------------------------------------

asio::awaitable<std::optional<plan_step>> engine::next_step(std::size_t batch, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, batch, now](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto step = s.alerts->plan_next(batch, now);
    if (!step) s.alerts->finish_settled(now);
    tx.commit();
    return step;
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<schedule_round> engine::release_due(std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, now](SQLite::Database& db) {
    // The move and its audit row commit together: released once.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    schedule_round out;
    out.released = s.alerts->release_due(now);
    for (const auto& r : out.released)
      record_audit(db, "scheduler", r.expired ? "alert.expire" : "alert.send", r.alert_id, std::nullopt,
                   r.expired ? "expired before its scheduled time" : "scheduled time reached", now);
    out.next_due = s.alerts->next_scheduled();
    tx.commit();
    return out;
  };
  co_return co_await s.worker.run(std::move(work));
}

// --- outbox ----------------------------------------------------------------------

asio::awaitable<sender_round> engine::round(std::vector<send_record> outcomes, std::size_t lease_limit,
                                            std::int64_t lease_ms, delivery_policy policy, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, outcomes = std::move(outcomes), lease_limit, lease_ms, policy, now](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    s.out->record(outcomes, now);
    sender_round r;
    if (lease_limit > 0) r.items = s.out->lease(lease_limit, now, lease_ms, policy);
    // Asked only when there was room and nothing was due: with every
    // slot busy the next completion wakes the sender anyway.
    if (lease_limit > 0 && r.items.empty()) r.next_due = s.out->next_due();
    tx.commit();
    return r;
  };
  co_return co_await s.worker.run(std::move(work));
}

// --- api keys ----------------------------------------------------------------------

asio::awaitable<std::optional<key_info>> engine::authenticate(std::string token, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, token = std::move(token), now](SQLite::Database&) { return s.api_keys->authenticate(token, now); };
  co_return co_await s.worker.run(std::move(work));
}

// --- CAP -----------------------------------------------------------------------------

asio::awaitable<cap_applied> engine::apply(cap_document doc, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, doc = std::move(doc), now](SQLite::Database& db) {
    cap_applied out;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const auto new_alert_of = [&](const domain::alert_draft& draft) {
      new_alert a;
      a.draft = draft;
      a.audience = doc.audience;
      a.source = "cap";
      a.api_key_id = doc.who.api_key_id;
      a.not_before = now;
      return a;
    };
    const auto cancel_all = [&](const std::vector<std::int64_t>& ids) {
      for (auto id : ids) {
        s.alerts->cancel(id, now);
        record_audit(db, doc.who.name, "alert.cancel", id, doc.who.api_key_id, doc.audit_detail, now);
      }
    };
    if (auto earlier = s.cap->find(doc.key)) {
      out.verdict = cap_verdict_duplicate;
      out.reason = fmt::format("already received; it was {}", earlier->verdict);
      out.alert_id = earlier->alert_id;
    } else {
      out.verdict = doc.verdict;
      out.reason = doc.reason;
      if (doc.broadcast && doc.msg_type == "Cancel") {
        auto referenced = s.cap->alert_ids_of(doc.references);
        if (referenced.empty()) {
          out.verdict = cap_verdict_unknown_reference;
          out.reason = "none of the referenced alerts was broadcast here";
        } else {
          // Read before cancelling: what went out decides whether a
          // revocation is owed, and at which severity.
          std::vector<domain::cancelled_broadcast> originals;
          for (auto id : referenced)
            if (auto report = s.alerts->report(id)) originals.push_back({report->alert.severity, reached_anyone(*report)});
          const auto revocation = domain::revocation_for(originals);
          cancel_all(referenced);
          out.cancelled_alert_ids = referenced;
          if (!revocation.owed) {
            out.verdict = cap_verdict_cancelled;
            out.reason = "the referenced alerts were stopped before reaching anyone: no revocation is sent";
          } else {
            auto draft = doc.draft;
            if (revocation.level) draft.level = *revocation.level;
            out.alert_id = create_audited(*s.alerts, db, new_alert_of(draft), doc.who, doc.audit_detail, now);
            out.created = true;
          }
        }
      } else if (doc.broadcast && doc.hold) {
        draft_content content;
        content.alert = doc.draft;
        content.audience = doc.audience;
        const auto id = insert_person_draft(db, content, "cap", doc.who, true, now);
        record_audit(db, doc.who.name, "draft.create", std::nullopt, doc.who.api_key_id,
                     fmt::format("draft={} source=cap submitted {}", id, doc.audit_detail), now);
        out.verdict = cap_verdict_held;
        out.reason = fmt::format("held for a publisher's decision as draft {} (BANDITORE_CAP_DECISION=hold)", id);
        out.draft_id = id;
      } else if (doc.broadcast) {
        auto replacement = new_alert_of(doc.draft);
        if (doc.msg_type == "Update") {
          // What is still queued of the earlier alerts stops; a finished
          // one stays as it was, linked to its update (the newest named).
          out.cancelled_alert_ids = s.cap->alert_ids_of(doc.references);
          for (auto id : out.cancelled_alert_ids) {
            s.alerts->stop(id, now);
            record_audit(db, doc.who.name, "alert.cancel", id, doc.who.api_key_id, doc.audit_detail, now);
          }
          if (!out.cancelled_alert_ids.empty())
            replacement.updates = *std::max_element(out.cancelled_alert_ids.begin(), out.cancelled_alert_ids.end());
        }
        out.alert_id = create_audited(*s.alerts, db, replacement, doc.who, doc.audit_detail, now);
        out.created = true;
      }
      cap_document_row row;
      row.key = doc.key;
      row.status = doc.status;
      row.msg_type = doc.msg_type;
      row.verdict = out.verdict;
      row.reason = out.reason;
      if (out.created) row.alert_id = out.alert_id;
      const auto recorded = s.cap->record(row, now);
      if (recorded && out.draft_id) link_cap_draft(db, *recorded, *out.draft_id);
    }
    if (!doc.document_url.empty()) s.cap->mark_seen(doc.document_url, now);
    tx.commit();
    return out;
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<feed_state> engine::feed(std::string url) {
  auto& s = *impl_;
  auto work = [&s, url = std::move(url)](SQLite::Database&) { return s.cap->feed(url); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<void> engine::feed_polled(std::string url, std::string etag, std::string last_modified,
                                          std::int64_t now, std::optional<std::int64_t> forget_before) {
  auto& s = *impl_;
  auto work = [&s, url = std::move(url), etag = std::move(etag), last_modified = std::move(last_modified), now,
               forget_before](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    s.cap->feed_polled(url, etag, last_modified, now);
    if (forget_before) s.cap->forget_seen_before(*forget_before);
    tx.commit();
  };
  co_await s.worker.run(std::move(work));
}

asio::awaitable<int> engine::feed_failed(std::string url, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, url = std::move(url), now](SQLite::Database&) { return s.cap->feed_failed(url, now); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<std::vector<std::string>> engine::unseen(std::vector<std::string> links) {
  auto& s = *impl_;
  auto work = [&s, links = std::move(links)](SQLite::Database&) {
    std::vector<std::string> out;
    for (const auto& link : links)
      if (!s.cap->seen(link)) out.push_back(link);
    return out;
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<void> engine::mark_seen(std::string document_url, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, url = std::move(document_url), now](SQLite::Database&) { s.cap->mark_seen(url, now); };
  co_await s.worker.run(std::move(work));
}

// --- operations --------------------------------------------------------------------

asio::awaitable<void> engine::probe_writable() {
  auto probe = [](SQLite::Database& conn) {
    // Taking the write lock proves the database is writable now.
    conn.exec("BEGIN IMMEDIATE");
    conn.exec("ROLLBACK");
  };
  co_await impl_->worker.run(std::move(probe));
}

asio::awaitable<store_figures> engine::figures(std::int64_t now) {
  auto read = [now](SQLite::Database& conn) { return read_store_figures(conn, now); };
  co_return co_await impl_->worker.run(std::move(read));
}

asio::awaitable<retention_result> engine::purge(std::int64_t older_than_ms, std::int64_t now) {
  auto work = [older_than_ms, now](SQLite::Database& conn) { return purge_old(conn, older_than_ms, now); };
  co_return co_await impl_->worker.run(std::move(work));
}

// --- the command line ------------------------------------------------------------------

// The command line's calls prepare their statements afresh, as each
// command did: every read sees what the service committed since.
std::int64_t engine::create_alert(const new_alert& alert, const actor& who, std::int64_t now) {
  return impl_->worker.run_sync([&](SQLite::Database& db) {
    SQLite::Transaction tx(db);
    alert_store alerts(db);
    auto id = create_audited(alerts, db, alert, who, alert.draft.title, now);
    tx.commit();
    return id;
  });
}

std::vector<alert_record> engine::list_alerts(std::int64_t before_id, std::size_t limit) {
  return impl_->worker.run_sync([&](SQLite::Database& db) { return alert_store(db).list(before_id, limit); });
}

std::optional<alert_report> engine::alert_report_of(std::int64_t id) {
  return impl_->worker.run_sync([&](SQLite::Database& db) { return alert_store(db).report(id); });
}

cli_cancel engine::cancel_alert(std::int64_t id, const actor& who, std::int64_t now) {
  return impl_->worker.run_sync([&](SQLite::Database& db) {
    alert_store alerts(db);
    cli_cancel out;
    // The cancel and its audit row commit together.
    SQLite::Transaction tx(db);
    out.before = alerts.get(id);
    const bool found = alerts.cancel(id, now);
    const bool live = out.before && (out.before->state == "scheduled" || out.before->state == "planning" ||
                                     out.before->state == "sending");
    if (found && live) record_audit(db, who.name, "alert.cancel", id, who.api_key_id, "", now);
    tx.commit();
    if (!found) out.before.reset();
    if (found && live) out.after = alerts.report(id);
    return out;
  });
}

created_key engine::create_key(std::string_view name, const std::vector<std::string>& scopes,
                               const std::vector<std::string>& towns, std::int64_t now) {
  auto& s = *impl_;
  return s.worker.run_sync([&](SQLite::Database&) { return s.api_keys->create(name, scopes, now, towns); });
}

std::vector<key_info> engine::list_keys() {
  auto& s = *impl_;
  return s.worker.run_sync([&](SQLite::Database&) { return s.api_keys->list(); });
}

revoke_result engine::revoke_key(std::string_view id_or_name, std::int64_t now) {
  auto& s = *impl_;
  return s.worker.run_sync([&](SQLite::Database&) { return s.api_keys->revoke(id_or_name, now); });
}

subscriber_record engine::lookup(std::string_view phone_hash) {
  return impl_->worker.run_sync([&](SQLite::Database& db) { return lookup_subscriber(db, phone_hash); });
}

forget_result engine::forget(std::string_view phone_hash, std::int64_t now) {
  return impl_->worker.run_sync([&](SQLite::Database& db) { return forget_subscriber(db, phone_hash, now); });
}

subscriber_counts engine::count() {
  return impl_->worker.run_sync([](SQLite::Database& db) { return count_subscribers(db); });
}

import_result engine::import(std::string_view csv_text, const import_options& options, std::int64_t now) {
  auto& s = *impl_;
  return s.worker.run_sync(
      [&](SQLite::Database& db) { return import_subscribers(db, *s.keys, csv_text, options, now); });
}

std::vector<unknown_text> engine::unknown_texts(std::int64_t since_ms, std::size_t limit) {
  return impl_->worker.run_sync([&](SQLite::Database& db) { return sqlite::unknown_texts(db, since_ms, limit); });
}


// Step 1 of a rotation with a key file. The write lock is held across the
// file's replacement, so another rotate-keys cannot interleave, and a
// service sealing meanwhile waits and then sees the new fingerprint.
crypto::data_keys engine::name_new_key(const std::string& key_file, bool& resumed) {
  return impl_->worker.run_sync([&](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto keys = crypto::read_key_file(key_file);  // again, under the lock
    const auto stored = stored_key_fingerprint(db);
    if (stored && !crypto::answers_to(keys, *stored))
      throw std::runtime_error(fmt::format(
          "the key file {} no longer holds the keys this database names (fingerprint {}); nothing was changed",
          key_file, *stored));
    if (keys.retired.empty()) {
      auto next = crypto::with_new_encryption_key(keys);
      // The file first: until the database names the new key, a crash
      // leaves a file whose retired key is the one the database names.
      crypto::replace_key_file(key_file, next);
      keys = std::move(next);
    } else {
      resumed = true;
    }
    store_key_fingerprint(db, crypto::key_fingerprint(keys));
    tx.commit();
    return keys;
  });
}

void engine::name_keys(const crypto::data_keys& keys) {
  impl_->worker.run_sync([&](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    store_key_fingerprint(db, crypto::key_fingerprint(keys));
    tx.commit();
  });
}

reseal_counts engine::reseal_pass(const crypto::data_keys& keys, std::size_t batch_size) {
  return impl_->worker.run_sync([&](SQLite::Database& db) { return sqlite::reseal_pass(db, keys, batch_size); });
}

// Step 3: the retired keys leave the key file, unless it changed meanwhile.
void engine::drop_retired(const std::string& key_file, const crypto::data_keys& keys) {
  impl_->worker.run_sync([&](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto file = crypto::read_key_file(key_file);
    bool ours = file.encryption == keys.encryption && file.lookup == keys.lookup;
    for (const auto& r : file.retired) ours = ours && holds(keys.retired, r);
    if (!ours)
      throw std::runtime_error(fmt::format(
          "the key file {} changed during the rotation; its retired keys were kept: run rotate-keys again",
          key_file));
    if (!file.retired.empty()) {
      file.retired.clear();
      crypto::replace_key_file(key_file, file);
    }
    tx.commit();
  });
}

asio::awaitable<domain::audience_catalogue> engine::catalogue() {
  auto work = [](SQLite::Database& db) { return read_catalogue(db); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<domain::catalogue_verdict> engine::add(domain::catalogue_entry entry, actor who, std::int64_t now) {
  auto work = [entry = std::move(entry), who = std::move(who), now](SQLite::Database& db) {
    return add_catalogue_entry(db, entry, who, now);
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<domain::catalogue_verdict> engine::update(domain::catalogue_entry entry, actor who,
                                                          std::int64_t now) {
  auto work = [entry = std::move(entry), who = std::move(who), now](SQLite::Database& db) {
    return update_catalogue_entry(db, entry, who, now);
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<domain::catalogue_verdict> engine::remove(domain::catalogue_kind kind, std::string id, actor who,
                                                          std::int64_t now) {
  auto work = [kind, id = std::move(id), who = std::move(who), now](SQLite::Database& db) {
    return remove_catalogue_entry(db, kind, id, who, now);
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<news_applied> engine::apply_news(std::string feed_url, std::string town_id,
                                                 std::vector<news_item_input> items, std::int64_t now) {
  auto work = [feed_url = std::move(feed_url), town_id = std::move(town_id), items = std::move(items),
               now](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto out = apply_news_items(db, feed_url, town_id, items, now);
    tx.commit();
    return out;
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<feed_state> engine::news_feed(std::string url) {
  auto work = [url = std::move(url)](SQLite::Database& db) { return news_feed_state_of(db, url); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<void> engine::news_feed_polled(std::string url, std::string etag, std::string last_modified,
                                               std::int64_t now) {
  auto work = [url = std::move(url), etag = std::move(etag), last_modified = std::move(last_modified),
               now](SQLite::Database& db) { record_news_feed_polled(db, url, etag, last_modified, now); };
  co_await impl_->worker.run(std::move(work));
}

asio::awaitable<int> engine::news_feed_failed(std::string url, std::int64_t now) {
  auto work = [url = std::move(url), now](SQLite::Database& db) { return record_news_feed_failed(db, url, now); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<std::vector<draft_record>> engine::list_drafts(std::string state, std::int64_t before_id,
                                                              std::size_t limit) {
  auto work = [state = std::move(state), before_id, limit](SQLite::Database& db) {
    return list_draft_records(db, state, before_id, limit);
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<std::optional<draft_record>> engine::draft(std::int64_t id) {
  auto work = [id](SQLite::Database& db) { return draft_record_of(db, id); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<draft_change> engine::create_draft(draft_content content, std::string source, actor who,
                                                   bool submit, std::int64_t now) {
  auto work = [content = std::move(content), source = std::move(source), who = std::move(who), submit,
               now](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Asked here, under the write lock: the retention pass cannot take the
    // attachment away between this check and the insert.
    if (content.media_id && !media_record_of(db, *content.media_id))
      return draft_change{draft_outcome::media_unknown, std::nullopt};
    const auto id = insert_person_draft(db, content, source, who, submit, now);
    record_audit(db, who.name, "draft.create", std::nullopt, who.api_key_id,
                 fmt::format("draft={} source={}{}{}", id, source, submit ? " submitted" : "",
                             content.media_id ? fmt::format(" media={}", *content.media_id) : std::string()),
                 now);
    draft_change out{draft_outcome::done, draft_record_of(db, id)};
    tx.commit();
    return out;
  };
  co_return co_await impl_->worker.run(std::move(work));
}

namespace {

draft_change change_of(SQLite::Database& db, std::int64_t id, bool done) {
  draft_change out;
  out.draft = draft_record_of(db, id);
  out.outcome = !out.draft ? draft_outcome::not_found : done ? draft_outcome::done : draft_outcome::wrong_state;
  return out;
}

// A change to a draft at the revision its caller read, in one IMMEDIATE
// transaction: the revision is compared with the one stored after the
// write lock is taken, so no edit can slip in between the check and the
// change. change returns whether the draft was in a state that allows it.
template <class Change>
draft_change change_at_revision(SQLite::Database& db, std::int64_t id, std::optional<std::int64_t> revision,
                                Change&& change) {
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  if (revision) {
    auto now = draft_record_of(db, id);
    if (!now) return draft_change{draft_outcome::not_found, std::nullopt};
    if (now->revision != *revision) return draft_change{draft_outcome::stale, std::move(now)};
  }
  const bool done = change();
  auto out = change_of(db, id, done);
  tx.commit();
  return out;
}

}  // namespace

asio::awaitable<draft_change> engine::update_draft(std::int64_t id, draft_content content, actor who,
                                                   std::int64_t now, std::optional<std::int64_t> revision) {
  auto work = [id, content = std::move(content), who = std::move(who), now, revision](SQLite::Database& db) {
    bool media_missing = false;
    auto out = change_at_revision(db, id, revision, [&] {
      // Under the write lock, as for a new draft.
      if (content.media_id && !media_record_of(db, *content.media_id)) {
        media_missing = true;
        return false;
      }
      const bool done = rewrite_person_draft(db, id, content, who, now);
      if (done)
        record_audit(db, who.name, "draft.update", std::nullopt, who.api_key_id, fmt::format("draft={}", id), now);
      return done;
    });
    if (media_missing && out.outcome == draft_outcome::wrong_state) out.outcome = draft_outcome::media_unknown;
    return out;
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<draft_change> engine::submit_draft(std::int64_t id, actor who, std::int64_t now,
                                                   std::optional<std::int64_t> revision) {
  auto work = [id, who = std::move(who), now, revision](SQLite::Database& db) {
    return change_at_revision(db, id, revision, [&] {
      const bool done = move_draft(db, id, draft_open, draft_pending, "", who, now);
      if (done)
        record_audit(db, who.name, "draft.submit", std::nullopt, who.api_key_id, fmt::format("draft={}", id), now);
      return done;
    });
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<draft_change> engine::reject_draft(std::int64_t id, std::string reason, actor who, std::int64_t now,
                                                   std::optional<std::int64_t> revision) {
  auto work = [id, reason = std::move(reason), who = std::move(who), now, revision](SQLite::Database& db) {
    return change_at_revision(db, id, revision, [&] {
      const bool done = move_draft(db, id, draft_pending, draft_rejected, reason, who, now);
      if (done)
        record_audit(db, who.name, "draft.reject", std::nullopt, who.api_key_id, fmt::format("draft={}", id), now);
      return done;
    });
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<draft_change> engine::discard_draft(std::int64_t id, actor who, std::int64_t now,
                                                    std::optional<std::int64_t> revision) {
  auto work = [id, who = std::move(who), now, revision](SQLite::Database& db) {
    return change_at_revision(db, id, revision, [&] {
      const bool done = mark_draft_discarded(db, id, now);
      if (done)
        record_audit(db, who.name, "draft.discard", std::nullopt, who.api_key_id, fmt::format("draft={}", id), now);
      return done;
    });
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<std::vector<model_record>> engine::list_models() {
  auto work = [](SQLite::Database& db) { return list_model_records(db); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<std::optional<model_record>> engine::model(std::int64_t id) {
  auto work = [id](SQLite::Database& db) { return model_record_of(db, id); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<model_change> engine::create_model(domain::model_fields fields, actor who, std::int64_t now) {
  auto work = [fields = std::move(fields), who = std::move(who), now](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto out = insert_model(db, fields, who, now);
    tx.commit();
    return out;
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<model_change> engine::update_model(std::int64_t id, domain::model_fields fields, actor who,
                                                   std::int64_t now) {
  auto work = [id, fields = std::move(fields), who = std::move(who), now](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto out = rewrite_model(db, id, fields, who, now);
    tx.commit();
    return out;
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<bool> engine::delete_model(std::int64_t id, actor who, std::int64_t now) {
  auto work = [id, who = std::move(who), now](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const bool deleted = delete_model_record(db, id, who, now);
    tx.commit();
    return deleted;
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<model_fill> engine::fill_model(std::int64_t id, std::vector<std::string> values, actor who,
                                               std::int64_t now) {
  auto work = [id, values = std::move(values), who = std::move(who), now](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto out = fill_model_draft(db, id, values, who, now);
    tx.commit();
    return out;
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<stored_media> engine::store_media(new_media upload, actor who, std::int64_t now) {
  auto work = [upload = std::move(upload), who = std::move(who), now](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto out = insert_media(db, upload, who, now);
    tx.commit();
    return out;
  };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<std::optional<std::string>> engine::media_content(std::int64_t id) {
  auto work = [id](SQLite::Database& db) { return media_bytes(db, id); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<std::optional<media_record>> engine::media_info(std::int64_t id) {
  auto work = [id](SQLite::Database& db) { return media_record_of(db, id); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<media_users> engine::users_of_media(std::int64_t id) {
  auto work = [id](SQLite::Database& db) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::DEFERRED);  // both lists from one moment
    auto out = sqlite::users_of_media(db, id);
    tx.commit();
    return out;
  };
  co_return co_await impl_->worker.run(std::move(work));
}

domain::audience_catalogue engine::list_catalogue() {
  return impl_->worker.run_sync([](SQLite::Database& db) { return read_catalogue(db); });
}

domain::catalogue_verdict engine::add_entry(const domain::catalogue_entry& entry, const actor& who, std::int64_t now) {
  return impl_->worker.run_sync([&](SQLite::Database& db) { return add_catalogue_entry(db, entry, who, now); });
}

domain::catalogue_verdict engine::update_entry(const domain::catalogue_entry& entry, const actor& who,
                                               std::int64_t now) {
  return impl_->worker.run_sync([&](SQLite::Database& db) { return update_catalogue_entry(db, entry, who, now); });
}

domain::catalogue_verdict engine::remove_entry(domain::catalogue_kind kind, std::string_view id, const actor& who,
                                               std::int64_t now) {
  return impl_->worker.run_sync([&](SQLite::Database& db) { return remove_catalogue_entry(db, kind, id, who, now); });
}

// --- staff ---------------------------------------------------------------

asio::awaitable<std::optional<staff_credentials>> engine::find_for_login(std::string email) {
  auto& s = *impl_;
  auto work = [&s, email = std::move(email)](SQLite::Database&) { return s.staff->find_for_login(email); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<void> engine::login_succeeded(std::int64_t user_id, std::optional<std::string> rehashed,
                                              std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, user_id, rehashed = std::move(rehashed), now](SQLite::Database&) {
    s.staff->login_succeeded(user_id, rehashed, now);
  };
  co_await s.worker.run(std::move(work));
}

asio::awaitable<void> engine::login_failed(std::optional<std::int64_t> user_id, login_failure why, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, user_id, why, now](SQLite::Database&) { s.staff->login_failed(user_id, why, now); };
  co_await s.worker.run(std::move(work));
}

asio::awaitable<bool> engine::accept_totp_step(std::int64_t user_id, std::int64_t step, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, user_id, step, now](SQLite::Database&) { return s.staff->accept_totp_step(user_id, step, now); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<bool> engine::use_recovery_code(std::int64_t user_id, std::string code_hash, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, user_id, code_hash = std::move(code_hash), now](SQLite::Database&) {
    return s.staff->use_recovery_code(user_id, code_hash, now);
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<created_session> engine::create_session(std::int64_t user_id, session_limits limits,
                                                        std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, user_id, limits, now](SQLite::Database&) { return s.staff->create_session(user_id, limits, now); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<std::optional<staff_session>> engine::check_session(std::string token, session_limits limits,
                                                                   std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, token = std::move(token), limits, now](SQLite::Database&) {
    return s.staff->check_session(token, limits, now);
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<bool> engine::end_session(std::string token, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, token = std::move(token), now](SQLite::Database&) { return s.staff->end_session(token, now); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<int> engine::end_other_sessions(std::int64_t user_id, std::string keep_token, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, user_id, keep_token = std::move(keep_token), now](SQLite::Database&) {
    return s.staff->end_other_sessions(user_id, keep_token, now);
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<int> engine::change_password(std::int64_t user_id, std::string password_hash, std::string keep_token,
                                             std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, user_id, password_hash = std::move(password_hash), keep_token = std::move(keep_token),
               now](SQLite::Database&) { return s.staff->change_password(user_id, password_hash, keep_token, now); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<void> engine::enroll_own_totp(std::int64_t user_id, std::string secret,
                                              std::vector<std::string> recovery_code_hashes,
                                              std::int64_t accepted_step, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, user_id, secret = std::move(secret), hashes = std::move(recovery_code_hashes), accepted_step,
               now](SQLite::Database&) { s.staff->enroll_own_totp(user_id, secret, hashes, accepted_step, now); };
  co_await s.worker.run(std::move(work));
}

namespace {

// A command's write to the database the running service writes too: a
// transaction that takes the write lock first (IMMEDIATE) waits for the
// service's commit within the busy timeout, while one that reads first and
// writes after is refused at once ("database is locked") when the service
// committed in between: SQLite cannot let it wait.
template <class F>
auto write_first(SQLite::Database& db, F&& f) {
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  auto out = f();
  tx.commit();
  return out;
}

}  // namespace

std::int64_t engine::create_user(const new_staff_user& user, std::string_view actor, std::int64_t now) {
  return impl_->worker.run_sync(
      [&](SQLite::Database& db) { return write_first(db, [&] { return impl_->staff->create_user(user, actor, now); }); });
}

std::vector<staff_user> engine::list_users() {
  return impl_->worker.run_sync([&](SQLite::Database&) { return impl_->staff->list_users(); });
}

std::optional<staff_user> engine::find_user(std::string_view email) {
  return impl_->worker.run_sync([&](SQLite::Database&) { return impl_->staff->find_user(email); });
}

bool engine::set_disabled(std::string_view email, bool disabled, std::string_view actor, std::int64_t now) {
  return impl_->worker.run_sync([&](SQLite::Database& db) {
    return write_first(db, [&] { return impl_->staff->set_disabled(email, disabled, actor, now); });
  });
}

bool engine::set_role(std::string_view email, std::string_view role, std::string_view actor, std::int64_t now) {
  return impl_->worker.run_sync(
      [&](SQLite::Database& db) { return write_first(db, [&] { return impl_->staff->set_role(email, role, actor, now); }); });
}

bool engine::reset_password(std::string_view email, std::string_view password_hash, std::string_view actor,
                            std::int64_t now) {
  return impl_->worker.run_sync([&](SQLite::Database& db) {
    return write_first(db, [&] { return impl_->staff->reset_password(email, password_hash, actor, now); });
  });
}

bool engine::enroll_totp(std::string_view email, std::string_view secret,
                         const std::vector<std::string>& recovery_code_hashes, std::string_view actor,
                         std::int64_t now) {
  return impl_->worker.run_sync([&](SQLite::Database& db) {
    return write_first(db, [&] { return impl_->staff->enroll_totp(email, secret, recovery_code_hashes, actor, now); });
  });
}

asio::awaitable<std::vector<staff_user>> engine::staff_users() {
  auto& s = *impl_;
  auto work = [&s](SQLite::Database&) { return s.staff->list_users(); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<staff_change> engine::add_staff_user(new_staff_user user, std::string actor, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, user = std::move(user), actor = std::move(actor), now](SQLite::Database&) {
    return s.staff->add_user(user, actor, now);
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<staff_change> engine::set_staff_access(std::int64_t id, std::string role, std::vector<std::string> towns,
                                                       std::string actor, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, id, role = std::move(role), towns = std::move(towns), actor = std::move(actor),
               now](SQLite::Database&) { return s.staff->set_access(id, role, towns, actor, now); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<staff_change> engine::set_staff_disabled(std::int64_t id, bool disabled, std::string actor,
                                                         std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, id, disabled, actor = std::move(actor), now](SQLite::Database&) {
    return s.staff->set_disabled_by_id(id, disabled, actor, now);
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<staff_change> engine::reset_staff_password(std::int64_t id, std::string password_hash,
                                                           std::string actor, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, id, password_hash = std::move(password_hash), actor = std::move(actor), now](SQLite::Database&) {
    return s.staff->reset_password_by_id(id, password_hash, actor, now);
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<std::vector<setting_override>> engine::setting_override_list() {
  auto work = [](SQLite::Database& db) { return read_setting_overrides(db); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<setting_change_result> engine::change_setting(setting_change change) {
  auto work = [change = std::move(change)](SQLite::Database& db) { return change_setting_override(db, change); };
  co_return co_await impl_->worker.run(std::move(work));
}

std::vector<setting_override> engine::setting_overrides_now() {
  return impl_->worker.run_sync([](SQLite::Database& db) { return read_setting_overrides(db); });
}

asio::awaitable<std::vector<key_info>> engine::api_key_list() {
  auto& s = *impl_;
  auto work = [&s](SQLite::Database&) { return s.api_keys->list(); };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<key_creation> engine::add_api_key(std::string name, std::vector<std::string> scopes,
                                                  std::vector<std::string> towns, std::string actor,
                                                  std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, name = std::move(name), scopes = std::move(scopes), towns = std::move(towns),
               actor = std::move(actor), now](SQLite::Database&) {
    return s.api_keys->add(name, scopes, towns, actor, now);
  };
  co_return co_await s.worker.run(std::move(work));
}

asio::awaitable<revoke_result> engine::revoke_api_key(std::int64_t id, std::string actor, std::int64_t now) {
  auto& s = *impl_;
  auto work = [&s, id, actor = std::move(actor), now](SQLite::Database&) {
    return s.api_keys->revoke(std::to_string(id), now, actor);
  };
  co_return co_await s.worker.run(std::move(work));
}

opened_engine open_engine(const config::settings& settings, engine_options options) {
  auto opened = open_store(settings);
  opened_engine out;
  out.keys = opened.keys;
  out.migrations_applied = opened.migrations_applied;
  out.key_created = opened.key_created;
  if (!options.reload) options.reload = key_loader_for(settings);
  out.store = std::make_unique<engine>(std::move(opened.db), std::move(opened.keys), std::move(options));
  return out;
}

// --- public_alerts ---------------------------------------------------------------

asio::awaitable<std::vector<public_alert>> engine::public_list(public_alert_query query) {
  auto work = [query = std::move(query)](SQLite::Database& db) { return read_public_alerts(db, query); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<std::optional<public_alert>> engine::public_alert_by_id(std::int64_t id) {
  auto work = [id](SQLite::Database& db) { return read_public_alert(db, id); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<std::optional<public_attachment_file>> engine::public_attachment_content(std::int64_t alert_id) {
  auto work = [alert_id](SQLite::Database& db) { return read_public_attachment(db, alert_id); };
  co_return co_await impl_->worker.run(std::move(work));
}

asio::awaitable<std::int64_t> engine::public_version() {
  auto work = [](SQLite::Database& db) { return read_public_version(db); };
  co_return co_await impl_->worker.run(std::move(work));
}

}  // namespace banditore::store::sqlite

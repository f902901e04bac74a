#include <banditore/store/sqlite/engine.hpp>

#include <banditore/store/sqlite/api_keys.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/drafts.hpp>

#include "../../run_blocking.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <doctest/doctest.h>

#include <memory>
#include <string>

using namespace banditore;
using namespace banditore::store;
using banditore::testing::run_blocking;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000;

// The SQLite engine on an in-memory database, with two press officers'
// keys; the test reads the database between calls, when the engine's
// thread is idle.
struct world {
  std::unique_ptr<SQLite::Database> connection = [] {
    auto db = sqlite::open_database(":memory:");
    sqlite::migrate(*db);
    return db;
  }();
  SQLite::Database* db = connection.get();
  actor anna{"key:anna", sqlite::api_key_store(*db).create("anna", {"alerts:send"}, 0).id};
  actor bruno{"key:bruno", sqlite::api_key_store(*db).create("bruno", {"alerts:send"}, 0).id};
  std::unique_ptr<sqlite::engine> engine = std::make_unique<sqlite::engine>(
      std::move(connection), crypto::generate_data_keys(), sqlite::engine_options{});

  std::int64_t count(const std::string& sql) { return db->execAndGet(sql).getInt64(); }

  static draft_content content(std::string title = "Acqua sospesa in via Roma") {
    draft_content c;
    c.alert.category = "water";
    c.alert.level = domain::severity::moderate;
    c.alert.title = std::move(title);
    c.alert.text = "Domani dalle 8 alle 12 per lavori alla rete.";
    c.alert.expires_at_ms = t0 + 86'400'000;
    c.audience.towns = std::vector<std::string>{"lugo"};
    return c;
  }

  draft_record write(const actor& who, bool submit) {
    return *run_blocking(engine->create_draft(content(), "api", who, submit, t0)).draft;
  }

  // The alert as an approval sends it: the draft's own content.
  created_alert send(const draft_record& d, const actor& who, domain::draft_send how, std::int64_t revision) {
    new_alert a;
    a.draft.category = d.category;
    a.draft.level = *domain::parse_severity(d.severity);
    a.draft.title = d.title;
    a.draft.text = d.text;
    a.draft.expires_at_ms = d.expires_at;
    a.audience = d.audience;
    a.api_key_id = who.api_key_id;
    a.not_before = t0 + 10;
    a.draft_id = d.id;
    a.decision = new_alert::draft_decision{how, revision};
    return run_blocking(engine->create(std::move(a), who, 0, t0 + 10));
  }
};

}  // namespace

TEST_CASE("approval: draft -> pending -> approved by another person creates exactly one alert, and the draft names it") {
  world w;
  const auto d = w.write(w.anna, false);
  CHECK(d.state == "draft");
  CHECK(d.author == "key:anna");
  CHECK(d.author_key_id == w.anna.api_key_id);
  CHECK(d.revision == 1);
  CHECK(d.audience.towns == std::vector<std::string>{"lugo"});

  const auto submitted = run_blocking(w.engine->submit_draft(d.id, w.anna, t0 + 1, std::nullopt));
  REQUIRE(submitted.outcome == draft_outcome::done);
  CHECK(submitted.draft->state == "pending");
  CHECK(submitted.draft->submitted_at == t0 + 1);

  const auto sent = w.send(*submitted.draft, w.bruno, domain::draft_send::approve, 1);
  REQUIRE(sent.result.outcome == create_outcome::created);
  REQUIRE(sent.report.has_value());
  CHECK(sent.report->alert.title == "Acqua sospesa in via Roma");
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 1);
  const auto after = sqlite::draft_record_of(*w.db, d.id);
  REQUIRE(after.has_value());
  CHECK(after->state == "sent");
  CHECK(after->alert_id == sent.result.id);
  CHECK(after->decision == "approve");
  CHECK(after->decided_by == "key:bruno");
  // Every step is in the audit log, the approval by its approver.
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'draft.create' AND actor = 'key:anna'") == 1);
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'draft.submit' AND actor = 'key:anna'") == 1);
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'draft.approve' AND actor = 'key:bruno' AND "
                "alert_id = " + std::to_string(sent.result.id)) == 1);
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'alert.create'") == 1);
}

TEST_CASE("approval: the author cannot approve their own draft, and nothing is created") {
  world w;
  const auto d = w.write(w.anna, true);
  CHECK(d.state == "pending");
  const auto own = w.send(d, w.anna, domain::draft_send::approve, d.revision);
  CHECK(own.result.outcome == create_outcome::own_draft);
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 0);
  CHECK(sqlite::draft_record_of(*w.db, d.id)->state == "pending");
}

TEST_CASE("approval: the last editor cannot approve a draft someone else wrote") {
  world w;
  const auto d = w.write(w.anna, false);
  const auto edited = run_blocking(w.engine->update_draft(d.id, world::content("Acqua sospesa"), w.bruno, t0 + 1, std::nullopt));
  REQUIRE(edited.outcome == draft_outcome::done);
  CHECK(edited.draft->editor == "key:bruno");
  CHECK(edited.draft->revision == 2);
  run_blocking(w.engine->submit_draft(d.id, w.anna, t0 + 2, std::nullopt));
  CHECK(w.send(*edited.draft, w.bruno, domain::draft_send::approve, 2).result.outcome == create_outcome::own_draft);
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 0);
}

TEST_CASE("approval: approving twice creates one alert, the second is refused as the draft is sent") {
  world w;
  const auto d = w.write(w.anna, true);
  const auto first = w.send(d, w.bruno, domain::draft_send::approve, d.revision);
  REQUIRE(first.result.outcome == create_outcome::created);
  const auto second = w.send(d, w.bruno, domain::draft_send::approve, d.revision);
  CHECK(second.result.outcome == create_outcome::draft_unavailable);
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 1);
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'draft.approve'") == 1);
}

TEST_CASE("approval: a stale revision is refused, the text approved is the text sent") {
  world w;
  const auto d = w.write(w.anna, false);
  run_blocking(w.engine->update_draft(d.id, world::content("Acqua sospesa, orari nuovi"), w.anna, t0 + 1, std::nullopt));
  run_blocking(w.engine->submit_draft(d.id, w.anna, t0 + 2, std::nullopt));
  // Bruno read revision 1; the draft is at 2.
  const auto stale = w.send(d, w.bruno, domain::draft_send::approve, 1);
  CHECK(stale.result.outcome == create_outcome::draft_changed);
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 0);
  CHECK(sqlite::draft_record_of(*w.db, d.id)->state == "pending");
  CHECK(w.send(d, w.bruno, domain::draft_send::approve, 2).result.outcome == create_outcome::created);
}

TEST_CASE("approval: a pending draft is rejected with a reason, edited again and resubmitted") {
  world w;
  const auto d = w.write(w.anna, true);
  const auto rejected = run_blocking(w.engine->reject_draft(d.id, "manca l'orario di fine", w.bruno, t0 + 1, std::nullopt));
  REQUIRE(rejected.outcome == draft_outcome::done);
  CHECK(rejected.draft->state == "rejected");
  CHECK(rejected.draft->reject_reason == "manca l'orario di fine");
  CHECK(rejected.draft->decided_by == "key:bruno");
  CHECK(rejected.draft->decision == "reject");
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'draft.reject' AND actor = 'key:bruno'") == 1);

  // Not pending any more: neither rejected again nor approved.
  CHECK(run_blocking(w.engine->reject_draft(d.id, "ancora", w.bruno, t0 + 2, std::nullopt)).outcome == draft_outcome::wrong_state);
  CHECK(w.send(d, w.bruno, domain::draft_send::approve, 1).result.outcome == create_outcome::draft_unavailable);
  CHECK(run_blocking(w.engine->reject_draft(999, "nessuna", w.bruno, t0 + 2, std::nullopt)).outcome == draft_outcome::not_found);

  const auto edited = run_blocking(w.engine->update_draft(d.id, world::content(), w.anna, t0 + 3, std::nullopt));
  REQUIRE(edited.outcome == draft_outcome::done);
  CHECK(edited.draft->state == "draft");
  CHECK(edited.draft->revision == 2);
  const auto again = run_blocking(w.engine->submit_draft(d.id, w.anna, t0 + 4, std::nullopt));
  REQUIRE(again.outcome == draft_outcome::done);
  CHECK(again.draft->state == "pending");
  CHECK(again.draft->reject_reason.empty());
  CHECK(again.draft->decided_by.empty());
}

TEST_CASE("approval: a pending draft is neither edited nor submitted again") {
  world w;
  const auto d = w.write(w.anna, true);
  CHECK(run_blocking(w.engine->update_draft(d.id, world::content(), w.anna, t0 + 1, std::nullopt)).outcome ==
        draft_outcome::wrong_state);
  CHECK(run_blocking(w.engine->submit_draft(d.id, w.anna, t0 + 1, std::nullopt)).outcome == draft_outcome::wrong_state);
  CHECK(run_blocking(w.engine->submit_draft(999, w.anna, t0 + 1, std::nullopt)).outcome == draft_outcome::not_found);
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('draft.update', 'draft.submit')") == 0);
}

TEST_CASE("approval: an emergency send past the rule is recorded as a bypass, with or without a draft") {
  world w;
  const auto d = w.write(w.anna, false);
  const auto sent = w.send(d, w.anna, domain::draft_send::bypass, d.revision);
  REQUIRE(sent.result.outcome == create_outcome::created);
  CHECK(sqlite::draft_record_of(*w.db, d.id)->decision == "bypass");
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'draft.bypass' AND actor = 'key:anna' AND detail = "
                "'draft=" + std::to_string(d.id) + " revision=1'") == 1);

  new_alert direct;
  direct.draft = world::content("Allerta rossa").alert;
  direct.not_before = t0;
  direct.decision = new_alert::draft_decision{domain::draft_send::bypass, 0};
  const auto alone = run_blocking(w.engine->create(std::move(direct), w.bruno, 0, t0 + 20));
  REQUIRE(alone.result.outcome == create_outcome::created);
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'draft.bypass' AND actor = 'key:bruno' AND "
                "detail = 'no draft'") == 1);
}

TEST_CASE("approval: a direct send with an Idempotency-Key, retried, replays its alert") {
  world w;
  const auto d = w.write(w.anna, false);
  auto direct = [&] {
    new_alert a;
    a.draft = world::content().alert;
    a.audience = world::content().audience;
    a.idempotency_key = "retry-1";
    a.request_hash = "same";
    a.not_before = t0;
    a.draft_id = d.id;
    a.decision = new_alert::draft_decision{domain::draft_send::direct, d.revision};
    return run_blocking(w.engine->create(std::move(a), w.anna, 0, t0 + 10));
  };
  const auto first = direct();
  REQUIRE(first.result.outcome == create_outcome::created);
  const auto retried = direct();
  CHECK(retried.result.outcome == create_outcome::replayed);
  CHECK(retried.result.id == first.result.id);
  CHECK(w.count("SELECT COUNT(*) FROM alerts") == 1);
}

TEST_CASE("migration 17: a database at 16 keeps its drafts, which read as revision 1 with no author") {
  auto db = sqlite::open_database(":memory:");
  for (const auto& m : sqlite::parse_migrations(sqlite::schema_sql)) {
    if (m.version > 16) break;
    SQLite::Transaction tx(*db);
    db->exec(m.sql);
    db->exec("PRAGMA user_version = " + std::to_string(m.version));
    tx.commit();
  }
  db->exec("INSERT INTO drafts (source, town_id, title, text, state, created_at, updated_at) "
           "VALUES ('news', 'lugo', 'Mercato spostato', 'Testo', 'draft', 1, 2)");
  CHECK(sqlite::migrate(*db) == sqlite::latest_schema_version() - 16);
  CHECK(db->execAndGet("PRAGMA user_version").getInt() == sqlite::latest_schema_version());
  const auto list = sqlite::list_draft_records(*db, draft_open, 0, 10);
  REQUIRE(list.size() == 1);
  const auto& d = list[0];
  CHECK(d.title == "Mercato spostato");
  CHECK(d.state == "draft");
  CHECK(d.revision == 1);
  CHECK(d.publish);
  CHECK(d.author.empty());
  CHECK_FALSE(d.author_key_id.has_value());
  CHECK_FALSE(d.submitted_at.has_value());
  CHECK(d.audience.everyone());
  CHECK(sqlite::migrate(*db) == 0);
}

TEST_CASE("an edit, a submission or a rejection at a revision other than the draft's changes nothing") {
  world w;
  const auto d = w.write(w.anna, false);
  const auto stale_edit = run_blocking(w.engine->update_draft(d.id, world::content("Altro"), w.bruno, t0 + 1, d.revision + 1));
  CHECK(stale_edit.outcome == draft_outcome::stale);
  REQUIRE(stale_edit.draft);
  CHECK(stale_edit.draft->revision == d.revision);
  CHECK(run_blocking(w.engine->draft(d.id))->title == d.title);
  const auto edited = run_blocking(w.engine->update_draft(d.id, world::content("Altro"), w.bruno, t0 + 1, d.revision));
  REQUIRE(edited.outcome == draft_outcome::done);
  CHECK(edited.draft->revision == d.revision + 1);
  CHECK(run_blocking(w.engine->submit_draft(d.id, w.anna, t0 + 2, d.revision)).outcome == draft_outcome::stale);
  CHECK(run_blocking(w.engine->draft(d.id))->state == "draft");
  REQUIRE(run_blocking(w.engine->submit_draft(d.id, w.anna, t0 + 2, d.revision + 1)).outcome == draft_outcome::done);
  CHECK(run_blocking(w.engine->reject_draft(d.id, "no", w.bruno, t0 + 3, d.revision)).outcome == draft_outcome::stale);
  CHECK(run_blocking(w.engine->draft(d.id))->state == "pending");
  CHECK(run_blocking(w.engine->reject_draft(999, "no", w.bruno, t0 + 3, 1)).outcome == draft_outcome::not_found);
}

TEST_CASE("a draft keeps its attachment through an edit that names it, loses it through one that does not, and refuses an unknown one") {
  world w;
  new_media png;
  png.kind = domain::media_kind::png;
  png.bytes = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0D" "IHDR", 16) + std::string(64, '\0');
  const auto media = run_blocking(w.engine->store_media(png, w.anna, t0)).media.id;

  auto with = world::content();
  with.media_id = media;
  const auto created = run_blocking(w.engine->create_draft(with, "api", w.anna, false, t0));
  REQUIRE(created.outcome == draft_outcome::done);
  CHECK(created.draft->media_id == media);
  CHECK(w.count("SELECT media_id FROM drafts WHERE id = " + std::to_string(created.draft->id)) == media);

  // An attachment that is not stored: nothing written, nothing audited.
  auto unknown = world::content("Altro");
  unknown.media_id = media + 10;
  CHECK(run_blocking(w.engine->create_draft(unknown, "api", w.anna, false, t0)).outcome == draft_outcome::media_unknown);
  CHECK(w.count("SELECT COUNT(*) FROM drafts") == 1);
  CHECK(w.count("SELECT COUNT(*) FROM audit_log WHERE action = 'draft.create'") == 1);
  const auto refused = run_blocking(w.engine->update_draft(created.draft->id, unknown, w.anna, t0 + 1, 1));
  CHECK(refused.outcome == draft_outcome::media_unknown);
  CHECK(sqlite::draft_record_of(*w.db, created.draft->id)->media_id == media);
  CHECK(sqlite::draft_record_of(*w.db, created.draft->id)->revision == 1);

  const auto kept = run_blocking(w.engine->update_draft(created.draft->id, with, w.anna, t0 + 2, 1));
  REQUIRE(kept.outcome == draft_outcome::done);
  CHECK(kept.draft->media_id == media);
  const auto dropped = run_blocking(w.engine->update_draft(created.draft->id, world::content(), w.anna, t0 + 3, 2));
  REQUIRE(dropped.outcome == draft_outcome::done);
  CHECK_FALSE(dropped.draft->media_id.has_value());
}

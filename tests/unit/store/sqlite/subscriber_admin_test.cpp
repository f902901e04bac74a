#include <banditore/store/sqlite/subscriber_admin.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/sealed_box.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/live_keys.hpp>
#include <banditore/store/sqlite/outbox.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <string>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

const std::int64_t now = *domain::parse_rfc3339("2025-03-01T12:00:00Z");
const std::string mario = "393331234567";
const std::string lucia = "393339876543";

struct fixture {
  std::unique_ptr<SQLite::Database> db = open_database(":memory:");
  crypto::data_keys keys = crypto::generate_data_keys();
  live_keys live{*db, keys};
  fixture() { migrate(*db); }
  std::string hash(const std::string& e164) const { return crypto::phone_hash(keys, e164); }
  std::int64_t count(const std::string& sql) { return db->execAndGet(sql).getInt64(); }
  import_result import(const std::string& csv, import_options options = {}) {
    return import_subscribers(*db, live, csv, options, now);
  }
  // Imports with a notice, then leases the notice's deliveries as the
  // sender would with a template configured and the given messaging limit.
  std::vector<outbox_item> lease_notices(const std::string& csv, std::int64_t tier_limit = 0) {
    import_options o;
    o.notice = "Benvenuto";
    import(csv, o);
    outbox out(*db, live);
    delivery_policy policy;
    policy.template_available = true;
    policy.tier_limit = tier_limit;
    return out.lease(10, now, 1000, policy);
  }
};

void bind_blob(SQLite::Statement& st, const char* name, const std::string& bytes) {
  st.bind(name, bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

// The file formats and the reasons a line is refused are the parser's:
// tests/unit/domain/subscriber_list_test.cpp.

// --- import ----------------------------------------------------------------

TEST_CASE("an import subscribes new numbers with source import at their consent date") {
  fixture f;
  auto r = f.import("number,consent_date\n333 123 4567,2024-01-02\n");
  CHECK(r.error.empty());
  CHECK(r.imported == 1);
  SQLite::Statement q(*f.db, "SELECT source, subscribed_at, phone_cipher, language FROM subscribers WHERE phone_hash = :p");
  bind_blob(q, ":p", f.hash(mario));
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getString() == "import");
  CHECK(q.getColumn(1).getInt64() == *domain::parse_list_date("2024-01-02"));
  const std::string cipher(static_cast<const char*>(q.getColumn(2).getBlob()), q.getColumn(2).getBytes());
  CHECK(crypto::sealed_box(f.keys.encryption).open(cipher, f.hash(mario)) == mario);
  CHECK(q.getColumn(3).getString() == "it");
}

TEST_CASE("an imported number without a consent date is subscribed now") {
  fixture f;
  f.import("number\n3331234567\n");
  CHECK(f.count("SELECT subscribed_at FROM subscribers") == now);
}

TEST_CASE("an import writes an import consent event per new number") {
  fixture f;
  f.import("number,consent_date\n3331234567,2024-01-02\n");
  auto rec = lookup_subscriber(*f.db, f.hash(mario));
  REQUIRE(rec.consent.size() == 1);
  CHECK(rec.consent[0].event == "import");
  CHECK(rec.consent[0].at == *domain::parse_list_date("2024-01-02"));
}

TEST_CASE("numbers repeated in the file or already subscribed count as duplicates") {
  fixture f;
  f.import("number\n3331234567\n");
  auto r = f.import("number\n+39 333 123 4567\n3339876543\n0039 333 987 6543\n");
  CHECK(r.imported == 1);
  CHECK(r.duplicates == 2);
  CHECK(f.count("SELECT COUNT(*) FROM subscribers") == 2);
}

std::vector<std::size_t> lines_of(const import_result& r) {
  std::vector<std::size_t> out;
  for (const auto& x : r.rejected) out.push_back(x.line);
  return out;
}

TEST_CASE("invalid numbers, landlines, bad dates and future dates are reported by line and not imported") {
  fixture f;
  auto r = f.import(
      "number,consent_date\n3331234567,\nnot a number,\n3339876543,31/02/2023\n3330001111,2099-01-01\n"
      "06 1234 5678,\n");
  CHECK(r.imported == 1);
  CHECK(lines_of(r) == std::vector<std::size_t>{3, 4, 5, 6});
  CHECK(r.rejected.back().reason == domain::list_rejection::landline);
  CHECK(f.count("SELECT COUNT(*) FROM subscribers") == 1);
}

TEST_CASE("malformed rows are counted among the rejected lines, in line order") {
  fixture f;
  auto r = f.import("name,number\nx,bad\nMario\n");
  CHECK(lines_of(r) == std::vector<std::size_t>{2, 3});
}

TEST_CASE("an import queues the notice as one alert with a delivery to each new number only") {
  fixture f;
  f.import("number\n3330001111\n");  // already subscribed: gets no notice
  import_options o;
  o.notice = "Benvenuto";
  auto r = f.import("number\n3331234567\n3339876543\n3331234567\n3330001111\n", o);
  CHECK(r.notices_queued == 2);
  REQUIRE(r.notice_alert_id != 0);
  CHECK(f.count("SELECT COUNT(*) FROM alerts") == 1);
  SQLite::Statement a(*f.db, "SELECT id, state, source, category, severity, title, text, planned_count FROM alerts");
  REQUIRE(a.executeStep());
  CHECK(a.getColumn(0).getInt64() == r.notice_alert_id);
  CHECK(a.getColumn(1).getString() == "sending");
  CHECK(a.getColumn(2).getString() == "import");
  CHECK(a.getColumn(3).getString() == "other");
  CHECK(a.getColumn(4).getString() == "minor");
  CHECK(a.getColumn(5).getString() == std::string(import_notice_title));
  CHECK(a.getColumn(6).getString() == "Benvenuto");
  CHECK(a.getColumn(7).getInt64() == 2);
  CHECK(f.count("SELECT COUNT(*) FROM outbox") == 2);
  CHECK(f.count("SELECT COUNT(*) FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id "
                "WHERE o.alert_id = 1 AND o.state = 'queued' AND o.body IS NULL AND o.recipient_cipher IS NULL "
                "AND s.subscribed_at = " + std::to_string(now)) == 2);
  outbox out(*f.db, f.live);
  auto leased = out.lease(10, now, 1000);
  REQUIRE(leased.size() == 2);
  CHECK(leased[0].recipient == mario);
  CHECK(leased[1].recipient == lucia);
  CHECK(leased[0].alert_id == r.notice_alert_id);
  CHECK(leased[0].text == "Benvenuto");
}

TEST_CASE("the notice goes to imported numbers as the template, as they have not written within 24 hours") {
  fixture f;
  auto leased = f.lease_notices("number\n3331234567\n");
  REQUIRE(leased.size() == 1);
  CHECK(leased[0].as_template);
  CHECK(leased[0].title == std::string(import_notice_title));
}

TEST_CASE("the notice counts against WhatsApp's messaging limit") {
  fixture f;
  CHECK(f.lease_notices("number\n3331234567\n3339876543\n", 1).size() == 1);
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE state = 'queued' AND error_title = '" +
                std::string(waiting_for_limit) + "'") == 1);
}

TEST_CASE("people reached outside their window are counted only under a messaging limit") {
  // Counting costs a write at a random place of contacts per delivery:
  // worth it only when a limit reads the count.
  for (const std::int64_t tier : {std::int64_t{0}, std::int64_t{10}}) {
    CAPTURE(tier);
    fixture f;
    CHECK(f.lease_notices("number\n3331234567\n3339876543\n", tier).size() == 2);
    CHECK(f.count("SELECT COUNT(*) FROM contacts WHERE last_initiated_at IS NOT NULL") == (tier > 0 ? 2 : 0));
  }
}

TEST_CASE("a notice held by quiet hours is queued for when they end") {
  fixture f;
  import_options o;
  o.notice = "Benvenuto";
  o.notice_not_before = now + 3600000;
  f.import("number\n3331234567\n", o);
  CHECK(f.count("SELECT not_before FROM outbox") == now + 3600000);
  CHECK(f.count("SELECT not_before FROM alerts") == now + 3600000);
}

TEST_CASE("an import that subscribes nobody creates no notice") {
  fixture f;
  f.import("number\n3331234567\n");
  import_options o;
  o.notice = "Benvenuto";
  auto r = f.import("number\n3331234567\nbad\n", o);
  CHECK(r.notice_alert_id == 0);
  CHECK(f.count("SELECT COUNT(*) FROM alerts") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("an import without a notice queues nothing") {
  fixture f;
  f.import("number\n3331234567\n");
  CHECK(f.count("SELECT COUNT(*) FROM outbox") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM alerts") == 0);
}

TEST_CASE("a dry run counts the rows and writes nothing") {
  fixture f;
  import_options o;
  o.dry_run = true;
  o.notice = "x";
  auto r = f.import("number\n3331234567\n", o);
  CHECK(r.imported == 1);
  CHECK(r.notices_queued == 1);
  CHECK(r.notice_alert_id == 0);
  CHECK(f.count("SELECT COUNT(*) FROM subscribers") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM consent_log") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM outbox") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM alerts") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM audit_log") == 0);
}

TEST_CASE("a refused file imports nothing") {
  fixture f;
  auto r = f.import("nome\n3331234567\n");
  CHECK(!r.error.empty());
  CHECK(r.imported == 0);
  CHECK(f.count("SELECT COUNT(*) FROM subscribers") == 0);
}

TEST_CASE("an import leaves one audit entry with counts and no number") {
  fixture f;
  f.import("number\n3331234567\nbad\n");
  CHECK(f.db->execAndGet("SELECT detail FROM audit_log WHERE action = 'subscribers.import'").getString() ==
        "imported=1 duplicates=0 invalid=1 notices=0");
}

TEST_CASE("an import with a notice audits the import and the alert under the alert's id") {
  fixture f;
  import_options o;
  o.notice = "Benvenuto";
  auto r = f.import("number\n3331234567\n", o);
  CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE alert_id = " + std::to_string(r.notice_alert_id) +
                " AND action IN ('alert.create', 'subscribers.import')") == 2);
  CHECK(f.db->execAndGet("SELECT detail FROM audit_log WHERE action = 'subscribers.import'").getString() ==
        "imported=1 duplicates=0 invalid=0 notices=1");
}

// --- lookup, count, forget -----------------------------------------------------

TEST_CASE("lookup of a number never seen says not subscribed, with no events") {
  fixture f;
  auto rec = lookup_subscriber(*f.db, f.hash(mario));
  CHECK_FALSE(rec.subscribed);
  CHECK(rec.consent.empty());
}

TEST_CASE("lookup shows what the subscriber receives now and the ids each consent event concerned") {
  fixture f;
  f.import("number\n3331234567\n");
  f.db->exec("DELETE FROM subscriber_towns; DELETE FROM subscriber_topics; DELETE FROM subscriber_areas");
  f.db->exec("INSERT INTO towns (id, name) VALUES ('lugo', 'Lugo'), ('fusignano', 'Fusignano')");
  f.db->exec("INSERT INTO topics (id, name) VALUES ('strade', 'Strade'), ('acqua', 'Acqua')");
  f.db->exec("INSERT INTO areas (id, town_id, name) VALUES ('voltana', 'lugo', 'Voltana')");
  f.db->exec("INSERT INTO subscriber_towns VALUES ('lugo', 1); INSERT INTO subscriber_topics VALUES ('strade', 1), "
             "('acqua', 1); INSERT INTO subscriber_areas VALUES ('voltana', 1); UPDATE subscribers SET only_severe = 1");
  SQLite::Statement add(*f.db, "INSERT INTO consent_log (phone_hash, event, at, town_ids, topic_ids, area_ids) "
                               "VALUES (:p, 'add', :at, 'lugo', 'strade,acqua', NULL)");
  bind_blob(add, ":p", f.hash(mario));
  add.bind(":at", now + 1);
  add.exec();
  auto rec = lookup_subscriber(*f.db, f.hash(mario));
  CHECK(rec.towns == std::vector<std::string>{"lugo"});
  CHECK(rec.topics == std::vector<std::string>{"acqua", "strade"});
  CHECK(rec.areas == std::vector<std::string>{"voltana"});
  CHECK(rec.only_severe);
  REQUIRE(rec.consent.size() == 2);
  CHECK(rec.consent[0].event == "import");
  CHECK(rec.consent[0].topics.empty());
  CHECK(rec.consent[1].event == "add");
  CHECK(rec.consent[1].towns == "lugo");
  CHECK(rec.consent[1].topics == "strade,acqua");
  CHECK(rec.consent[1].areas.empty());
  CHECK(lookup_subscriber(*f.db, f.hash(lucia)).towns.empty());
}

TEST_CASE("count reports subscribers and the flagged among them") {
  fixture f;
  f.import("number\n3331234567\n3339876543\n");
  f.db->exec("UPDATE subscribers SET flagged_at = 5 WHERE id = 1");
  auto c = count_subscribers(*f.db);
  CHECK(c.subscribers == 2);
  CHECK(c.flagged == 1);
}

namespace {

// Mario subscribed, wrote twice, has a queued reply, a queued delivery and a
// sent reply whose recipient was already erased; Lucia is subscribed too.
void populate(fixture& f) {
  f.import("number\n3331234567\n3339876543\n");
  const auto h = f.hash(mario);
  outbox out(*f.db, f.live);
  out.enqueue_reply(h, mario, "reply", now);
  out.enqueue_reply(h, mario, "old reply", now);
  f.db->exec("UPDATE outbox SET state = 'sent', recipient_cipher = NULL WHERE body = 'old reply'");
  SQLite::Statement d(*f.db, "INSERT INTO outbox (priority, phone_hash, alert_id, subscriber_id, not_before, "
                             "created_at, updated_at) VALUES (5, :p, 1, 1, 0, 0, 0)");
  bind_blob(d, ":p", h);
  d.exec();
  out.enqueue_reply(f.hash(lucia), lucia, "for lucia", now);
  for (const char* id : {"a", "b"}) {
    SQLite::Statement m(*f.db, "INSERT INTO inbound_messages (message_hash, phone_hash, type, decision, received_at) "
                               "VALUES (:id, :p, 'text', 'help', 0)");
    m.bind(":id", id);
    bind_blob(m, ":p", h);
    m.exec();
  }
  SQLite::Statement c(*f.db, "INSERT INTO contacts (phone_hash, last_inbound_at) VALUES (:p, 1)");
  bind_blob(c, ":p", h);
  c.exec();
}

}  // namespace

TEST_CASE("forget erases the subscriber, contact and inbound records and reports the counts") {
  fixture f;
  populate(f);
  auto r = forget_subscriber(*f.db, f.hash(mario), now + 1);
  CHECK(r.known);
  CHECK(r.subscribers_deleted == 1);
  CHECK(r.outbox_cancelled == 2);
  CHECK(r.outbox_erased == 2);  // the queued reply's number, the sent reply's text
  CHECK(r.contacts_deleted == 1);
  CHECK(r.inbound_deleted == 2);
  CHECK(r.consent_kept == 1);
  CHECK_FALSE(lookup_subscriber(*f.db, f.hash(mario)).subscribed);
  CHECK(f.count("SELECT COUNT(*) FROM contacts") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM inbound_messages") == 0);
}

TEST_CASE("forget leaves no encrypted copy of the number anywhere") {
  fixture f;
  populate(f);
  const auto h = f.hash(mario);
  forget_subscriber(*f.db, h, now + 1);
  SQLite::Statement q(*f.db, "SELECT COUNT(*) FROM outbox WHERE phone_hash = :p AND recipient_cipher IS NOT NULL");
  bind_blob(q, ":p", h);
  q.executeStep();
  CHECK(q.getColumn(0).getInt() == 0);
}

TEST_CASE("forget cancels only queued rows and leaves sent ones sent, without their text") {
  fixture f;
  populate(f);
  forget_subscriber(*f.db, f.hash(mario), now + 1);
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE state = 'cancelled'") == 2);
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE state = 'sent'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE body = 'old reply'") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE body = 'for lucia'") == 1);
}

TEST_CASE("forget keeps the consent log and adds a forget event") {
  fixture f;
  populate(f);
  forget_subscriber(*f.db, f.hash(mario), now + 1);
  auto rec = lookup_subscriber(*f.db, f.hash(mario));
  REQUIRE(rec.consent.size() == 2);
  CHECK(rec.consent[0].event == "import");
  CHECK(rec.consent[1].event == "forget");
  CHECK(rec.consent[1].at == now + 1);
}

TEST_CASE("forget leaves other subscribers and their messages alone") {
  fixture f;
  populate(f);
  forget_subscriber(*f.db, f.hash(mario), now + 1);
  CHECK(lookup_subscriber(*f.db, f.hash(lucia)).subscribed);
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE body = 'for lucia' AND state = 'queued' "
                "AND recipient_cipher IS NOT NULL") == 1);
}

TEST_CASE("forgetting a number never seen leaves no trace of it") {
  fixture f;
  auto r = forget_subscriber(*f.db, f.hash(mario), now);
  CHECK_FALSE(r.known);
  CHECK(f.count("SELECT COUNT(*) FROM consent_log") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM audit_log") == 0);
}

TEST_CASE("forget records an audit entry with the tag, never the number") {
  fixture f;
  populate(f);
  forget_subscriber(*f.db, f.hash(mario), now + 1);
  const auto detail = f.db->execAndGet("SELECT detail FROM audit_log WHERE action = 'subscribers.forget'").getString();
  CHECK(detail.find("tag=" + crypto::phone_tag(f.hash(mario))) == 0);
  CHECK(detail.find("3331234567") == std::string::npos);
}

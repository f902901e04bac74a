// The inbound journal: what a row keeps and how it is sealed, and the
// engine answering a busy webhook once its messages are journaled, then
// applying them in the order they came, once each, also after a restart.
#include <banditore/store/sqlite/inbound_journal.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/domain/replies.hpp>
#include <banditore/store/sqlite/audience.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/engine.hpp>
#include <banditore/store/sqlite/key_rotation.hpp>
#include <banditore/store/sqlite/live_keys.hpp>

#include "../../run_blocking.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;
using banditore::testing::run_blocking;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000;
const std::string elena = "393351119988";
const std::string marco = "393402223344";

inbound_message_input says(const std::string& from, const std::string& text, const std::string& id) {
  return {id, from, "text", text, t0 - 2000};
}

std::unique_ptr<SQLite::Database> fresh_database() {
  auto db = open_database(":memory:");
  migrate(*db);
  seed_catalogue(*db, domain::town{"lugo", "Comune di Lugo", {}, {}});
  return db;
}

std::string blob_of(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement q(db, sql);
  REQUIRE(q.executeStep());
  const auto c = q.getColumn(0);
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
}

// An engine on an in-memory database whose webhooks journal (unless told
// otherwise) and which applies the journal as soon as no webhook waits,
// with what its observer was told. The test waits for what it expects to
// be told and for the engine's thread to be idle, then reads the database.
struct world {
  std::unique_ptr<SQLite::Database> connection = fresh_database();
  SQLite::Database* db = connection.get();
  crypto::data_keys keys = crypto::generate_data_keys();
  std::mutex told_mutex;
  std::condition_variable told_more;
  std::vector<journal_applied> applied;  // guarded by told_mutex
  std::unique_ptr<engine> store;

  static engine_options options(std::size_t direct_group_limit = 0, std::int64_t journal_limit = 100000,
                                std::size_t step = 32) {
    engine_options o;
    o.conversation = {domain::italian_replies("Lugo"), 24LL * 3600 * 1000, "it", "Lugo"};
    o.direct_group_limit = direct_group_limit;
    o.journal_limit = journal_limit;
    o.journal_step = step;
    o.journal_quiet = std::chrono::milliseconds(0);  // applied as soon as nothing waits
    return o;
  }
  explicit world(std::optional<engine_options> o = options()) {
    if (o) start(std::move(*o));
  }
  // Rows a previous process left can be appended before this.
  void start(engine_options o) {
    store = std::make_unique<engine>(std::move(connection), keys, std::move(o));
    store->on_inbound_applied([this](std::vector<journal_applied> done) {
      std::lock_guard lock(told_mutex);
      for (auto& a : done) applied.push_back(std::move(a));
      told_more.notify_all();
    });
  }
  void append(const std::string& request_id, std::vector<inbound_message_input> messages) {
    live_keys live(*db, keys);
    inbound_journal(*db, live).append(request_id, messages, t0);
  }
  batch_outcome webhook(std::vector<inbound_message_input> messages, const std::string& request_id) {
    inbound_batch b;
    b.messages = std::move(messages);
    b.request_id = request_id;
    return run_blocking(store->apply(std::move(b), t0));
  }
  // Returns once n webhooks' rows were told applied and the engine's
  // thread is idle.
  void wait_applied(std::size_t n) {
    {
      std::unique_lock lock(told_mutex);
      REQUIRE(told_more.wait_for(lock, std::chrono::seconds(60), [&] { return applied.size() >= n; }));
    }
    // A step that told may have posted one more (which finds nothing and
    // posts none), queued behind or ahead of the first call: after two
    // calls through the engine's queue its thread is idle.
    (void)store->count();
    (void)store->count();
  }
  std::int64_t count(const std::string& sql) { return db->execAndGet(sql).getInt64(); }
  bool subscribed(const std::string& e164) {
    SQLite::Statement q(*db, "SELECT COUNT(*) FROM subscribers WHERE phone_hash = :h");
    const auto h = crypto::phone_hash(keys, e164);
    q.bind(":h", h.data(), static_cast<int>(h.size()));
    q.executeStep();
    return q.getColumn(0).getInt() == 1;
  }
};

}  // namespace

TEST_CASE("a journal row keeps every field of a webhook's messages and refuses what it did not write") {
  inbound_message_input located{"wamid.A", elena, "location", "", t0, "", cap::geo_point{44.42, 11.91}, "lugo-num"};
  inbound_message_input tapped{"wamid.B", marco, "interactive", "Cambia zona", t0 + 1, "choices.areas"};
  const std::vector<inbound_message_input> both{located, tapped};
  const auto back = decode_messages(encode_messages(both));
  REQUIRE(back.size() == 2);
  CHECK(back[0].message_id == "wamid.A");
  CHECK(back[0].from == elena);
  CHECK(back[0].type == "location");
  CHECK(back[0].sent_at_ms == t0);
  REQUIRE(back[0].location);
  CHECK(*back[0].location == cap::geo_point{44.42, 11.91});
  CHECK(back[0].number_id == "lugo-num");
  CHECK(back[1].text == "Cambia zona");
  CHECK(back[1].reply_id == "choices.areas");
  CHECK_FALSE(back[1].location);
  CHECK(back[1].number_id.empty());

  for (const char* bad : {"", "{}", "[1]", R"([{"id":"x"}])", R"([{"id":"x","from":"1","type":"text","text":"a"}])",
                          R"([{"id":"x","from":"1","type":"text","text":"a","sent":"1"}])",
                          R"([{"id":"x","from":"1","type":"text","text":"a","sent":1,"at":[1]}])",
                          R"([{"id":7,"from":"1","type":"text","text":"a","sent":1}])", "[{]"})
    CHECK_THROWS_AS(decode_messages(bad), std::runtime_error);
}

TEST_CASE("a journal row is sealed: no number or text in clear, and it opens only in its own row") {
  auto db = fresh_database();
  const auto keys = crypto::generate_data_keys();
  live_keys live(*db, keys);
  inbound_journal journal(*db, live);
  CHECK(journal.empty());
  journal.append("req-1", {says(elena, "Attiva via Garibaldi", "wamid.1")}, t0);
  journal.append("req-2", {says(marco, "Disattiva", "wamid.2")}, t0 + 1);
  CHECK_FALSE(journal.empty());
  CHECK(journal.depth() == 2);

  const auto sealed = blob_of(*db, "SELECT sealed FROM inbound_journal WHERE seq = 1");
  CHECK(sealed.find(elena) == std::string::npos);
  CHECK(sealed.find("Garibaldi") == std::string::npos);
  CHECK(sealed.find("wamid") == std::string::npos);

  auto rows = journal.oldest(10);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].seq == 1);
  CHECK(rows[0].request_id == "req-1");
  CHECK(rows[0].received_at_ms == t0);
  REQUIRE(rows[0].messages.size() == 1);
  CHECK(rows[0].messages[0].text == "Attiva via Garibaldi");
  CHECK(rows[1].messages[0].from == marco);

  // Row 1's ciphertext moved into row 2 does not open there.
  SQLite::Statement swap(*db, "UPDATE inbound_journal SET sealed = :s WHERE seq = 2");
  swap.bind(":s", sealed.data(), static_cast<int>(sealed.size()));
  swap.exec();
  rows = journal.oldest(10);
  CHECK_FALSE(rows[0].unreadable);
  CHECK(rows[1].unreadable);

  journal.remove(1);
  journal.remove(2);
  CHECK(journal.empty());
  CHECK(journal.depth() == 0);
}

TEST_CASE("a key rotation seals the rows waiting in the journal under the new key") {
  auto db = fresh_database();
  const auto old_keys = crypto::generate_data_keys();
  {
    live_keys live(*db, old_keys);
    inbound_journal(*db, live).append("req-1", {says(elena, "Attiva", "wamid.1")}, t0);
  }
  auto new_keys = crypto::with_new_encryption_key(old_keys);
  CHECK(reseal_pass(*db, new_keys, 10).resealed == 1);
  new_keys.retired.clear();  // the old key is gone
  live_keys live(*db, new_keys);
  const auto rows = inbound_journal(*db, live).oldest(1);
  REQUIRE(rows.size() == 1);
  CHECK_FALSE(rows[0].unreadable);
  CHECK(rows[0].messages[0].from == elena);
}

TEST_CASE("a busy webhook is answered once its messages are journaled; they are applied after, in order") {
  world w;
  auto first = w.webhook({says(elena, "Attiva", "wamid.1")}, "req-1");
  CHECK(first.journaled == 1);
  CHECK(first.results.empty());
  CHECK(w.webhook({says(elena, "Disattiva", "wamid.2")}, "req-2").journaled == 1);
  CHECK(w.webhook({says(marco, "Attiva", "wamid.3"), says(marco, "Info", "wamid.4")}, "req-3").journaled == 2);
  w.wait_applied(3);

  CHECK(w.count("SELECT COUNT(*) FROM inbound_journal") == 0);
  CHECK_FALSE(w.subscribed(elena));  // Attiva, then Disattiva: in that order
  CHECK(w.subscribed(marco));
  CHECK(w.count("SELECT COUNT(*) FROM consent_log") == 3);
  CHECK(w.count("SELECT COUNT(*) FROM inbound_messages") == 4);
  CHECK(w.count("SELECT COUNT(*) FROM outbox") == 4);  // a reply each
  // Applied with the time they were received at.
  CHECK(w.count("SELECT MIN(received_at) FROM inbound_messages") == t0);

  REQUIRE(w.applied.size() == 3);
  CHECK(w.applied[0].request_id == "req-1");
  REQUIRE(w.applied[0].results.size() == 1);
  CHECK(w.applied[0].results[0].decision == domain::decision::subscribe);
  CHECK(w.applied[1].results[0].decision == domain::decision::unsubscribe);
  REQUIRE(w.applied[2].results.size() == 2);
  CHECK(w.applied[2].results[0].decision == domain::decision::subscribe);
  CHECK(w.applied[2].results[0].phone_tag.find(marco) == std::string::npos);
}

TEST_CASE("a message Meta delivers again while the first copy waits in the journal is applied once") {
  world w;
  w.webhook({says(elena, "Attiva", "wamid.1")}, "req-1");
  w.webhook({says(elena, "Attiva", "wamid.1")}, "req-2");
  w.wait_applied(2);
  CHECK(w.count("SELECT COUNT(*) FROM subscribers") == 1);
  CHECK(w.count("SELECT COUNT(*) FROM inbound_messages") == 1);
  CHECK(w.count("SELECT COUNT(*) FROM outbox") == 1);
  REQUIRE(w.applied.size() == 2);
  CHECK_FALSE(w.applied[0].results[0].duplicate);
  CHECK(w.applied[1].results[0].duplicate);
}

TEST_CASE("alone and with the journal empty, a webhook's messages are applied before its answer") {
  world w(world::options(4));
  const auto out = w.webhook({says(elena, "Attiva", "wamid.1")}, "req-1");
  CHECK(out.journaled == 0);
  REQUIRE(out.results.size() == 1);
  CHECK(out.results[0].decision == domain::decision::subscribe);
  CHECK(w.subscribed(elena));
  (void)w.store->count();
  CHECK(w.applied.empty());
}

TEST_CASE("rows a stopped process left in the journal are applied when the engine starts") {
  world w(std::nullopt);
  w.append("req-1", {says(elena, "Attiva", "wamid.1")});
  w.append("req-2", {says(marco, "Attiva", "wamid.2")});
  w.start(world::options());
  w.wait_applied(2);
  CHECK(w.count("SELECT COUNT(*) FROM inbound_journal") == 0);
  CHECK(w.count("SELECT COUNT(*) FROM subscribers") == 2);
  CHECK(w.count("SELECT COUNT(*) FROM outbox") == 2);
}

TEST_CASE("a row no key opens is set aside, and the rows after it are applied") {
  world w(std::nullopt);
  w.append("req-1", {says(elena, "Attiva", "wamid.1")});
  w.append("req-2", {says(marco, "Attiva", "wamid.2")});
  w.db->exec("UPDATE inbound_journal SET sealed = x'00' WHERE seq = 1");
  w.start(world::options());
  w.wait_applied(2);
  CHECK(w.applied[0].unreadable);
  CHECK(w.applied[0].results.empty());
  CHECK_FALSE(w.applied[1].unreadable);
  CHECK(w.count("SELECT COUNT(*) FROM inbound_journal") == 0);
  CHECK(w.count("SELECT COUNT(*) FROM subscribers") == 1);
}

TEST_CASE("past its limit the journal is applied by the webhooks that add to it, in order, once each") {
  // Whatever share of the rows the idle steps apply and whatever share the
  // webhooks do, each message is applied once, in the order it came.
  world w(world::options(0, 2, 1));
  for (int i = 0; i < 12; ++i) {
    const auto& who = i % 2 == 0 ? elena : marco;
    w.webhook({says(who, i % 4 < 2 ? "Attiva" : "Disattiva", "wamid." + std::to_string(i))},
              "req-" + std::to_string(i));
  }
  w.wait_applied(12);
  CHECK(w.count("SELECT COUNT(*) FROM inbound_journal") == 0);
  CHECK(w.count("SELECT COUNT(*) FROM inbound_messages") == 12);
  // In the order they came: each number's consents alternate, and the last
  // two messages were Disattiva.
  CHECK_FALSE(w.subscribed(elena));
  CHECK_FALSE(w.subscribed(marco));
  for (const auto& who : {elena, marco}) {
    SQLite::Statement q(*w.db, "SELECT event FROM consent_log WHERE phone_hash = :h ORDER BY id");
    const auto h = crypto::phone_hash(w.keys, who);
    q.bind(":h", h.data(), static_cast<int>(h.size()));
    std::vector<std::string> events;
    while (q.executeStep()) events.push_back(q.getColumn(0).getString());
    CHECK(events == std::vector<std::string>{"subscribe", "unsubscribe", "subscribe", "unsubscribe", "subscribe",
                                             "unsubscribe"});
  }
  // Each webhook's messages told once (the order of the telling may differ
  // between rows a webhook applied and rows a step applied).
  REQUIRE(w.applied.size() == 12);
  std::vector<std::string> told;
  for (const auto& a : w.applied) told.push_back(a.request_id);
  std::sort(told.begin(), told.end());
  CHECK(std::adjacent_find(told.begin(), told.end()) == told.end());
}

TEST_CASE("a row whose message fails to apply is set aside alone, and the rows around it are applied") {
  world w(std::nullopt);
  // The database refuses one kind of message, as a broken row would fail.
  w.db->exec("CREATE TRIGGER refuse_poison BEFORE INSERT ON inbound_messages WHEN NEW.type = 'poison' "
             "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  w.append("req-1", {says(elena, "Attiva", "wamid.1")});
  auto poison = says(marco, "Attiva", "wamid.2");
  poison.type = "poison";
  w.append("req-2", {poison});
  w.append("req-3", {says(marco, "Attiva", "wamid.3")});
  w.start(world::options());
  // The step of three fails and is undone; then one row at a time: the
  // first applied, the second dropped, the third applied.
  w.wait_applied(2);
  CHECK(w.applied[0].request_id == "req-1");
  CHECK(w.applied[1].request_id == "req-3");
  CHECK(w.count("SELECT COUNT(*) FROM inbound_journal") == 0);
  CHECK(w.count("SELECT COUNT(*) FROM inbound_messages") == 2);
  CHECK(w.count("SELECT COUNT(*) FROM subscribers") == 2);
}

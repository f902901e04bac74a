// Webhook ingest under concurrency: many signed notifications arriving
// together share group commits, yet each is applied exactly once and
// answered 200 only once its changes are committed (applied, or sealed in
// the inbound journal and applied after, also across a kill -9). And
// wa-sim posts statuses as Meta does: one per request, from several
// connections.
#include "harness.hpp"

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/testing/webhook_bodies.hpp>
#include <banditore/whatsapp/signature.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <csignal>
#include <map>
#include <memory>

using namespace harness;
namespace wa = banditore::whatsapp;
namespace testing = banditore::testing;

namespace {

struct world {
  temp_dir dir;
  wa_sim sim{dir.path};
  banditore_server app;
  explicit world(std::map<std::string, std::string> env = {}) : app(dir.path, sim, std::move(env)) {
    app.start();
    sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}, {"statuses", true}});
  }
};

std::string number(int i) { return "39351" + std::to_string(1000000 + i); }

std::string attiva_from(int i, int round) {
  testing::simulated_message m;
  m.id = "wamid.ingest-" + std::to_string(i);
  m.from = number(i);
  m.profile_name = "Cittadino";
  m.text = "Attiva";
  m.timestamp = 1700000000 + round;
  std::vector<testing::simulated_message> one{m};
  return testing::make_text_message_notification(sim_phone_number_id, "390000000000", one);
}

// What each request saw: its answer, and whether its subscriber was
// already readable from another connection when the answer arrived.
struct outcome {
  int status = 0;
  bool visible_at_answer = false;
};

struct checker {
  fs::path db_file;
  banditore::crypto::data_keys keys;
  std::unique_ptr<SQLite::Database> reader;  // a connection of its own, as another process would have
  bool subscribed(const std::string& e164) {
    const auto hash = banditore::crypto::phone_hash(keys, e164);
    SQLite::Statement q(*reader, "SELECT COUNT(*) FROM subscribers WHERE phone_hash = ?");
    q.bind(1, hash.data(), static_cast<int>(hash.size()));
    q.executeStep();
    return q.getColumn(0).getInt() == 1;
  }
};

// The checker of a world's database, with its own connection.
checker checker_of(const world& w) {
  checker c{w.app.db_file, banditore::crypto::read_key_file(w.dir.path / "banditore.key"),
            std::make_unique<SQLite::Database>(w.app.db_file.string(), SQLite::OPEN_READONLY)};
  c.reader->setBusyTimeout(5000);
  return c;
}

boost::asio::awaitable<void> post_one(banditore::http::client& client, checker& check, int i, int round,
                                      outcome& out) {
  auto body = attiva_from(i, round);
  std::vector<banditore::http::header_field> headers{{"Content-Type", "application/json"},
                                                     {"X-Hub-Signature-256", wa::sign_body(body, sim_secret)}};
  auto res = co_await client.request("POST", "", std::move(body), std::move(headers));
  out.status = res.status;
  // Checked at once, before this coroutine yields again: a 200 must mean
  // the subscription is already committed.
  if (res.status == 200) out.visible_at_answer = check.subscribed(number(i));
}

// n webhooks at once over up to 32 connections; returns what each saw.
std::vector<outcome> post_together(const std::string& base, checker& check, int n, int round) {
  boost::asio::io_context io;
  banditore::http::client_options options;
  options.base = base + "/webhook/whatsapp";
  options.max_connections = 32;
  banditore::http::client client(io.get_executor(), options);
  std::vector<outcome> outcomes(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    boost::asio::co_spawn(io, post_one(client, check, i, round, outcomes[static_cast<std::size_t>(i)]),
                          boost::asio::detached);
  io.run();
  return outcomes;
}

}  // namespace

TEST_CASE("concurrent signed webhooks are each applied exactly once and answered only after their commit") {
  // Every message applied before its answer, however many webhooks share
  // a commit (the inbound journal is the next test's).
  world w(std::map<std::string, std::string>{{"BANDITORE_INBOUND_DIRECT_LIMIT", "256"}});
  w.sim.configure({{"statuses", false}});
  auto check = checker_of(w);
  constexpr int n = 200;

  auto first = post_together(w.app.base, check, n, 0);
  int answered = 0, visible = 0;
  for (const auto& o : first) {
    answered += o.status == 200;
    visible += o.visible_at_answer;
  }
  CHECK(answered == n);
  CHECK(visible == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM consent_log WHERE event = 'subscribe'") == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages") == n);

  // Meta redelivers: the same message ids again, all at once, change nothing.
  auto again = post_together(w.app.base, check, n, 0);
  int answered_again = 0;
  for (const auto& o : again) answered_again += o.status == 200;
  CHECK(answered_again == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM consent_log") == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages") == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM outbox") == n);  // one confirmation each

  // The requests really were grouped: fewer commits than requests.
  const auto metrics = call(w.app.base, "GET", "/metrics").body;
  const std::string series = "banditore_db_group_commits_total ";
  const auto at = metrics.find("\n" + series);
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(metrics.substr(at + 1 + series.size())) < 2 * n);
}

TEST_CASE("journaled webhooks are each applied exactly once, in the background and after a kill -9") {
  world w(std::map<std::string, std::string>{{"BANDITORE_INBOUND_DIRECT_LIMIT", "0"}});
  w.sim.configure({{"statuses", false}});
  auto check = checker_of(w);
  constexpr int n = 200;

  // Answered once journaled; the process is killed at once, with rows
  // perhaps still waiting, and started again.
  auto first = post_together(w.app.base, check, n, 0);
  int answered = 0;
  for (const auto& o : first) answered += o.status == 200;
  CHECK(answered == n);
  w.app.stop(SIGKILL);
  w.app.start();
  auto applied = [&] {
    return count(w.app.db_file, "SELECT COUNT(*) FROM inbound_journal") == 0 &&
           count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == n;
  };
  CHECK(wait_until(applied));
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM consent_log WHERE event = 'subscribe'") == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages") == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM outbox") == n);  // one confirmation each

  // Meta redelivers the same ids: journaled again, applied as duplicates.
  auto again = post_together(w.app.base, check, n, 0);
  int answered_again = 0;
  for (const auto& o : again) answered_again += o.status == 200;
  CHECK(answered_again == n);
  CHECK(wait_until([&] { return count(w.app.db_file, "SELECT COUNT(*) FROM inbound_journal") == 0; }));
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM inbound_messages") == n);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM outbox") == n);

  // Each applied message is logged (as duplicate the second time), and no
  // number is in the log.
  const auto log = read_file(w.app.log_file);
  CHECK(log.find("\"duplicate\":true") != std::string::npos);
  for (int i = 0; i < n; ++i) CHECK(log.find(number(i).substr(3)) == std::string::npos);
}

TEST_CASE("wa-sim posts sent, delivered and read for every accepted message, one status per request") {
  world w;
  auto phones = w.sim.subscribe_many(40, "3936");
  // Each confirmation was sent, delivered and read: 120 statuses in 120
  // requests, all applied.
  REQUIRE(wait_until([&] {
    return count(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE state = 'read'") == 40;
  }));
  REQUIRE(wait_until([&] { return w.sim.stats().value("statuses_posted", 0) == 120; }));
  const auto stats = w.sim.stats();
  CHECK(stats.value("status_webhooks", 0) == 120);
  CHECK(stats.value("status_retries", 0) == 0);
}

TEST_CASE("wa-sim batches statuses when asked") {
  world w;
  w.sim.configure({{"status_batch", 50}, {"status_delay_ms", 200}});
  auto phones = w.sim.subscribe_many(40, "3937");
  REQUIRE(wait_until([&] {
    return count(w.app.db_file, "SELECT COUNT(*) FROM outbox WHERE state = 'read'") == 40;
  }));
  REQUIRE(wait_until([&] { return w.sim.stats().value("statuses_posted", 0) == 120; }));
  CHECK(w.sim.stats().value("status_webhooks", 0) < 120);
}

TEST_CASE("a send delivered but never answered is sent again, and only those are duplicates") {
  alert_world w(std::map<std::string, std::string>{{"BANDITORE_WA_TIMEOUT_MS", "300"}});
  auto phones = w.sim.subscribe_many(200);
  w.sim.configure({{"timeout_hold_ms", 1000}});
  call(w.sim.base, "POST", "/sim/faults", json{{"kind", "delivered_timeout"}, {"count", 7}}.dump());
  json alert = {{"category", "water"}, {"severity", "severe"}, {"title", "Guasto acquedotto"},
                {"text", "Via Roma senz'acqua fino alle 18."}};
  auto id = w.post_alert(alert)["id"].get<std::int64_t>();
  auto report = w.await_state(id, "done");
  CHECK(report["reached"] == 200);
  const auto stats = w.sim.stats();
  CHECK(stats.value("delivered_unanswered", 0) == 7);
  int duplicates = 0, missing = 0;
  for (const auto& p : phones) {
    int copies = 0;
    for (const auto& t : w.sim.texts(p)) copies += t.find("Guasto acquedotto") != std::string::npos;
    duplicates += copies > 1 ? copies - 1 : 0;
    missing += copies == 0;
  }
  CHECK(missing == 0);
  // Each unanswered send was retried once the deadline passed: the citizen
  // got it twice. Nothing else is sent twice.
  CHECK(duplicates == 7);
}

#include <banditore/store/sqlite/outbox.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/live_keys.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <string>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

constexpr std::int64_t now = 1'700'000'000'000;

struct fixture {
  std::unique_ptr<SQLite::Database> db = [] {
    auto d = open_database(":memory:");
    migrate(*d);
    return d;
  }();
  crypto::data_keys keys = crypto::generate_data_keys();
  live_keys live{*db, keys};
  outbox out{*db, live};

  // A reply leased and sent: its row is 'sent' under the given message id.
  std::int64_t sent_reply(const std::string& wamid) {
    const auto phone = crypto::phone_hash(keys, "393331234567");
    const auto id = out.enqueue_reply(phone, "393331234567", "Iscrizione confermata", now);
    REQUIRE(out.lease(10, now, 60'000).size() == 1);
    send_record r;
    r.id = id;
    r.kind = result_kind::sent;
    r.provider_message_id = wamid;
    out.record({r}, now);
    return id;
  }

  std::string state_of(std::int64_t id) {
    SQLite::Statement q(*db, "SELECT state FROM outbox WHERE id = ?");
    q.bind(1, id);
    REQUIRE(q.executeStep());
    return q.getColumn(0).getString();
  }
};

}  // namespace

TEST_CASE("a delivery reference names its outbox row and reads back") {
  CHECK(delivery_reference(42) == "outbox:42");
  CHECK(parse_delivery_reference(delivery_reference(42)) == 42);
  CHECK(parse_delivery_reference(delivery_reference(9'007'199'254'740'993)) == 9'007'199'254'740'993);
}

TEST_CASE("callback data that is not a delivery reference names no row") {
  for (const char* text : {"", "outbox:", "outbox:0", "outbox:012", "outbox:-3", "outbox:12x", "outbox: 12", "inbox:12",
                           "12", "outbox:99999999999999999999"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_delivery_reference(text).has_value());
  }
}

TEST_CASE("a status with its delivery reference and message id moves the row") {
  fixture f;
  const auto id = f.sent_reply("wamid.A1");
  CHECK(f.out.apply_status("wamid.A1", delivery_reference(id), status_kind::delivered, now + 5, 0, "", now + 5) ==
        status_outcome::applied);
  CHECK(f.state_of(id) == "delivered");
}

TEST_CASE("a status without a delivery reference is not ours and changes nothing") {
  fixture f;
  const auto id = f.sent_reply("wamid.A1");
  CHECK(f.out.apply_status("wamid.A1", "", status_kind::read, now + 5, 0, "", now + 5) == status_outcome::unknown);
  CHECK(f.state_of(id) == "sent");
}

TEST_CASE("a status whose message id is not the one recorded for the row changes nothing") {
  fixture f;
  const auto id = f.sent_reply("wamid.A1");
  CHECK(f.out.apply_status("wamid.OTHER", delivery_reference(id), status_kind::read, now + 5, 0, "", now + 5) ==
        status_outcome::unknown);
  CHECK(f.state_of(id) == "sent");
}

TEST_CASE("a status that overtakes the send's answer waits and applies when the send is recorded") {
  fixture f;
  const auto phone = crypto::phone_hash(f.keys, "393331234567");
  const auto id = f.out.enqueue_reply(phone, "393331234567", "Iscrizione confermata", now);
  REQUIRE(f.out.lease(10, now, 60'000).size() == 1);
  CHECK(f.out.apply_status("wamid.A1", delivery_reference(id), status_kind::delivered, now + 5, 0, "", now + 5) ==
        status_outcome::kept_early);
  CHECK(f.state_of(id) == "sending");
  send_record r;
  r.id = id;
  r.kind = result_kind::sent;
  r.provider_message_id = "wamid.A1";
  f.out.record({r}, now + 6);
  CHECK(f.state_of(id) == "delivered");
}

TEST_CASE("the next due time is the earliest over every priority, not the first priority's") {
  fixture f;
  CHECK_FALSE(f.out.next_due().has_value());
  const auto phone = crypto::phone_hash(f.keys, "393331234567");
  const auto reply = f.out.enqueue_reply(phone, "393331234567", "Iscrizione confermata", now);
  const auto later = f.out.enqueue_reply(phone, "393331234567", "Iscrizione confermata", now);
  SQLite::Statement move(*f.db, "UPDATE outbox SET priority = :priority, not_before = :at WHERE id = :id");
  auto set = [&](std::int64_t id, int priority, std::int64_t at) {
    move.reset();
    move.bind(":priority", priority);
    move.bind(":at", at);
    move.bind(":id", id);
    move.exec();
  };
  set(reply, 0, now + 5000);
  set(later, 40, now + 100);
  CHECK(f.out.next_due() == now + 100);
  set(later, 40, now + 9000);
  CHECK(f.out.next_due() == now + 5000);
}

TEST_CASE("cancelling a leaving subscriber's deliveries seeks them instead of scanning the queue") {
  // Mid-broadcast the queue holds up to every subscriber: Disattiva and
  // 131050 must not read it all.
  fixture f;
  SQLite::Statement plan(*f.db, std::string("EXPLAIN QUERY PLAN ") + cancel_queued_for_subscriber_sql);
  std::string steps;
  while (plan.executeStep()) steps += plan.getColumn(3).getString() + "\n";
  CAPTURE(steps);
  CHECK(steps.find("SEARCH outbox USING INDEX") != std::string::npos);
  CHECK(steps.find("SCAN outbox") == std::string::npos);
}

namespace {

// A subscriber whose number opens with the fixture's keys; returns its id.
std::int64_t add_subscriber(fixture& f, const std::string& e164) {
  const auto hash = crypto::phone_hash(f.keys, e164);
  SQLite::Statement ins(*f.db, "INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (?, ?, 0)");
  const auto sealed = crypto::seal_phone(f.keys, e164, hash);
  ins.bind(1, hash.data(), static_cast<int>(hash.size()));
  ins.bind(2, sealed.data(), static_cast<int>(sealed.size()));
  ins.exec();
  return f.db->getLastInsertRowid();
}

// An alert row with one queued delivery to the subscriber.
std::int64_t add_alert(fixture& f, std::int64_t subscriber, int priority, std::int64_t not_before,
                       const std::string& source = "api") {
  f.db->exec("INSERT INTO alerts (category, severity, title, text, priority, state, source, not_before, created_at) "
             "VALUES ('other', 'minor', 't', 'x', " + std::to_string(priority) + ", 'sending', '" + source + "', " +
             std::to_string(not_before) + ", " + std::to_string(now) + ")");
  const auto alert = f.db->getLastInsertRowid();
  f.db->exec("INSERT INTO outbox (priority, phone_hash, alert_id, subscriber_id, not_before, created_at, updated_at) "
             "SELECT " + std::to_string(priority) + ", phone_hash, " + std::to_string(alert) + ", id, " +
             std::to_string(not_before) + ", 0, 0 FROM subscribers WHERE id = " + std::to_string(subscriber));
  return alert;
}

}  // namespace

TEST_CASE("an alert to an imported number waits for the welcome notice, which is brought forward") {
  fixture f;
  const auto imported = add_subscriber(f, "393331111111");
  const auto other = add_subscriber(f, "393332222222");
  // The notice is held until the morning (quiet hours), the alert is urgent.
  const auto welcome = add_alert(f, imported, 40, now + 3'600'000, "import");
  f.db->exec("UPDATE subscribers SET welcome_alert_id = " + std::to_string(welcome) + " WHERE id = " +
             std::to_string(imported));
  const auto urgent = add_alert(f, imported, 10, now);
  f.db->exec("INSERT INTO outbox (priority, phone_hash, alert_id, subscriber_id, not_before, created_at, updated_at) "
             "SELECT 10, phone_hash, " + std::to_string(urgent) + ", id, 0, 0, 0 FROM subscribers WHERE id = " +
             std::to_string(other));

  auto first = f.out.lease(10, now, 60'000);
  // The other subscriber's delivery goes; the imported one's waits.
  REQUIRE(first.size() == 1);
  CHECK(first[0].subscriber_id == other);
  CHECK(f.db->execAndGet("SELECT error_title FROM outbox WHERE alert_id = " + std::to_string(urgent) +
                         " AND subscriber_id = " + std::to_string(imported)).getString() == waiting_for_welcome);
  // The notice is due now, ahead of the alert's priority.
  auto second = f.out.lease(10, now + 1, 60'000);
  REQUIRE(second.size() == 1);
  CHECK(second[0].alert_id == welcome);
  CHECK(second[0].priority == 10);
  // Nothing else leaves for that person while the notice is being sent...
  CHECK(f.out.lease(10, now + welcome_wait_ms + 1, 60'000).empty());
  send_record sent;
  sent.id = second[0].id;
  sent.alert_id = welcome;
  sent.subscriber_id = imported;
  sent.kind = result_kind::sent;
  sent.provider_message_id = "wamid.welcome";
  f.out.record({sent}, now + 2);
  // ...and once it has left, the alert follows.
  auto third = f.out.lease(10, now + 2 * welcome_wait_ms + 2, 60'000);
  REQUIRE(third.size() == 1);
  CHECK(third[0].alert_id == urgent);
  CHECK(third[0].subscriber_id == imported);
}

TEST_CASE("the welcome notice itself and subscribers without one are never held") {
  fixture f;
  const auto imported = add_subscriber(f, "393331111111");
  const auto welcome = add_alert(f, imported, 40, now, "import");
  f.db->exec("UPDATE subscribers SET welcome_alert_id = " + std::to_string(welcome));
  auto items = f.out.lease(10, now, 60'000);
  REQUIRE(items.size() == 1);
  CHECK(items[0].alert_id == welcome);
}

TEST_CASE("a reply's buttons come back with it when leased") {
  fixture f;
  const auto phone = crypto::phone_hash(f.keys, "393331234567");
  f.out.enqueue_reply(phone, "393331234567", "Vuoi ricevere gli avvisi?", now,
                      {{"banditore:join", "Attiva"}, {"banditore:leave", "Disattiva"}});
  f.out.enqueue_reply(phone, "393331234567", "plain", now + 1);
  auto items = f.out.lease(10, now + 10, 60'000);
  REQUIRE(items.size() == 2);
  REQUIRE(items[0].buttons.size() == 2);
  CHECK(items[0].buttons[0].id == "banditore:join");
  CHECK(items[0].buttons[1].title == "Disattiva");
  CHECK(items[1].buttons.empty());
}

TEST_CASE("a reply that is sent, failed or cancelled keeps neither its text nor its buttons") {
  fixture f;
  const auto phone = crypto::phone_hash(f.keys, "393331234567");
  const auto sent = f.sent_reply("wamid.sent");
  const auto failed = f.out.enqueue_reply(phone, "393331234567", "Ora ricevi: Voltana, acqua", now + 1,
                                          {{"banditore:join", "Attiva"}});
  const auto waiting = f.out.enqueue_reply(phone, "393331234567", "Attiva per Voltana", now + 2);
  auto leased = f.out.lease(1, now + 1, 60'000);
  REQUIRE(leased.size() == 1);
  REQUIRE(leased[0].id == failed);
  send_record r;
  r.id = failed;
  r.kind = result_kind::failed;
  r.error_code = 131026;
  r.error_title = "Message undeliverable";
  f.out.record({r}, now + 1);
  // A queued reply whose number was erased is cancelled when next leased.
  f.db->exec("UPDATE outbox SET recipient_cipher = NULL WHERE id = " + std::to_string(waiting));
  CHECK(f.out.lease(10, now + 3, 60'000).empty());

  SQLite::Statement q(*f.db, "SELECT COUNT(*) FROM outbox WHERE body IS NOT NULL OR buttons IS NOT NULL "
                             "OR recipient_cipher IS NOT NULL");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getInt() == 0);
  CHECK(f.state_of(sent) == "sent");
  CHECK(f.state_of(failed) == "failed");
  CHECK(f.state_of(waiting) == "cancelled");
}

TEST_CASE("a delivery of an alert for one town carries that town's name; for several or all, none") {
  fixture f;
  f.db->exec("INSERT INTO towns (id, name) VALUES ('lugo', 'Comune di Lugo'), ('cotignola', 'Comune di Cotignola')");
  const auto a = add_subscriber(f, "393331111111");
  const auto one = add_alert(f, a, 10, now);
  const auto two = add_alert(f, a, 10, now);
  const auto all = add_alert(f, a, 10, now);
  f.db->exec("UPDATE alerts SET towns = '[\"lugo\"]' WHERE id = " + std::to_string(one));
  f.db->exec("UPDATE alerts SET towns = '[\"lugo\",\"cotignola\"]' WHERE id = " + std::to_string(two));
  auto leased = f.out.lease(10, now, 60'000);
  REQUIRE(leased.size() == 3);
  for (const auto& item : leased) {
    INFO("alert " << item.alert_id);
    CHECK(item.town == (item.alert_id == one ? "Comune di Lugo" : ""));
  }
  (void)all;
}

TEST_CASE("a delivery of an alert for several towns carries each recipient's own town") {
  fixture f;
  f.db->exec("INSERT INTO towns (id, name) VALUES ('lugo', 'Comune di Lugo'), ('cotignola', 'Comune di Cotignola'), "
             "('fusignano', 'Comune di Fusignano')");
  const auto in_lugo = add_subscriber(f, "393331111111");
  const auto in_cotignola = add_subscriber(f, "393332222222");
  const auto in_both = add_subscriber(f, "393333333333");
  f.db->exec("INSERT INTO subscriber_towns (town_id, subscriber_id) VALUES ('lugo', " + std::to_string(in_lugo) +
             "), ('cotignola', " + std::to_string(in_cotignola) + "), ('lugo', " + std::to_string(in_both) +
             "), ('fusignano', " + std::to_string(in_both) + ")");
  const auto two = add_alert(f, in_lugo, 10, now);
  f.db->exec("UPDATE alerts SET towns = '[\"lugo\",\"cotignola\"]' WHERE id = " + std::to_string(two));
  const auto to_all = add_alert(f, in_lugo, 10, now);
  f.db->exec("INSERT INTO outbox (priority, phone_hash, subscriber_id, alert_id, not_before, created_at, updated_at) "
             "SELECT 10, s.phone_hash, s.id, a.id, 0, 0, 0 FROM subscribers s, alerts a WHERE s.id <> " +
             std::to_string(in_lugo));
  auto leased = f.out.lease(10, now, 60'000);
  REQUIRE(leased.size() == 6);
  for (const auto& item : leased) {
    INFO("alert " << item.alert_id << " subscriber " << item.subscriber_id);
    if (item.subscriber_id == in_lugo) CHECK(item.town == "Comune di Lugo");
    if (item.subscriber_id == in_cotignola) CHECK(item.town == "Comune di Cotignola");
    // Lugo is the only town of the alert they chose; to all, they chose two: the deployment's name.
    if (item.subscriber_id == in_both) CHECK(item.town == (item.alert_id == two ? "Comune di Lugo" : ""));
  }
  (void)to_all;
}

TEST_CASE("with several numbers a lease takes one number's rows, and a reply goes on the number written to") {
  fixture f;
  const auto phone = crypto::phone_hash(f.keys, "393331234567");
  const auto on_lugo = f.out.enqueue_reply(phone, "393331234567", "Iscrizione confermata", now, {}, {}, "lugo");
  const auto on_bagna = f.out.enqueue_reply(phone, "393331234567", "Iscrizione confermata", now, {}, {}, "bagnacavallo");
  delivery_policy bagna;
  bagna.number_id = "bagnacavallo";
  auto leased = f.out.lease(10, now, 60'000, bagna);
  REQUIRE(leased.size() == 1);
  CHECK(leased[0].id == on_bagna);
  CHECK(leased[0].number_id == "bagnacavallo");
  delivery_policy lugo;
  lugo.number_id = "lugo";
  lugo.template_available = true;  // the variant that reads the number's window
  leased = f.out.lease(10, now, 60'000, lugo);
  REQUIRE(leased.size() == 1);
  CHECK(leased[0].id == on_lugo);
}

TEST_CASE("rows of no number or of a number no longer configured are adopted by the first number") {
  fixture f;
  const auto phone = crypto::phone_hash(f.keys, "393331234567");
  const auto old = f.out.enqueue_reply(phone, "393331234567", "prima", now);
  const auto gone = f.out.enqueue_reply(phone, "393331234567", "altro", now, {}, {}, "fusignano");
  const auto kept = f.out.enqueue_reply(phone, "393331234567", "resta", now, {}, {}, "bagnacavallo");
  CHECK(f.out.adopt_unrouted({"lugo", "bagnacavallo"}, now) == 2);
  auto number_of = [&](std::int64_t id) {
    SQLite::Statement q(*f.db, "SELECT number_id FROM outbox WHERE id = ?");
    q.bind(1, id);
    REQUIRE(q.executeStep());
    return q.getColumn(0).getString();
  };
  CHECK(number_of(old) == "lugo");
  CHECK(number_of(gone) == "lugo");
  CHECK(number_of(kept) == "bagnacavallo");
}

namespace {

// n subscribers, each with one queued delivery of one alert on the given
// number; nobody has written, so everyone is outside their window.
void deliveries_on(fixture& f, const std::string& number, const std::string& first_digits, int n) {
  for (int i = 0; i < n; ++i) {
    const auto digits = std::to_string(i);
    const auto subscriber = add_subscriber(f, first_digits + std::string(4 - digits.size(), '0') + digits);
    const auto alert = add_alert(f, subscriber, 2, now - 1);
    f.db->exec("UPDATE outbox SET number_id = '" + number + "' WHERE alert_id = " + std::to_string(alert));
  }
}

delivery_policy limited(const std::string& number, const std::string& portfolio) {
  delivery_policy p;
  p.number_id = number;
  p.portfolio = portfolio;
  p.tier_limit = 3;  // a tiny limit: the rule is the same at 250
  return p;
}

}  // namespace

TEST_CASE("two numbers of one portfolio share its messaging limit; another portfolio counts its own") {
  fixture f;
  deliveries_on(f, "lugo", "39333100", 2);
  deliveries_on(f, "bagnacavallo", "39333200", 2);
  deliveries_on(f, "conselice", "39333300", 2);
  // Lugo and Bagnacavallo are of portfolio 900: 3 people between them.
  CHECK(f.out.lease(10, now, 60'000, limited("lugo", "900")).size() == 2);
  CHECK(f.out.lease(10, now, 60'000, limited("bagnacavallo", "900")).size() == 1);
  // Conselice's number is of portfolio 901: its own 3.
  CHECK(f.out.lease(10, now, 60'000, limited("conselice", "901")).size() == 2);
  CHECK(f.out.limit_usage(3, now, "900").used == 3);
  CHECK(f.out.limit_usage(3, now, "901").used == 2);
  // The deployment's whole count goes on: 5 people reached.
  CHECK(f.out.limit_usage(3, now).used == 5);
  const auto usages = f.out.portfolio_usages(now);
  REQUIRE(usages.size() == 2);
  CHECK(usages[0].portfolio == "900");
  CHECK(usages[0].used == 3);
  CHECK(usages[0].frees_at == now + service_window_ms);
  CHECK(usages[1].used == 2);
  // Bagnacavallo's last delivery waits for portfolio 900's moving day.
  SQLite::Statement q(*f.db, "SELECT not_before, error_title FROM outbox WHERE number_id = 'bagnacavallo' AND state = 'queued'");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getInt64() == now + service_window_ms);
  CHECK(q.getColumn(1).getString() == std::string(waiting_for_limit));
  // A day later the portfolio has room again.
  CHECK(f.out.lease(10, now + service_window_ms + 1, 60'000, limited("bagnacavallo", "900")).size() == 1);
}

TEST_CASE("a person reached by one portfolio today counts once there, and again in another portfolio") {
  fixture f;
  const auto subscriber = add_subscriber(f, "393331234567");
  const auto first = add_alert(f, subscriber, 2, now - 1);
  f.db->exec("UPDATE outbox SET number_id = 'lugo' WHERE alert_id = " + std::to_string(first));
  REQUIRE(f.out.lease(10, now, 60'000, limited("lugo", "900")).size() == 1);
  // A second alert to the same person on the other number of portfolio
  // 900: already counted there today.
  const auto second = add_alert(f, subscriber, 2, now - 1);
  f.db->exec("UPDATE outbox SET number_id = 'bagnacavallo' WHERE alert_id = " + std::to_string(second));
  REQUIRE(f.out.lease(10, now + 1000, 60'000, limited("bagnacavallo", "900")).size() == 1);
  CHECK(f.out.limit_usage(3, now + 1000, "900").used == 1);
  // On a number of portfolio 901: a first time there.
  const auto third = add_alert(f, subscriber, 2, now - 1);
  f.db->exec("UPDATE outbox SET number_id = 'conselice' WHERE alert_id = " + std::to_string(third));
  REQUIRE(f.out.lease(10, now + 2000, 60'000, limited("conselice", "901")).size() == 1);
  CHECK(f.out.limit_usage(3, now + 2000, "901").used == 1);
  CHECK(f.out.limit_usage(3, now + 2000).used == 1);  // one person for the deployment
}

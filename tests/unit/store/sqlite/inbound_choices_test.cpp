#include <banditore/store/sqlite/inbound.hpp>

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/store/sqlite/audience.hpp>
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

constexpr std::int64_t now = 1'700'000'000'000;
const actor operator_cli{"cli", std::nullopt};
const std::string elena = "393351119988";

const std::string lugo_square =
    R"({"type":"Polygon","coordinates":[[[11.8,44.3],[11.95,44.3],[11.95,44.5],[11.8,44.5],[11.8,44.3]]]})";
const std::string voltana_square =
    R"({"type":"Polygon","coordinates":[[[11.9,44.4],[11.95,44.4],[11.95,44.5],[11.9,44.5],[11.9,44.4]]]})";

struct fixture {
  std::unique_ptr<SQLite::Database> db = [] {
    auto d = open_database(":memory:");
    migrate(*d);
    return d;
  }();
  crypto::data_keys keys = crypto::generate_data_keys();
  live_keys live{*db, keys};
  outbox out{*db, live};
  inbound_store in{*db, live, out};
  conversation_settings settings{domain::italian_replies("Lugo"), 24LL * 3600 * 1000, "it", "Lugo"};
  int n = 0;

  fixture() {
    seed_catalogue(*db, domain::town{"lugo", "Comune di Lugo", {}, {}});
    REQUIRE(add_catalogue_entry(*db, domain::area{"voltana", "lugo", "Voltana", {}}, operator_cli, now).ok());
  }

  inbound_result says(const std::string& text, const std::string& reply_id = {}) {
    inbound_message_input m{"wamid." + std::to_string(++n), elena, reply_id.empty() ? "text" : "interactive", text,
                            now, reply_id};
    in.refresh_catalogue();
    return in.handle(m, settings, now);
  }
  inbound_result shares(double lat, double lon) {
    inbound_message_input m{"wamid." + std::to_string(++n), elena, "location", "", now, ""};
    m.location = cap::geo_point{lat, lon};
    in.refresh_catalogue();
    return in.handle(m, settings, now);
  }
  std::int64_t count(const std::string& sql) { return db->execAndGet(sql).getInt64(); }
  std::string text(const std::string& sql) { return db->execAndGet(sql).getString(); }
  std::string last_reply() { return text("SELECT body FROM outbox ORDER BY id DESC LIMIT 1"); }
};

}  // namespace

TEST_CASE("Attiva writes the town and the default topics, with a consent row naming them") {
  fixture f;
  CHECK(f.says("Attiva").decision == domain::decision::subscribe);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'lugo'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_topics") == 6);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'eventi'") == 0);
  CHECK(f.text("SELECT town_ids || '|' || topic_ids FROM consent_log WHERE event = 'subscribe'") ==
        "lugo|emergenze,acqua,strade,meteo,rifiuti,scuole");
  // The reply is a list message saying what they receive.
  CHECK(f.last_reply().find("Acqua") != std::string::npos);
  CHECK(f.text("SELECT buttons FROM outbox ORDER BY id DESC LIMIT 1").find("t-emergenze") != std::string::npos);
}

TEST_CASE("words and taps change the choices, each change in the consent log") {
  fixture f;
  f.says("Attiva");
  CHECK(f.says("Attiva eventi").decision == domain::decision::choices_changed);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'eventi'") == 1);
  CHECK(f.says("Disattiva meteo").decision == domain::decision::choices_changed);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'meteo'") == 0);
  CHECK(f.says("Voltana", "a+voltana").decision == domain::decision::choices_changed);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_areas WHERE area_id = 'voltana'") == 1);
  CHECK(f.says("Solo emergenze").decision == domain::decision::choices_changed);
  CHECK(f.count("SELECT only_severe FROM subscribers") == 1);
  CHECK(f.says("Stato").decision == domain::decision::status);
  CHECK(f.last_reply().find("Voltana") != std::string::npos);
  CHECK(f.says("Tutto").decision == domain::decision::choices_changed);
  CHECK(f.count("SELECT only_severe FROM subscribers") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_areas") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_topics") == 6);

  CHECK(f.count("SELECT COUNT(*) FROM consent_log WHERE event = 'add' AND topic_ids = 'eventi'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM consent_log WHERE event = 'remove' AND topic_ids = 'meteo'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM consent_log WHERE event = 'add' AND area_ids = 'voltana'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM consent_log WHERE event = 'only_severe'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM consent_log WHERE event = 'everything'") == 1);
  // Every row carries the message's hash and the person's, nothing else.
  CHECK(f.count("SELECT COUNT(*) FROM consent_log WHERE message_hash IS NULL OR phone_hash IS NULL") == 0);
  CHECK(f.count("SELECT COUNT(DISTINCT message_hash) FROM consent_log") == 6);
}

TEST_CASE("Disattiva erases the choices with the number") {
  fixture f;
  f.says("Attiva");
  f.says("Attiva Voltana");
  f.says("Solo emergenze");
  REQUIRE(f.count("SELECT COUNT(*) FROM subscriber_areas") == 1);
  CHECK(f.says("Disattiva").decision == domain::decision::unsubscribe);
  CHECK(f.count("SELECT COUNT(*) FROM subscribers") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_towns") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_topics") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_areas") == 0);
  // Now nobody chose Voltana: it may be removed.
  CHECK(remove_catalogue_entry(*f.db, domain::catalogue_kind::area, "voltana", operator_cli, now).ok());
}

TEST_CASE("a catalogue change is read before the next message, and removing a chosen area is refused") {
  fixture f;
  f.says("Attiva");
  CHECK(f.says("Attiva pedibus").decision != domain::decision::choices_changed);
  REQUIRE(add_catalogue_entry(*f.db, domain::topic{"pedibus", "Pedibus", {}, false}, operator_cli, now).ok());
  CHECK(f.says("Attiva pedibus").decision == domain::decision::choices_changed);
  f.says("Attiva Voltana");
  CHECK(remove_catalogue_entry(*f.db, domain::catalogue_kind::area, "voltana", operator_cli, now).outcome ==
        domain::catalogue_outcome::in_use);
  CHECK(remove_catalogue_entry(*f.db, domain::catalogue_kind::topic, "pedibus", operator_cli, now).outcome ==
        domain::catalogue_outcome::in_use);
}

TEST_CASE("changing whether a topic is in the default leaves existing subscribers as they are") {
  fixture f;
  f.says("Attiva");
  REQUIRE(update_catalogue_entry(*f.db, domain::topic{"eventi", "Eventi", {}, true}, operator_cli, now).ok());
  REQUIRE(update_catalogue_entry(*f.db, domain::topic{"meteo", "Meteo", {}, false}, operator_cli, now).ok());
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'eventi'") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_topics WHERE topic_id = 'meteo'") == 1);
}

TEST_CASE("a shared location subscribes to what contains it and keeps only the ids") {
  fixture f;
  REQUIRE(update_catalogue_entry(*f.db, domain::town{"lugo", "Comune di Lugo", {}, {}, lugo_square}, operator_cli, now)
              .ok());
  REQUIRE(update_catalogue_entry(*f.db, domain::area{"voltana", "lugo", "Voltana", {}, voltana_square}, operator_cli,
                                 now)
              .ok());
  CHECK(f.shares(44.45, 11.92).decision == domain::decision::subscribe);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_areas WHERE area_id = 'voltana'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM consent_log WHERE event = 'located' AND area_ids = 'voltana'") == 1);
  CHECK(f.last_reply().find("Voltana") != std::string::npos);
  CHECK(f.count("SELECT COUNT(*) FROM inbound_messages WHERE type = 'location' AND matched_text IS NULL") == 1);
  // Outside every boundary: nothing changes, and the reply says so.
  CHECK(f.shares(40.0, 9.0).decision == domain::decision::unchanged);
  CHECK(f.last_reply().find("posizione") != std::string::npos);
}

TEST_CASE("a list reply is queued with its rows and read back by the sender") {
  fixture f;
  f.says("Attiva");
  auto leased = f.out.lease(10, now, 60'000);
  REQUIRE(leased.size() == 1);
  REQUIRE_FALSE(leased[0].list.empty());
  CHECK(leased[0].list.button == "Scegli");
  CHECK(leased[0].list.sections[0].title == "Argomenti");
  CHECK(leased[0].list.sections[0].rows[0].id == "t-emergenze");
  CHECK(leased[0].buttons.empty());
}

TEST_CASE("with several numbers a plain Attiva to a town's own number subscribes there; the reply and window are that number's") {
  fixture f;
  REQUIRE(add_catalogue_entry(*f.db, domain::town{"bagnacavallo", "Comune di Bagnacavallo", {}, {}}, operator_cli, now)
              .ok());
  f.settings.number_towns = {{"lugo-number", {"lugo"}}, {"union-number", {"lugo", "bagnacavallo"}}};
  f.in.refresh_catalogue();
  // On the union's number, shared by two towns, the citizen is asked.
  inbound_message_input asked{"wamid.u1", elena, "text", "Attiva", now, ""};
  asked.number_id = "union-number";
  CHECK(f.in.handle(asked, f.settings, now).decision == domain::decision::ask_town);
  CHECK(f.text("SELECT number_id FROM outbox ORDER BY id DESC LIMIT 1") == "union-number");
  // On Lugo's own number, Lugo.
  inbound_message_input own{"wamid.l1", elena, "text", "Attiva", now, ""};
  own.number_id = "lugo-number";
  CHECK(f.in.handle(own, f.settings, now).decision == domain::decision::subscribe);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_towns WHERE town_id = 'lugo'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM subscriber_towns") == 1);
  CHECK(f.text("SELECT number_id FROM outbox ORDER BY id DESC LIMIT 1") == "lugo-number");
  CHECK(f.count("SELECT COUNT(*) FROM number_windows WHERE number_id = 'lugo-number'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM number_windows WHERE number_id = 'union-number'") == 1);
}

// `banditore rotate-keys` beside a running service: the real binaries, wa-sim
// playing the citizens, the database read directly to prove which key opens
// the stored numbers.
#include "harness.hpp"

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/crypto/sealed_box.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <map>

using namespace harness;
using env_map = std::map<std::string, std::string>;
namespace crypto = banditore::crypto;

namespace {

cli_result run(const fs::path& dir, const env_map& env, const std::vector<std::string>& args) {
  return run_cli(dir, args, env);
}

std::string column_blob(const SQLite::Column& c) {
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
}

struct opened_count {
  int opened = 0;
  int total = 0;
};

// How many stored numbers (subscribers and outbox) this key opens.
opened_count opened_by(const fs::path& db_file, const crypto::key& k) {
  SQLite::Database db(db_file.string(), SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  crypto::sealed_box box(k);
  opened_count c;
  for (const char* sql : {"SELECT phone_hash, phone_cipher FROM subscribers",
                          "SELECT phone_hash, recipient_cipher FROM outbox WHERE recipient_cipher IS NOT NULL"}) {
    SQLite::Statement q(db, sql);
    while (q.executeStep()) {
      ++c.total;
      if (box.open(column_blob(q.getColumn(1)), column_blob(q.getColumn(0)))) ++c.opened;
    }
  }
  return c;
}

std::string stored_fingerprint(const fs::path& db) {
  SQLite::Database conn(db.string(), SQLite::OPEN_READONLY);
  conn.setBusyTimeout(5000);
  return conn.execAndGet("SELECT value FROM meta WHERE key = 'key_fingerprint'").getString();
}

struct world {
  temp_dir dir;
  wa_sim sim{dir.path};
  banditore_server app;
  fs::path key_file;
  std::string token;
  world()
      : app(dir.path, sim,
            {{"BANDITORE_WA_RATE", "1000"}, {"BANDITORE_WA_TIER", "unlimited"}, {"BANDITORE_LOG_LEVEL", "info"}}) {
    key_file = app.env.at("BANDITORE_KEY_FILE");
    app.start();
    sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}, {"statuses", false}});
    token = app.create_key("ufficio stampa", "alerts:send,alerts:read");
  }
  void restart() {
    REQUIRE(app.stop(SIGTERM) == 0);
    app.start();
    sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}});
  }
  // Sends an alert whose text holds marker; true when every phone got it.
  bool alert_reaches(const std::vector<std::string>& phones, const std::string& marker) {
    json body = {{"category", "water"}, {"severity", "severe"}, {"title", "Guasto acquedotto"},
                 {"text", "Via Roma senz'acqua fino alle 18 " + marker}};
    auto r = app.api("POST", "/v1/alerts", token, body.dump());
    INFO(r.body);
    REQUIRE(r.status == 202);
    std::vector<std::string> missing;
    bool all = wait_until([&] {
      missing.clear();
      for (const auto& p : phones) {
        bool got = false;
        for (const auto& t : sim.texts(p)) got = got || t.find(marker) != std::string::npos;
        if (!got) missing.push_back(p);
      }
      return missing.empty();
    }, std::chrono::seconds(120));
    INFO(missing.size() << " of " << phones.size() << " phones did not receive the alert");
    CHECK(all);
    return all;
  }
  // Subscribes one more citizen and waits for the confirmation.
  void subscribe(const std::string& phone) {
    sim.citizen_says(phone, "Attiva");
    REQUIRE(wait_until([&] { return !sim.texts(phone).empty(); }));
  }
};

}  // namespace

TEST_CASE("keys rotated while the service runs: everyone before, during and after gets the alert") {
  world w;
  auto before = w.sim.subscribe_many(200, "3934");
  const auto old_keys = crypto::read_key_file(w.key_file);

  // One row per transaction keeps the rotation running while citizens
  // subscribe and the service sends their confirmations.
  cli_command rotation(w.dir.path, {"rotate-keys", "--batch-size", "1"}, w.app.env);
  // Once the database names the new key, the service must follow it to
  // seal the next subscriptions.
  REQUIRE(wait_until([&] { return stored_fingerprint(w.app.db_file) != crypto::key_fingerprint(old_keys); }));
  std::vector<std::string> during;
  for (int i = 0; i < 10; ++i) {
    during.push_back("39350000000" + std::to_string(i));
    w.sim.citizen_says(during.back(), "Attiva");
  }
  auto r = rotation.wait();
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("rotated: ") != std::string::npos);
  for (const auto& p : during) REQUIRE(wait_until([&] { return !w.sim.texts(p).empty(); }));

  const std::string after = "393512345678";
  w.subscribe(after);
  std::vector<std::string> everyone = before;
  everyone.insert(everyone.end(), during.begin(), during.end());
  everyone.push_back(after);
  w.alert_reaches(everyone, "[prima]");
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM subscribers") == 211);

  const auto new_keys = crypto::read_key_file(w.key_file);
  CHECK(new_keys.encryption != old_keys.encryption);
  CHECK(new_keys.lookup == old_keys.lookup);
  CHECK(new_keys.retired.empty());
  CHECK(r.out.find("key fingerprint: " + crypto::key_fingerprint(new_keys)) != std::string::npos);
  const auto old_open = opened_by(w.app.db_file, old_keys.encryption);
  const auto new_open = opened_by(w.app.db_file, new_keys.encryption);
  CHECK(old_open.opened == 0);
  CHECK(new_open.opened == new_open.total);
  CHECK(new_open.total >= 211);
  // The service learned the new key from the database, without a restart.
  CHECK(read_file(w.app.log_file).find("\"keys.reloaded\"") != std::string::npos);
  CHECK(w.app.starts == 1);

  w.restart();
  w.alert_reaches(everyone, "[dopo il riavvio]");
}

TEST_CASE("a rotation killed after replacing the key file is finished by running it again") {
  world w;
  auto phones = w.sim.subscribe_many(20, "3936");
  const auto old_keys = crypto::read_key_file(w.key_file);
  // What a kill between replacing the key file and telling the database
  // leaves: the new key in the file, the old one retired, the database
  // still naming the old one.
  const auto interrupted = crypto::with_new_encryption_key(old_keys);
  crypto::replace_key_file(w.key_file, interrupted);

  // The service keeps working, and a restart in this state works too.
  const std::string meanwhile = "393612340000";
  w.subscribe(meanwhile);
  phones.push_back(meanwhile);
  w.restart();

  auto r = run(w.dir.path, w.app.env, {"rotate-keys"});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("finished an interrupted rotation") != std::string::npos);
  const auto keys = crypto::read_key_file(w.key_file);
  CHECK(keys.encryption == interrupted.encryption);
  CHECK(keys.retired.empty());
  CHECK(opened_by(w.app.db_file, old_keys.encryption).opened == 0);
  w.alert_reaches(phones, "[ripresa]");
}

TEST_CASE("with keys in BANDITORE_DATA_KEYS rotate-keys refuses on one line and explains what to do") {
  temp_dir dir;
  const auto keys = crypto::generate_data_keys();
  const auto material = crypto::format_key_file(keys);
  env_map env{{"BANDITORE_DB", (dir.path / "banditore.db").string()}, {"BANDITORE_DATA_KEYS", material}};
  REQUIRE(run(dir.path, env, {"migrate"}).exit_code == 0);
  auto r = run(dir.path, env, {"rotate-keys"});
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("BANDITORE_DATA_KEYS") != std::string::npos);
  CHECK(r.err.find("retired=") != std::string::npos);
  CHECK(r.err.find(crypto::to_hex(keys.encryption).substr(0, 16)) == std::string::npos);
}

TEST_CASE("rotate-keys --help says the lookup key stays and banditore --help lists the command") {
  temp_dir dir;
  auto help = run(dir.path, {}, {"rotate-keys", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("lookup (HMAC) key does not change") != std::string::npos);
  auto all = run(dir.path, {}, {"--help"});
  CHECK(all.out.find("rotate-keys") != std::string::npos);
}

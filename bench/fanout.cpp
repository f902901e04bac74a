// Fan-out benchmark: N subscribers in a fresh database, the real banditore
// binary sending to wa-sim, one POST /v1/alerts. Prints messages per second
// end to end, peak RSS of banditore, the achieved rate against the
// configured limit with the simulator's 429 count, and the time from the
// POST returning to the first message reaching the simulator.
//
//   ./build/release/bench/fanout --subscribers 1000000 --rate 0
//   ./build/release/bench/fanout --subscribers 8000 --rate 80 --sim-rate 80
//   ./build/release/bench/fanout --subscribers 100000 --rate 0 --statuses
//   ./build/release/bench/fanout --subscribers 1000000 --rate 0 --audience town
//
// With --statuses wa-sim posts sent, delivered and read for every message,
// one status per webhook request from several connections (Meta's usual
// shape), and the run ends when every status is applied: the figure is
// then messages per second until the last one is marked read.
#include "process.hpp"

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/sealed_box.hpp>
#include <banditore/http/client.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using bench::cpu_seconds;
using bench::peak_rss_kb;
using bench::slurp;
using bench::spawn;
using bench::wait_for;
using json = nlohmann::json;
using namespace banditore;

namespace {

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

http::client_response call(const std::string& base, const std::string& method, const std::string& path,
                           const std::string& body = {}, std::vector<http::header_field> headers = {}) {
  boost::asio::io_context io;
  http::client c(io.get_executor(), http::client_options{base, 1, std::chrono::milliseconds(5000),
                                                         std::chrono::milliseconds(30000), 4 << 20, ""});
  auto f = boost::asio::co_spawn(io, c.request(method, path, body, std::move(headers)), boost::asio::use_future);
  io.run();
  return f.get();
}

// The binaries under test: this build's, or others given on the command
// line (to compare two builds on the same machine, run by run).
std::string banditore_bin = BANDITORE_BIN;
std::string wa_sim_bin = WA_SIM_BIN;

// With --audience, subscribers are spread over 10 towns (town-0 ...
// town-9, by id modulo 10) and each chose emergenze and one of the 7
// topics (by id / 10 modulo 7), as the choice tables hold them; the alert
// goes to everyone, to town-3 (a tenth) or to strade in every town (a
// seventh).
void fill_choices(SQLite::Database& db, std::int64_t subscribers) {
  for (int t = 0; t < 10; ++t)
    db.exec(fmt::format("INSERT INTO towns (id, name) VALUES ('town-{0}', 'Comune {0}')", t));
  db.exec("INSERT INTO topics (id, name) VALUES ('emergenze', 'Emergenze'), ('acqua', 'Acqua'), "
          "('strade', 'Strade'), ('meteo', 'Meteo'), ('rifiuti', 'Rifiuti'), ('scuole', 'Scuole'), "
          "('eventi', 'Eventi')");
  // The catalogue and the choices are complete: nothing to seed at start.
  db.exec("INSERT INTO meta (key, value) VALUES ('audience_seeded', '1'), ('choices_seeded', '1')");
  db.exec(fmt::format(
      "WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < {0}) "
      "INSERT INTO subscriber_towns (town_id, subscriber_id) SELECT 'town-' || (id % 10), id FROM n "
      "ORDER BY 1, 2",
      subscribers));
  db.exec(fmt::format(
      "WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < {0}), "
      "t(i, name) AS (VALUES (0, 'emergenze'), (1, 'acqua'), (2, 'strade'), (3, 'meteo'), (4, 'rifiuti'), "
      "(5, 'scuole'), (6, 'eventi')) "
      "INSERT OR IGNORE INTO subscriber_topics (topic_id, subscriber_id) "
      "SELECT t.name, n.id FROM n JOIN t ON t.i = 0 OR t.i = (n.id / 10) % 7 ORDER BY 1, 2",
      subscribers));
}

int run(std::int64_t subscribers, int rate, int sim_rate, int in_flight, int poll_ms, bool with_template,
        int status_connections, const std::string& audience) {
  auto dir = fs::temp_directory_path() / fmt::format("banditore-bench-{}", getpid());
  fs::create_directories(dir);
  const auto db_path = dir / "banditore.db";
  const auto key_path = dir / "banditore.key";

  // 1. Subscribers, encrypted and hashed as the service stores them.
  auto t_fill = std::chrono::steady_clock::now();
  {
    auto db = store::sqlite::open_database(db_path.string());
    store::sqlite::migrate(*db);
    bool created = false;
    auto keys = crypto::load_or_create_key_file(key_path, created);
    SQLite::Statement fp(*db, "INSERT INTO meta (key, value) VALUES ('key_fingerprint', :fp)");
    fp.bind(":fp", crypto::key_fingerprint(keys));
    fp.exec();
    crypto::sealed_box box(keys.encryption);
    SQLite::Transaction tx(*db);
    SQLite::Statement ins(*db, "INSERT INTO subscribers (phone_hash, phone_cipher, subscribed_at) VALUES (?, ?, 0)");
    // Everyone subscribed by writing Attiva: each has a contact, last heard
    // from long ago (outside the 24-hour window).
    SQLite::Statement contact(*db, "INSERT INTO contacts (phone_hash, last_inbound_at) VALUES (?, 0)");
    for (std::int64_t i = 0; i < subscribers; ++i) {
      auto number = fmt::format("39{:010d}", 3000000000LL + i);
      auto hash = crypto::phone_hash(keys, number);
      auto cipher = box.seal(number, hash);
      ins.bind(1, hash.data(), static_cast<int>(hash.size()));
      ins.bind(2, cipher.data(), static_cast<int>(cipher.size()));
      ins.exec();
      ins.reset();
      contact.bind(1, hash.data(), static_cast<int>(hash.size()));
      contact.exec();
      contact.reset();
    }
    if (!audience.empty()) fill_choices(*db, subscribers);
    tx.commit();
  }
  auto fill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_fill).count();

  // 2. wa-sim and banditore.
  std::vector<std::string> sim_args{wa_sim_bin, "--listen", "127.0.0.1:0", "--port-file", (dir / "sim.port").string(),
                                    "--no-inbox", "--rate", std::to_string(sim_rate)};
  if (status_connections > 0) {
    sim_args.insert(sim_args.end(), {"--status-connections", std::to_string(status_connections)});
  } else {
    sim_args.push_back("--no-statuses");
  }
  pid_t sim = spawn(sim_args, {}, dir / "sim.log");
  wait_for([&] { return fs::exists(dir / "sim.port"); }, std::chrono::seconds(10));
  auto sim_port = slurp(dir / "sim.port");
  sim_port.erase(sim_port.find_last_not_of("\n") + 1);
  const std::string sim_base = "http://127.0.0.1:" + sim_port;

  std::vector<std::string> env{"BANDITORE_DB=" + db_path.string(), "BANDITORE_KEY_FILE=" + key_path.string(),
                               "BANDITORE_LISTEN=127.0.0.1:0", "BANDITORE_WA_API_BASE=" + sim_base,
                               "BANDITORE_WA_PHONE_NUMBER_ID=100000000000001", "BANDITORE_WA_TOKEN=sim-token",
                               "BANDITORE_WA_APP_SECRET=sim-app-secret", "BANDITORE_WA_VERIFY_TOKEN=v",
                               "BANDITORE_WA_RATE=" + std::to_string(rate), "BANDITORE_WA_TIER=unlimited",
                               "BANDITORE_WA_MAX_IN_FLIGHT=" + std::to_string(in_flight), "BANDITORE_LOG_LEVEL=info"};
  // With a template, every delivery looks up its person's 24-hour window
  // (everyone here last wrote long ago, so all get the template).
  if (with_template) env.push_back("BANDITORE_WA_TEMPLATE_NAME=allerta_comune");
  auto key_out = dir / "key.out";
  pid_t keys_pid = spawn({banditore_bin, "keys", "create", "--name", "bench", "--scopes", "alerts:send,alerts:read"}, env, key_out);
  waitpid(keys_pid, nullptr, 0);
  auto key_text = slurp(key_out);
  key_text.erase(key_text.find_last_not_of("\n") + 1);
  const auto token = key_text.substr(key_text.rfind('\n') + 1);

  pid_t app = spawn({banditore_bin, "serve"}, env, dir / "banditore.log");
  std::string app_base;
  wait_for([&] {
    std::istringstream lines(slurp(dir / "banditore.log"));
    for (std::string line; std::getline(lines, line);)
      if (line.find("server.listening") != std::string::npos) {
        app_base = "http://127.0.0.1:" + std::to_string(json::parse(line)["port"].get<int>());
        return true;
      }
    return false;
  }, std::chrono::seconds(30));
  const long rss_idle = bench::rss_kb(app);
  const long rss_start_peak = peak_rss_kb(app);
  const bool peak_reset = bench::reset_peak_rss(app);
  if (status_connections > 0) {
    json hook = {{"webhook_url", app_base + "/webhook/whatsapp"}};
    call(sim_base, "POST", "/sim/config", hook.dump());
  }

  // 3. One POST, then watch.
  json alert = {{"category", "water"}, {"severity", "severe"}, {"title", "Guasto acquedotto"},
                {"text", "Via Roma senz'acqua fino alle 18."}};
  if (audience == "town") alert["towns"] = {"town-3"};
  if (audience == "topic") alert["topics"] = {"strade"};
  auto posted = call(app_base, "POST", "/v1/alerts", alert.dump(),
                     {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  const auto returned_ms = wall_ms();
  const double app_cpu_start = cpu_seconds(app), sim_cpu_start = cpu_seconds(sim);
  if (posted.status != 202) {
    fmt::print(stderr, "POST failed: {} {}\n", posted.status, posted.body);
    return 1;
  }
  const auto id = json::parse(posted.body)["id"].get<std::int64_t>();
  json stats;
  wait_for([&] {
    stats = json::parse(call(sim_base, "GET", "/sim/stats").body);
    return stats.value("first_accept_ms", std::int64_t{0}) > 0;
  }, std::chrono::seconds(30), std::chrono::milliseconds(1));
  const auto first_ms = stats["first_accept_ms"].get<std::int64_t>();

  bool done = wait_for([&] {
    auto r = call(app_base, "GET", "/v1/alerts/" + std::to_string(id), {}, {{"Authorization", "Bearer " + token}});
    return json::parse(r.body)["state"] == "done";
  }, std::chrono::seconds(3600), std::chrono::milliseconds(poll_ms));
  stats = json::parse(call(sim_base, "GET", "/sim/stats").body);
  // Every status applied: each message this alert sent is marked read.
  std::int64_t read_rows = 0;
  std::int64_t all_read_ms = 0;
  if (status_connections > 0 && done) {
    SQLite::Database reader(db_path.string(), SQLite::OPEN_READONLY);
    reader.setBusyTimeout(5000);
    SQLite::Statement q(reader, "SELECT COUNT(*) FROM outbox WHERE alert_id = :id AND state = 'read'");
    wait_for([&] {
      q.reset();
      q.bind(":id", id);
      q.executeStep();
      read_rows = q.getColumn(0).getInt64();
      return read_rows >= subscribers;
    }, std::chrono::seconds(600), std::chrono::milliseconds(20));
    all_read_ms = wall_ms();
    stats = json::parse(call(sim_base, "GET", "/sim/stats").body);
  }
  const long rss_peak = peak_rss_kb(app);
  const double app_cpu = cpu_seconds(app) - app_cpu_start, sim_cpu = cpu_seconds(sim) - sim_cpu_start;
  kill(app, SIGTERM);
  waitpid(app, nullptr, 0);
  kill(sim, SIGTERM);
  waitpid(sim, nullptr, 0);

  const auto accepted = stats.value("accepted", std::int64_t{0});
  const auto span_ms = stats["last_accept_ms"].get<std::int64_t>() - first_ms;
  const double rate_achieved = span_ms > 0 ? (accepted - 1) * 1000.0 / span_ms : 0;
  fmt::print("subscribers            {}\n", subscribers);
  if (!audience.empty())
    fmt::print("audience               {} (10 towns, 7 topics chosen)\n",
               audience == "town" ? "town-3" : audience == "topic" ? "topic strade, every town" : "everyone");
  fmt::print("configured rate        {}\n", rate == 0 ? std::string("unlimited") : std::to_string(rate) + "/s");
  fmt::print("requests in flight     {}\n", in_flight);
  fmt::print("sent as                {}\n", with_template ? "template (window looked up)" : "text");
  fmt::print("finished               {}\n", done ? "yes" : "NO (timed out)");
  fmt::print("messages accepted      {} (recipients {}, with several {})\n", accepted,
             stats.value("recipients", 0), stats.value("recipients_with_several", 0));
  fmt::print("429 from the simulator {}\n", stats.value("rejected_429", 0));
  fmt::print("end-to-end rate        {:.0f} messages/s over {:.2f} s\n", rate_achieved, span_ms / 1000.0);
  if (rate > 0) fmt::print("rate vs limit          {:+.2f}%\n", (rate_achieved / rate - 1) * 100);
  if (status_connections > 0) {
    const auto status_span_ms = all_read_ms - first_ms;
    fmt::print("statuses               {} posted in {} webhook requests ({} connections), {} failed\n",
               stats.value("statuses_posted", 0), stats.value("status_webhooks", 0), status_connections,
               stats.value("webhook_failures", 0));
    fmt::print("all statuses applied   {} of {} messages read; {:.0f} messages/s until the last was applied ({:.2f} s)\n",
               read_rows, subscribers, status_span_ms > 0 ? read_rows * 1000.0 / static_cast<double>(status_span_ms) : 0.0,
               status_span_ms / 1000.0);
  }
  fmt::print("POST to first message  {} ms\n", first_ms - returned_ms);
  if (accepted > 0)
    fmt::print("CPU per message        banditore {:.1f} us, wa-sim {:.1f} us\n", app_cpu * 1e6 / static_cast<double>(accepted),
               sim_cpu * 1e6 / static_cast<double>(accepted));
  fmt::print("banditore peak RSS     {:.1f} MB (idle after start {:.1f} MB; peak while starting {:.1f} MB{})\n",
             rss_peak / 1024.0, rss_idle / 1024.0, rss_start_peak / 1024.0,
             peak_reset ? ", not counted" : ", counted: the kernel refused to reset it");
  fmt::print("database fill          {:.1f} s (not part of the figures)\n", fill_s);
  fs::remove_all(dir);
  return done ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t subscribers = 100000;
  int rate = 0, sim_rate = 0, in_flight = 256, poll_ms = 200;
  bool with_template = false;
  int status_connections = 0;
  std::string audience;
  for (int i = 1; i < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--statuses") {
      status_connections = 4;
      --i;
      continue;
    }
    if (a == "--template") {
      with_template = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) a = "--help";
    if (a == "--subscribers") subscribers = std::stoll(argv[i + 1]);
    else if (a == "--rate") rate = std::stoi(argv[i + 1]);
    else if (a == "--sim-rate") sim_rate = std::stoi(argv[i + 1]);
    else if (a == "--in-flight") in_flight = std::stoi(argv[i + 1]);
    else if (a == "--poll-ms") poll_ms = std::stoi(argv[i + 1]);
    else if (a == "--banditore") banditore_bin = argv[i + 1];
    else if (a == "--wa-sim") wa_sim_bin = argv[i + 1];
    else if (a == "--status-connections") status_connections = std::stoi(argv[i + 1]);
    else if (a == "--audience") audience = argv[i + 1];
    else {
      fmt::print(stderr,
                 "usage: fanout [--subscribers N] [--rate R (0 = no pacing)] [--sim-rate R (0 = no limit)]\n"
                 "              [--in-flight N (BANDITORE_WA_MAX_IN_FLIGHT, 256)] [--poll-ms MS (GET of the alert, 200)]\n"
                 "              [--template (deliveries go as a template: the window is looked up)]\n"
                 "              [--statuses (wa-sim posts sent/delivered/read, one per request; waits until all applied)]\n"
                 "              [--status-connections N (status webhooks in flight, 4; implies --statuses)]\n"
                 "              [--audience everyone|town|topic (10 towns and 7 topics chosen; the alert to all,\n"
                 "               to one town or to one topic of every town)]\n"
                 "              [--banditore PATH] [--wa-sim PATH] (other builds' binaries, to compare)\n");
      return 2;
    }
  }
  if (!audience.empty() && audience != "everyone" && audience != "town" && audience != "topic") {
    fmt::print(stderr, "--audience is everyone, town or topic\n");
    return 2;
  }
  return run(subscribers, rate, sim_rate, in_flight, poll_ms, with_template, status_connections, audience);
}

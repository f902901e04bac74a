// Webhook ingest benchmark: the real banditore binary answering signed
// webhook POSTs as Meta sends them, against a bare Beast server (bench/
// bare_beast.cpp) on the same machine in the same run. Three phases, each
// with C keep-alive connections sending as fast as answers come back:
//
//   bare       the same "Attiva" bodies to the bare Beast server
//   subscribe  "Attiva" from a new number in every request (a subscription,
//              a consent record and a queued reply each)
//   status     one "delivered" status per request for a message banditore
//              sent (Meta's usual shape: one status per notification)
//
// Every body is distinct and signed with the app secret (signing happens in
// the load generator, as Meta does it). Prints requests per second, p50 and
// p99 latency and the ratio to bare Beast; then checks that every answered
// "Attiva" is in the database exactly once and every status was applied.
// An "Attiva" answered while the database was busy waits in the inbound
// journal: after the subscribe phase the benchmark waits until it is
// empty and prints how long that took, and the rate of applying.
//
//   ./build/release/bench/ingest --seconds 5 --connections 32
//   ./build/release/bench/ingest --banditore /path/to/other/banditore   (compare builds)
//   ./build/release/bench/ingest --direct-limit 256   (every message applied before its answer)
#include "http_load.hpp"
#include "process.hpp"

#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/store/sqlite/database.hpp>
#include <banditore/testing/webhook_bodies.hpp>
#include <banditore/whatsapp/signature.hpp>
#include <banditore/whatsapp/webhook.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using bench::cpu_seconds;
using bench::peak_rss_kb;
using bench::slurp;
using bench::spawn;
using bench::wait_for;
using bench::figures;
using bench::run_load;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;
using namespace banditore;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

namespace {

std::string banditore_bin = BANDITORE_BIN;
std::string wa_sim_bin = WA_SIM_BIN;
std::string bare_bin = BARE_BEAST_BIN;
const std::string app_secret = "bench-app-secret";
const std::string phone_number_id = "100000000000001";
constexpr std::int64_t first_row = 100000000;  // outbox ids the status phase refers to (nine digits)

std::uint16_t port_from_file(const fs::path& file) {
  if (!wait_for([&] { return fs::exists(file); }, std::chrono::seconds(10))) throw std::runtime_error("no port file");
  return static_cast<std::uint16_t>(std::stoi(slurp(file)));
}

std::uint16_t port_from_log(const fs::path& log) {
  std::uint16_t port = 0;
  wait_for([&] {
    std::istringstream lines(slurp(log));
    for (std::string line; std::getline(lines, line);)
      if (line.find("server.listening") != std::string::npos) {
        port = static_cast<std::uint16_t>(json::parse(line)["port"].get<int>());
        return true;
      }
    return false;
  }, std::chrono::seconds(600));  // under callgrind, start-up takes minutes
  if (port == 0) throw std::runtime_error("banditore did not start: see " + log.string());
  return port;
}

// A body with fixed-width placeholders, rewritten in place for each
// request: building JSON per request would take the load generator's core.
class body_template {
 public:
  body_template(std::string body, std::vector<std::string> placeholders) : body_(std::move(body)) {
    for (const auto& p : placeholders) {
      std::vector<std::size_t> at;
      for (auto pos = body_.find(p); pos != std::string::npos; pos = body_.find(p, pos + 1)) at.push_back(pos);
      if (at.empty()) throw std::logic_error("placeholder not in body: " + p);
      slots_.push_back({p.size(), std::move(at)});
    }
  }
  // The request for values (one per placeholder, each as wide as its
  // placeholder), signed.
  std::string request(const std::vector<std::string>& values) {
    for (std::size_t i = 0; i < slots_.size(); ++i)
      for (auto pos : slots_[i].at) body_.replace(pos, slots_[i].width, values[i]);
    return fmt::format("POST /webhook/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "X-Hub-Signature-256: {}\r\nContent-Length: {}\r\n\r\n{}",
                       whatsapp::sign_body(body_, app_secret), body_.size(), body_);
  }

 private:
  struct slot {
    std::size_t width;
    std::vector<std::size_t> at;
  };
  std::string body_;
  std::vector<slot> slots_;
};

std::string subscribe_number(std::uint64_t n) { return fmt::format("39330{:07d}", n); }
std::string status_wamid(std::uint64_t n) { return fmt::format("wamid.BENCH{:010d}", n); }

body_template subscribe_template() {
  testing::simulated_message m;
  m.id = "wamid.@@@@@@@@@@@@";
  m.from = "@@FROM@@@@@@";
  m.profile_name = "Cittadino";
  m.text = "Attiva";
  m.timestamp = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<testing::simulated_message> one{m};
  return body_template(testing::make_text_message_notification(phone_number_id, "390000000000", one),
                       {"@@@@@@@@@@@@", "@@FROM@@@@@@"});
}

body_template status_template() {
  whatsapp::status_update s;
  s.id = "wamid.BENCH@@@@@@@@@@";
  s.recipient_id = "393300000000";
  s.phone_number_id = phone_number_id;
  s.status = whatsapp::delivery_status::delivered;
  s.timestamp = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  s.callback_data = "outbox:#########";
  std::vector<whatsapp::status_update> one{s};
  return body_template(testing::make_status_notification(phone_number_id, "390000000000", one),
                       {"@@@@@@@@@@", "#########"});
}

struct phases {
  bool bare = true, subscribe = true, status = true;
};

// With --callgrind DIR the binary runs under valgrind's callgrind, its
// counters zeroed before a phase and dumped after it: instructions per
// request, which the machine's other load does not move. The dumps stay in
// DIR for callgrind_annotate.
fs::path callgrind_dir;
std::string direct_limit;  // BANDITORE_INBOUND_DIRECT_LIMIT, when given

void callgrind_control(const char* what, pid_t pid) {
  const auto command = fmt::format("callgrind_control {} {} >/dev/null 2>&1", what, pid);
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

// The instructions counted since the last zeroing, from the dump it writes.
std::uint64_t callgrind_dump(pid_t pid, const std::string& phase) {
  std::set<fs::path> before;
  for (const auto& e : fs::directory_iterator(callgrind_dir)) before.insert(e.path());
  callgrind_control("-d", pid);
  fs::path dump;
  wait_for([&] {
    for (const auto& e : fs::directory_iterator(callgrind_dir))
      if (!before.contains(e.path())) dump = e.path();
    return !dump.empty();
  }, std::chrono::seconds(60));
  if (dump.empty()) throw std::runtime_error("no callgrind dump in " + callgrind_dir.string());
  std::uint64_t total = 0;
  wait_for([&] {
    std::istringstream lines(slurp(dump));
    for (std::string line; std::getline(lines, line);)
      if (line.starts_with("totals: ") || line.starts_with("summary: ")) total = std::stoull(line.substr(line.find(' ') + 1));
    return total > 0;
  }, std::chrono::seconds(60));
  const auto named = callgrind_dir / ("callgrind." + phase);
  fs::rename(dump, named);
  fmt::print("callgrind: {} ({} instructions)\n", named.string(), total);
  return total;
}

// Messages answered while the database was busy wait in the inbound
// journal (store/sqlite/inbound_journal.hpp): how many there were at the
// end of a phase, and how long the server took to apply them.
struct journal_drain {
  std::int64_t rows_at_end = 0;
  double seconds = 0, cpu = 0;
};

journal_drain wait_for_journal(const fs::path& db_path, pid_t app) {
  SQLite::Database db(db_path.string(), SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  journal_drain d;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds(app);
  for (bool first = true;; first = false) {
    const auto rows = db.execAndGet("SELECT COUNT(*) FROM inbound_journal").getInt64();
    if (first) d.rows_at_end = rows;
    if (rows == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  d.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  d.cpu = cpu_seconds(app) - cpu_start;
  return d;
}

int run(int connections, double seconds, std::uint64_t requests, phases only, std::int64_t status_rows) {
  auto dir = fs::temp_directory_path() / fmt::format("banditore-ingest-{}", getpid());
  fs::create_directories(dir);
  const auto db_path = dir / "banditore.db";
  const auto key_path = dir / "banditore.key";

  // Messages banditore sent, as the sender records them, for the statuses
  // to land on.
  {
    auto db = store::sqlite::open_database(db_path.string());
    store::sqlite::migrate(*db);
    bool created = false;
    auto keys = crypto::load_or_create_key_file(key_path, created);
    SQLite::Statement fp(*db, "INSERT INTO meta (key, value) VALUES ('key_fingerprint', :fp)");
    fp.bind(":fp", crypto::key_fingerprint(keys));
    fp.exec();
    SQLite::Transaction tx(*db);
    SQLite::Statement ins(*db,
        "INSERT INTO outbox (id, priority, state, phone_hash, not_before, provider_hash, created_at, sent_at, updated_at) "
        "VALUES (?, 0, 'sent', x'00', 0, ?, ?3, ?3, ?3)");
    // Sent just now: the retention job erases old rows.
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch()).count();
    for (std::int64_t i = 0; i < status_rows; ++i) {
      auto d = crypto::hmac_sha256(keys.lookup, "wamid:" + status_wamid(static_cast<std::uint64_t>(i)));
      ins.bind(1, first_row + i);
      ins.bind(2, d.data(), static_cast<int>(d.size()));
      ins.bind(3, static_cast<std::int64_t>(now_ms));
      ins.exec();
      ins.reset();
    }
    tx.commit();
  }

  // Replies to the subscribers go to wa-sim, at the default 80/s.
  pid_t sim = spawn({wa_sim_bin, "--listen", "127.0.0.1:0", "--port-file", (dir / "sim.port").string(),
                     "--no-statuses", "--no-inbox"}, {}, dir / "sim.log");
  const auto sim_port = port_from_file(dir / "sim.port");
  std::vector<std::string> env{"BANDITORE_DB=" + db_path.string(), "BANDITORE_KEY_FILE=" + key_path.string(),
                               "BANDITORE_LISTEN=127.0.0.1:0",
                               "BANDITORE_WA_API_BASE=http://127.0.0.1:" + std::to_string(sim_port),
                               "BANDITORE_WA_PHONE_NUMBER_ID=" + phone_number_id, "BANDITORE_WA_TOKEN=sim-token",
                               "BANDITORE_WA_APP_SECRET=" + app_secret, "BANDITORE_WA_VERIFY_TOKEN=v"};
  std::vector<figures> rows(3);
  if (only.bare) {
    pid_t bare = spawn({bare_bin, "--port-file", (dir / "bare.port").string()}, {}, dir / "bare.log");
    const auto bare_port = port_from_file(dir / "bare.port");
    auto t = subscribe_template();
    auto next = [&t](std::uint64_t n) {
      std::vector<std::string> v{fmt::format("{:012d}", n), subscribe_number(n)};
      return t.request(v);
    };
    rows[0] = run_load("bare Beast", bare_port, connections, seconds, next, bare, requests);
    kill(bare, SIGTERM);
    waitpid(bare, nullptr, 0);
  }

  std::vector<std::string> app_argv{banditore_bin, "serve"};
  // Under callgrind the replies are paced at 1 a second, so that their
  // sending does not count as ingest.
  if (!callgrind_dir.empty()) env.push_back("BANDITORE_WA_RATE=1");
  if (!direct_limit.empty()) env.push_back("BANDITORE_INBOUND_DIRECT_LIMIT=" + direct_limit);
  if (!callgrind_dir.empty())
    app_argv = {"/usr/bin/valgrind", "--tool=callgrind", "--callgrind-out-file=" + (callgrind_dir / "callgrind.out.%p").string(),
                banditore_bin, "serve"};
  pid_t app = spawn(app_argv, env, dir / "banditore.log");
  const auto app_port = port_from_log(dir / "banditore.log");
  std::uint64_t instructions[3] = {0, 0, 0};
  // Start-up work (the first retention pass reads the 300,000 outbox rows)
  // takes seconds under callgrind: wait until the process is idle.
  if (!callgrind_dir.empty()) {
    for (double last = -1, now = cpu_seconds(app); now - last > 0.02; now = cpu_seconds(app)) {
      last = now;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  std::uint64_t subscribed = 0;
  journal_drain drain;
  if (only.subscribe) {
    auto t = subscribe_template();
    auto next = [&t, &subscribed](std::uint64_t n) {
      subscribed = n + 1;
      std::vector<std::string> v{fmt::format("{:012d}", n), subscribe_number(n)};
      return t.request(v);
    };
    if (!callgrind_dir.empty()) callgrind_control("-z", app);
    rows[1] = run_load("subscribe (Attiva)", app_port, connections, seconds, next, app, requests);
    drain = wait_for_journal(db_path, app);
    if (!callgrind_dir.empty()) instructions[1] = callgrind_dump(app, "subscribe");
  }
  std::uint64_t statuses_sent = 0;
  if (only.status) {
    auto t = status_template();
    auto next = [&t, &statuses_sent, status_rows](std::uint64_t n) {
      statuses_sent = n + 1;
      const auto row = n % static_cast<std::uint64_t>(status_rows);
      std::vector<std::string> v{fmt::format("{:010d}", row), std::to_string(first_row + static_cast<std::int64_t>(row))};
      return t.request(v);
    };
    if (!callgrind_dir.empty()) callgrind_control("-z", app);
    rows[2] = run_load("status (1 per request)", app_port, connections, seconds, next, app, requests);
    if (!callgrind_dir.empty()) instructions[2] = callgrind_dump(app, "status");
  }
  kill(app, SIGTERM);
  waitpid(app, nullptr, 0);
  kill(sim, SIGTERM);
  waitpid(sim, nullptr, 0);

  if (requests > 0)
    fmt::print("connections {}, {} requests per phase, distinct signed bodies\n", connections, requests);
  else
    fmt::print("connections {}, {:.1f} s per phase after 0.5 s of warm-up, distinct signed bodies\n", connections,
               seconds);
  // The server's CPU per request moves less with the machine's other load
  // than requests per second do.
  fmt::print("{:<24} {:>9} {:>9} {:>9} {:>9} {:>12} {:>11} {:>8}\n", "phase", "req/s", "p50 ms", "p99 ms", "vs bare",
             "server CPU/s", "CPU us/req", "non-200");
  for (const auto& r : rows) {
    if (r.name.empty()) continue;
    const double answered = r.rps * r.seconds;
    fmt::print("{:<24} {:>9.0f} {:>9.2f} {:>9.2f} {:>8.0f}% {:>12.2f} {:>11.1f} {:>8}\n", r.name, r.rps, r.p50_ms,
               r.p99_ms, rows[0].rps > 0 ? 100.0 * r.rps / rows[0].rps : 0.0,
               r.seconds > 0 ? r.server_cpu / r.seconds : 0.0, answered > 0 ? 1e6 * r.server_cpu / answered : 0.0,
               r.not_ok + r.io_errors);
  }
  if (only.subscribe && rows[1].rps > 0) {
    // What was answered is applied once the journal is empty: the rate of
    // applying is the phase's messages over the phase and the drain.
    const double answered = rows[1].rps * rows[1].seconds;
    fmt::print("inbound journal: {} rows waiting when the phase ended, applied {:.2f} s later "
               "(server CPU {:.2f} s); Attiva applied {:.0f}/s over the phase and the drain\n",
               drain.rows_at_end, drain.seconds, drain.cpu, answered / (rows[1].seconds + drain.seconds));
  }
  for (int i = 1; i < 3; ++i)
    if (instructions[i] > 0 && rows[i].ok > 0)
      fmt::print("{:<24} {:>9.0f} instructions per request (callgrind, all threads)\n", rows[i].name,
                 static_cast<double>(instructions[i]) / static_cast<double>(rows[i].ok));

  // Exactly once: every "Attiva" answered 200 is one subscriber (requests
  // cut off by the end of the phase may have been applied unanswered), and
  // every status answered 200 moved its row.
  SQLite::Database db(db_path.string(), SQLite::OPEN_READONLY);
  const auto subscribers = db.execAndGet("SELECT COUNT(*) FROM subscribers").getInt64();
  const auto delivered = db.execAndGet("SELECT COUNT(*) FROM outbox WHERE state = 'delivered'").getInt64();
  const auto sub_ok = rows[1].ok, status_ok = rows[2].ok;
  const bool subs_fine = static_cast<std::uint64_t>(subscribers) >= sub_ok && static_cast<std::uint64_t>(subscribers) <= subscribed;
  const auto expected_delivered = std::min<std::uint64_t>(status_ok, static_cast<std::uint64_t>(status_rows));
  const bool statuses_fine = static_cast<std::uint64_t>(delivered) >= expected_delivered;
  fmt::print("subscribers in the database {} (answered 200: {}, sent: {}) {}\n", subscribers, sub_ok, subscribed,
             subs_fine ? "ok" : "MISMATCH");
  fmt::print("rows delivered {} (statuses answered 200: {}, sent: {}) {}\n", delivered, status_ok, statuses_sent,
             statuses_fine ? "ok" : "MISMATCH");
  if (subs_fine && statuses_fine) fs::remove_all(dir);
  else fmt::print("kept for a look: {}\n", dir.string());
  return subs_fine && statuses_fine && rows[1].not_ok + rows[2].not_ok == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int connections = 32;
  double seconds = 5;
  std::uint64_t requests = 0;
  phases only;
  std::int64_t status_rows = 300000;
  for (int i = 1; i < argc; i += 2) {
    std::string a = argv[i];
    if (i + 1 >= argc) a = "--help";
    if (a == "--connections") connections = std::stoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else if (a == "--status-rows") status_rows = std::stoll(argv[i + 1]);
    else if (a == "--requests") requests = std::stoull(argv[i + 1]);
    else if (a == "--callgrind") callgrind_dir = fs::absolute(argv[i + 1]);
    else if (a == "--phases") {
      const std::string list = std::string(",") + argv[i + 1] + ",";
      only = {list.find(",bare,") != std::string::npos, list.find(",subscribe,") != std::string::npos,
              list.find(",status,") != std::string::npos};
    }
    else if (a == "--banditore") banditore_bin = argv[i + 1];
    else if (a == "--direct-limit") direct_limit = argv[i + 1];
    else if (a == "--bare") bare_bin = argv[i + 1];
    else if (a == "--wa-sim") wa_sim_bin = argv[i + 1];
    else {
      fmt::print(stderr,
                 "usage: ingest [--connections N (32)] [--seconds S per phase (5)] [--status-rows N (300000)]\n"
                 "              [--requests N per phase, instead of seconds (profiling)]\n"
                 "              [--phases bare,subscribe,status (all)]\n"
                 "              [--callgrind DIR: the binary under valgrind, instructions per request, dumps in DIR]\n"
                 "              [--direct-limit N: BANDITORE_INBOUND_DIRECT_LIMIT, 256 to apply every message before its answer]\n"
                 "              [--banditore PATH] [--bare PATH] [--wa-sim PATH] (other builds' binaries, to compare)\n");
      return 2;
    }
  }
  if (!callgrind_dir.empty()) fs::create_directories(callgrind_dir);
  try {
    return run(connections, seconds, requests, only, status_rows);
  } catch (const std::exception& e) {
    fmt::print(stderr, "ingest: {}\n", e.what());
    return 2;
  }
}

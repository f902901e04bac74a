// Public pages benchmark: the real banditore binary serving the archive
// (/avvisi), one alert's page (/avvisi/{id}) and the Atom feed
// (/avvisi.atom) to C keep-alive connections, side by side with /healthz
// (the cheapest answer the same server gives) on the same machine in the
// same run. The pages come from the in-memory cache after the first
// request; the database holds a few hundred public alerts. Prints requests
// per second, p50 and p99 latency and the server's CPU per phase.
//
//   ./build/release/bench/public_pages --seconds 5 --connections 32
#include "http_load.hpp"
#include "process.hpp"

#include <banditore/config/settings.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace banditore;

namespace {

std::string banditore_bin = BANDITORE_BIN;

// A port nobody listens on now (bound and released; the server binds it next).
std::uint16_t free_port() {
  boost::asio::io_context io;
  bench::tcp::acceptor a(io, bench::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

bool answers(std::uint16_t port) {
  boost::asio::io_context io;
  bench::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect(bench::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

// The archive of a town that has used the service for a while.
std::int64_t seed(const fs::path& dir, int alerts) {
  config::settings s;
  s.db_path = (dir / "banditore.db").string();
  s.key_file = (dir / "banditore.key").string();
  auto opened = store::sqlite::open_engine(s);
  store::alert_admin& admin = *opened.store;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  std::int64_t last = 0;
  for (int i = 0; i < alerts; ++i) {
    store::new_alert a;
    a.draft.category = i % 3 == 0 ? "roads" : i % 3 == 1 ? "water" : "weather";
    a.draft.level = i % 10 == 0 ? domain::severity::severe : domain::severity::moderate;
    a.draft.title = fmt::format("Avviso numero {}: chiusura di via Roma per lavori", i);
    a.draft.text = "Dalle 8 alle 18 via Roma è chiusa al traffico tra piazza Garibaldi e via Mazzini.\n\n"
                   "I mezzi pubblici sono deviati su via Cavour. Ci scusiamo per il disagio.";
    a.source = "cli";
    last = admin.create_alert(a, {"bench", std::nullopt}, now - (alerts - i) * 3'600'000LL);
  }
  return last;
}

}  // namespace

int run(int connections, double seconds, int alerts) {
  auto dir = fs::temp_directory_path() / fmt::format("banditore-public-{}", getpid());
  fs::create_directories(dir);
  const auto newest = seed(dir, alerts);
  std::vector<std::string> env{"BANDITORE_DB=" + (dir / "banditore.db").string(),
                               "BANDITORE_KEY_FILE=" + (dir / "banditore.key").string(),
                               // No subscriber: nothing is sent, WhatsApp is never called.
                               "BANDITORE_WA_API_BASE=http://127.0.0.1:9", "BANDITORE_WA_PHONE_NUMBER_ID=1",
                               "BANDITORE_WA_TOKEN=t", "BANDITORE_WA_APP_SECRET=s", "BANDITORE_WA_VERIFY_TOKEN=v",
                               "BANDITORE_TOWN=Lugo", "BANDITORE_PUBLIC_NUMBER=+39 0545 123456",
                               "BANDITORE_LOG_LEVEL=warn"};
  // A request log line per answer would be measured too: warn, and the
  // port chosen here since the listening line is an info line.
  const auto port = free_port();
  env.push_back("BANDITORE_LISTEN=127.0.0.1:" + std::to_string(port));
  pid_t app = bench::spawn({banditore_bin, "serve"}, env, dir / "banditore.log");
  if (!bench::wait_for([port] { return answers(port); }, std::chrono::seconds(30)))
    throw std::runtime_error("banditore did not start: see " + (dir / "banditore.log").string());

  const std::vector<std::pair<std::string, std::string>> phases = {
      {"/healthz", "/healthz"},
      {"/avvisi", "/avvisi"},
      {"/avvisi/{id}", "/avvisi/" + std::to_string(newest - 3)},
      {"/avvisi.atom", "/avvisi.atom"},
      {"/ (home, QR code)", "/"},
  };
  std::vector<bench::figures> rows;
  for (const auto& [name, path] : phases) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: bench\r\nAccept-Encoding: identity\r\n\r\n";
    auto next = [&request](std::uint64_t) { return request; };
    rows.push_back(bench::run_load(name, port, connections, seconds, next, app));
  }
  const auto rss = bench::peak_rss_kb(app);
  kill(app, SIGTERM);
  waitpid(app, nullptr, 0);

  fmt::print("connections {}, {:.1f} s per phase after 0.5 s of warm-up, {} public alerts in the database\n",
             connections, seconds, alerts);
  fmt::print("{:<20} {:>9} {:>9} {:>9} {:>12} {:>8}\n", "path", "req/s", "p50 ms", "p99 ms", "server CPU s", "errors");
  bool ok = true;
  for (const auto& r : rows) {
    fmt::print("{:<20} {:>9.0f} {:>9.2f} {:>9.2f} {:>12.2f} {:>8}\n", r.name, r.rps, r.p50_ms, r.p99_ms, r.server_cpu,
               r.not_ok + r.io_errors);
    ok = ok && r.not_ok == 0 && r.io_errors == 0 && r.ok > 0;
  }
  fmt::print("server peak memory {} MiB\n", rss / 1024);
  fs::remove_all(dir);
  return ok ? 0 : 1;
}

int main(int argc, char** argv) {
  int connections = 32, alerts = 300;
  double seconds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--connections") connections = std::stoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else if (a == "--alerts") alerts = std::stoi(argv[i + 1]);
    else if (a == "--banditore") banditore_bin = argv[i + 1];
    else {
      fmt::print(stderr, "usage: public_pages [--connections N (32)] [--seconds S per phase (5)] [--alerts N (300)] "
                         "[--banditore PATH]\n");
      return 2;
    }
  }
  try {
    return run(connections, seconds, alerts);
  } catch (const std::exception& e) {
    fmt::print(stderr, "public_pages: {}\n", e.what());
    return 1;
  }
}

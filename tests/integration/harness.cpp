#include "harness.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <SQLiteCpp/Database.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

extern char** environ;

namespace harness {

temp_dir::temp_dir() {
  std::random_device rd;
  path = fs::temp_directory_path() / ("banditore-it-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(path);
}

temp_dir::~temp_dir() {
  if (std::getenv("BANDITORE_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
}

child::child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const fs::path& log_file) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string s(*e);
    if (s.rfind("BANDITORE_", 0) == 0) continue;  // the test decides every setting
    env_strings.push_back(s);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);

  const int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_file.string());
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("cannot fork for " + argv[0]);
  if (pid == 0) {
    // A child never outlives a test process that crashed or was killed.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
}

cli_command::cli_command(const fs::path& dir, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env) {
  static std::atomic<int> runs{0};
  const auto name = "cli-" + std::to_string(++runs);
  out_ = dir / (name + ".stdout");
  err_ = dir / (name + ".stderr");
  fs::remove(out_);
  fs::remove(err_);
  // The child writes stdout to out_; a shell sends its stderr to err_.
  std::vector<std::string> argv{"/bin/sh", "-c", "exec \"$@\" 2>\"$0\"", err_.string(), BANDITORE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = child(argv, env, out_);
}

cli_result cli_command::wait() {
  cli_result r;
  r.exit_code = process_.stop(0);  // signal 0 sends nothing: this waits for the exit
  r.out = read_file(out_);
  r.err = read_file(err_);
  return r;
}

cli_result run_cli(const fs::path& dir, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env) {
  return cli_command(dir, args, env).wait();
}

std::map<std::string, std::string> database_env(const fs::path& dir) {
  return {{"BANDITORE_DB", (dir / "banditore.db").string()}, {"BANDITORE_KEY_FILE", (dir / "banditore.key").string()}};
}

child::child(child&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }
child& child::operator=(child&& o) noexcept {
  if (this != &o) {
    if (pid_ > 0) stop(SIGKILL);
    pid_ = o.pid_;
    o.pid_ = -1;
  }
  return *this;
}
child::~child() {
  if (pid_ > 0) stop(SIGKILL);
}

int child::stop(int signal_number) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal_number);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

bool child::running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  return ::waitpid(pid_, &status, WNOHANG) == 0;
}

banditore::http::client_response call(const std::string& base, const std::string& method,
                                      const std::string& path, const std::string& body,
                                      std::vector<banditore::http::header_field> headers,
                                      std::chrono::milliseconds timeout) {
  boost::asio::io_context io;
  banditore::http::client_options opt;
  opt.base = base;
  opt.max_connections = 1;
  opt.request_timeout = timeout;
  banditore::http::client client(io.get_executor(), opt);
  auto fut = boost::asio::co_spawn(io, client.request(method, path, body, std::move(headers)),
                                   boost::asio::use_future);
  io.run();
  return fut.get();
}

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

std::int64_t count(const fs::path& db, const std::string& sql) {
  SQLite::Database conn(db.string(), SQLite::OPEN_READONLY);
  conn.setBusyTimeout(5000);
  return conn.execAndGet(sql).getInt64();
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

wa_sim::wa_sim(const fs::path& dir, std::vector<std::string> extra_args) {
  auto port_file = dir / "wa-sim.port";
  std::vector<std::string> argv{WA_SIM_BIN, "--listen", "127.0.0.1:0", "--port-file", port_file.string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process = child(argv, {}, dir / "wa-sim.log");
  if (!wait_until([&] { return fs::exists(port_file); }, std::chrono::seconds(30)))
    throw std::runtime_error("wa-sim did not start: " + read_file(dir / "wa-sim.log"));
  auto port = read_file(port_file);
  while (!port.empty() && (port.back() == '\n')) port.pop_back();
  base = "http://127.0.0.1:" + port;
}

json wa_sim::stats() { return json::parse(call(base, "GET", "/sim/stats").body); }
json wa_sim::inbox(const std::string& wa_id) { return json::parse(call(base, "GET", "/sim/inbox/" + wa_id).body); }

std::vector<std::string> wa_sim::texts(const std::string& wa_id) {
  std::vector<std::string> out;
  const auto box = inbox(wa_id);
  for (const auto& m : box["messages"]) {
    if (m.contains("text")) out.push_back(m["text"].get<std::string>());
    // A confirmation carries the list to change one's choices: its body is
    // what the phone shows as the reply's text.
    else if (m.contains("interactive") && m["interactive"].contains("list"))
      out.push_back(m["interactive"]["body"].get<std::string>());
  }
  return out;
}

banditore::http::client_response wa_sim::citizen_says(const std::string& from, const std::string& text,
                                                      const std::string& message_id) {
  json m = {{"from", from}, {"text", text}};
  if (!message_id.empty()) m["id"] = message_id;
  return call(base, "POST", "/sim/citizens/messages", json{{"messages", {m}}}.dump(),
              {{"Content-Type", "application/json"}});
}

void wa_sim::configure(const json& settings) {
  auto r = call(base, "POST", "/sim/config", settings.dump(), {{"Content-Type", "application/json"}});
  if (r.status != 200) throw std::runtime_error("wa-sim refused configuration: " + r.body);
}

banditore_server::banditore_server(const fs::path& dir, const wa_sim& sim, std::map<std::string, std::string> extra) {
  log_file = dir / "banditore.log";
  db_file = dir / "banditore.db";
  env = {{"BANDITORE_LISTEN", "127.0.0.1:0"},
         {"BANDITORE_DB", db_file.string()},
         {"BANDITORE_KEY_FILE", (dir / "banditore.key").string()},
         {"BANDITORE_WA_API_BASE", sim.base},
         {"BANDITORE_WA_API_VERSION", "v24.0"},
         {"BANDITORE_WA_PHONE_NUMBER_ID", sim_phone_number_id},
         {"BANDITORE_WA_TOKEN", sim_token},
         {"BANDITORE_WA_APP_SECRET", sim_secret},
         {"BANDITORE_WA_VERIFY_TOKEN", verify_token},
         {"BANDITORE_LOG_LEVEL", "debug"}};
  for (auto& [k, v] : extra) env[k] = v;
}

void banditore_server::start() {
  // Each start appends to the log; find this start's "server.listening".
  const auto before = fs::exists(log_file) ? read_file(log_file).size() : 0;
  process = child({BANDITORE_BIN, "serve"}, env, log_file);
  ++starts;
  std::string port;
  bool up = wait_until([&] {
    auto text = read_file(log_file);
    if (text.size() <= before) return false;
    std::istringstream lines(text.substr(before));
    for (std::string line; std::getline(lines, line);) {
      if (line.find("\"server.listening\"") == std::string::npos) continue;
      auto j = json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.contains("port")) {
        port = std::to_string(j["port"].get<int>());
        return true;
      }
    }
    return !process.running();
  }, std::chrono::seconds(60));
  if (!up || port.empty()) throw std::runtime_error("banditore did not start: " + read_file(log_file).substr(before));
  base = "http://127.0.0.1:" + port;
}

int banditore_server::stop(int signal_number) { return process.stop(signal_number); }

}  // namespace harness

namespace harness {

std::vector<std::string> wa_sim::subscribe_many(std::size_t n, const std::string& prefix) {
  std::vector<std::string> numbers;
  for (std::size_t i = 0; i < n; ++i) {
    auto digits = std::to_string(i);
    numbers.push_back(prefix + std::string(8 - std::min<std::size_t>(8, digits.size()), '0') + digits);
  }
  const auto before = stats().value("accepted", 0);
  for (std::size_t at = 0; at < n; at += 100) {
    json msgs = json::array();
    for (std::size_t i = at; i < std::min(n, at + 100); ++i) msgs.push_back({{"from", numbers[i]}, {"text", "Attiva"}});
    auto r = call(base, "POST", "/sim/citizens/messages", json{{"messages", msgs}, {"batch", true}}.dump());
    if (r.status != 200 || json::parse(r.body)["webhook_status"][0] != 200)
      throw std::runtime_error("subscribing failed: " + r.body);
  }
  // Every confirmation has arrived once the simulator has accepted n more.
  if (!wait_until([&] { return stats().value("accepted", 0) >= before + static_cast<int>(n); }, std::chrono::seconds(120)))
    throw std::runtime_error("not every subscriber got a confirmation");
  return numbers;
}

std::string banditore_server::create_key(const std::string& name, const std::string& scopes) {
  const auto r = run_cli(log_file.parent_path(), {"keys", "create", "--name", name, "--scopes", scopes}, env);
  if (r.exit_code != 0) throw std::runtime_error("keys create failed");
  auto text = r.out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
}

banditore::http::client_response banditore_server::api(const std::string& method, const std::string& path,
                                                       const std::string& token, const std::string& body,
                                                       std::vector<banditore::http::header_field> extra) {
  std::vector<banditore::http::header_field> headers{{"Authorization", "Bearer " + token}};
  if (!body.empty()) headers.push_back({"Content-Type", "application/json"});
  for (auto& h : extra) headers.push_back(std::move(h));
  return call(base, method, path, body, std::move(headers));
}

json banditore_server::alert_report(const std::string& token, std::int64_t id) {
  return json::parse(api("GET", "/v1/alerts/" + std::to_string(id), token).body);
}

json banditore_server::await_alert(const std::string& token, std::int64_t id, const std::string& state,
                                   std::chrono::milliseconds deadline) {
  json r;
  wait_until([&] {
    r = alert_report(token, id);
    return r["state"] == state;
  }, deadline);
  return r;
}

namespace {
std::map<std::string, std::string> broadcast_defaults(std::map<std::string, std::string> env) {
  env.emplace("BANDITORE_WA_RATE", "1000");
  env.emplace("BANDITORE_WA_TIER", "unlimited");
  env.emplace("BANDITORE_LOG_LEVEL", "info");
  return env;
}
}  // namespace

alert_world::alert_world(std::map<std::string, std::string> env, std::vector<std::string> sim_args)
    : sim(dir.path, std::move(sim_args)), app(dir.path, sim, broadcast_defaults(std::move(env))) {
  app.start();
  sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}, {"statuses", false}});
  token = app.create_key("ufficio stampa", "alerts:send,alerts:read,stats:read");
}

json alert_world::post_alert(const json& body, const std::string& idempotency_key) {
  std::vector<banditore::http::header_field> extra;
  if (!idempotency_key.empty()) extra.push_back({"Idempotency-Key", idempotency_key});
  auto r = app.api("POST", "/v1/alerts", token, body.dump(), extra);
  if (r.status != 202)
    throw std::runtime_error("POST /v1/alerts answered " + std::to_string(r.status) + ": " + r.body);
  return json::parse(r.body);
}

json alert_world::report(std::int64_t id) { return app.alert_report(token, id); }

json alert_world::await_state(std::int64_t id, const std::string& state, std::chrono::milliseconds deadline) {
  auto r = app.await_alert(token, id, state, deadline);
  if (r["state"] != state)
    throw std::runtime_error("alert " + std::to_string(id) + " is not " + state + ": " + r.dump());
  return r;
}

}  // namespace harness

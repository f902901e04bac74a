// Integration harness: runs the real banditore binary and wa-sim as child
// processes on loopback ports, talks HTTP to both, and waits on conditions
// with deadlines (never on fixed sleeps).
#pragma once

#include <banditore/http/client.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace harness {

using json = nlohmann::json;
namespace fs = std::filesystem;

struct temp_dir {
  temp_dir();
  ~temp_dir();
  fs::path path;
};

class child {
 public:
  child() = default;
  child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
        const fs::path& log_file);
  child(child&&) noexcept;
  child& operator=(child&&) noexcept;
  ~child();
  // Sends the signal and waits; returns the exit status (or 128+signal).
  int stop(int signal_number);
  bool running() const;
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
};

// What a command of the banditore binary wrote, stdout and stderr apart,
// and how it ended.
struct cli_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `banditore ARGS...` started now with exactly these settings (env), its
// stdout and stderr going to files of their own in dir, so stdout can be
// read alone; read when it ends. Several may run at once in one dir.
class cli_command {
 public:
  cli_command(const fs::path& dir, const std::vector<std::string>& args,
              const std::map<std::string, std::string>& env);
  // Waits for the exit.
  cli_result wait();

 private:
  fs::path out_, err_;
  child process_;
};

// Runs `banditore ARGS...` to its end.
cli_result run_cli(const fs::path& dir, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env);

// The settings of a command on the database and key file in dir.
std::map<std::string, std::string> database_env(const fs::path& dir);

// One blocking HTTP call over loopback.
banditore::http::client_response call(const std::string& base, const std::string& method,
                                      const std::string& path, const std::string& body = {},
                                      std::vector<banditore::http::header_field> headers = {},
                                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Polls cond until it holds or the deadline passes; returns whether it held.
bool wait_until(const std::function<bool()>& cond,
                std::chrono::milliseconds deadline = std::chrono::seconds(60));

std::string read_file(const fs::path&);

// The first column of sql's first row, read from the database file on a
// read-only connection of its own (what another process would see).
std::int64_t count(const fs::path& db, const std::string& sql);

// wa-sim on a free port.
struct wa_sim {
  explicit wa_sim(const fs::path& dir, std::vector<std::string> extra_args = {});
  std::string base;
  child process;
  json stats();
  json inbox(const std::string& wa_id);
  // Texts received by a phone, oldest first, with the bodies of list
  // messages (the replies that offer choices); not templates or buttons.
  std::vector<std::string> texts(const std::string& wa_id);
  banditore::http::client_response citizen_says(const std::string& from, const std::string& text,
                                                const std::string& message_id = {});
  void configure(const json& settings);
  // Subscribes n numbers (prefix + index) through signed webhooks, several
  // messages per body, and waits until each has its confirmation.
  std::vector<std::string> subscribe_many(std::size_t n, const std::string& prefix = "3934");
};

// banditore serve on a free port, pointed at the simulator.
struct banditore_server {
  banditore_server(const fs::path& dir, const wa_sim& sim, std::map<std::string, std::string> extra_env = {});
  void start();
  int stop(int signal_number = 15);
  // Runs `banditore keys create` on this server's database; returns the token.
  std::string create_key(const std::string& name, const std::string& scopes);
  // An authenticated call to the REST API.
  banditore::http::client_response api(const std::string& method, const std::string& path,
                                       const std::string& token, const std::string& body = {},
                                       std::vector<banditore::http::header_field> extra = {});
  // GET /v1/alerts/{id}, parsed.
  json alert_report(const std::string& token, std::int64_t id);
  // Polls the alert until it is in state, within deadline; returns the
  // last report seen (the caller checks its state).
  json await_alert(const std::string& token, std::int64_t id, const std::string& state,
                   std::chrono::milliseconds deadline);
  std::string base;
  fs::path log_file;
  fs::path db_file;
  std::map<std::string, std::string> env;
  child process;
  int starts = 0;
};

// A broadcast test's world: wa-sim without status notifications, banditore
// at 1,000/s with no messaging limit (unless env says otherwise), and a key
// that sends and reads alerts.
struct alert_world {
  explicit alert_world(std::map<std::string, std::string> env = {}, std::vector<std::string> sim_args = {});
  temp_dir dir;
  wa_sim sim;
  banditore_server app;
  std::string token;
  // POST /v1/alerts; throws unless it is accepted (202). The answer, parsed.
  json post_alert(const json& body, const std::string& idempotency_key = {});
  json report(std::int64_t id);
  // Waits for the alert's state; throws with the last report if it is not
  // reached within deadline.
  json await_state(std::int64_t id, const std::string& state,
                   std::chrono::milliseconds deadline = std::chrono::seconds(180));
};

inline const std::string sim_token = "sim-token";
inline const std::string sim_secret = "sim-app-secret";
inline const std::string sim_phone_number_id = "100000000000001";
inline const std::string verify_token = "verify-me";

}  // namespace harness

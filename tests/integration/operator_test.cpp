// What an operator meets when starting the service: a wrong WhatsApp token
// shows in /readyz, every configuration error exits 3 naming its variable
// as a JSON log line, a misspelt variable is warned about, a port in use
// is one clear line. The real binary, the real wa-sim, loopback HTTP.
#include "harness.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace harness;

namespace {

json readiness(const banditore_server& app) {
  auto r = call(app.base, "GET", "/readyz");
  json body = json::parse(r.body, nullptr, false);
  body["http_status"] = r.status;
  return body;
}

// Waits until /readyz reports the credentials in that state; the last body.
json await_credentials(const banditore_server& app, const std::string& state) {
  json last;
  wait_until([&] {
    last = readiness(app);
    return last.value("whatsapp_credentials", "") == state;
  }, std::chrono::seconds(30));
  return last;
}

struct exit_result {
  int code = -1;
  std::vector<json> lines;  // stderr, each line parsed (discarded when not JSON)
  std::string text;
  std::string out;  // stdout
};

// Runs `banditore ARGS` to its end with the settings, stderr apart.
exit_result run(const temp_dir& dir, std::vector<std::string> args, std::map<std::string, std::string> env) {
  const auto ran = run_cli(dir.path, args, env);
  exit_result r;
  r.code = ran.exit_code;
  r.text = ran.err;
  r.out = ran.out;
  std::istringstream in(r.text);
  for (std::string line; std::getline(in, line);) r.lines.push_back(json::parse(line, nullptr, false));
  return r;
}

std::map<std::string, std::string> serve_env(const temp_dir& dir, const wa_sim& sim) {
  return {{"BANDITORE_LISTEN", "127.0.0.1:0"},
          {"BANDITORE_DB", (dir.path / "banditore.db").string()},
          {"BANDITORE_KEY_FILE", (dir.path / "banditore.key").string()},
          {"BANDITORE_WA_API_BASE", sim.base},
          {"BANDITORE_WA_PHONE_NUMBER_ID", sim_phone_number_id},
          {"BANDITORE_WA_TOKEN", sim_token},
          {"BANDITORE_WA_APP_SECRET", sim_secret},
          {"BANDITORE_WA_VERIFY_TOKEN", verify_token}};
}

// The one line of event, or a discarded value.
json line_of(const exit_result& r, const std::string& event) {
  for (const auto& l : r.lines)
    if (l.is_object() && l.value("event", "") == event) return l;
  return json(json::value_t::discarded);
}

}  // namespace

TEST_CASE("operator: /readyz checks the WhatsApp token with the Graph API and follows its revocation") {
  temp_dir dir;
  wa_sim sim(dir.path);
  banditore_server app(dir.path, sim, {{"BANDITORE_WA_CHECK_SECONDS", "1"}});
  app.start();
  auto ready = await_credentials(app, "ok");
  INFO(ready.dump());
  CHECK(ready["http_status"] == 200);
  CHECK(ready["status"] == "ready");
  CHECK(sim.stats().value("node_reads", 0) >= 1);

  // The token is revoked at Meta: the next check sees it, /readyz says so.
  sim.configure({{"token", "a-new-token"}});
  auto revoked = await_credentials(app, "rejected");
  INFO(revoked.dump());
  CHECK(revoked["http_status"] == 503);
  CHECK(revoked["status"] == "not ready");
  CHECK(revoked["whatsapp_error_code"] == 190);
  CHECK(read_file(app.log_file).find("\"whatsapp.credentials_rejected\"") != std::string::npos);
  // The token itself appears nowhere.
  CHECK(read_file(app.log_file).find(sim_token) == std::string::npos);
  CHECK(revoked.dump().find(sim_token) == std::string::npos);
}

TEST_CASE("operator: a wrong phone number id is not ready from the start") {
  temp_dir dir;
  wa_sim sim(dir.path);
  banditore_server app(dir.path, sim, {{"BANDITORE_WA_PHONE_NUMBER_ID", "100000000000999"}});
  app.start();
  auto r = await_credentials(app, "rejected");
  INFO(r.dump());
  CHECK(r["http_status"] == 503);
  CHECK(r["whatsapp_error_code"] == 100);
}

TEST_CASE("operator: a bad replies file exits 3 with one JSON line naming the variable") {
  temp_dir dir;
  wa_sim sim(dir.path);
  auto env = serve_env(dir, sim);
  SUBCASE("not JSON") {
    std::ofstream(dir.path / "replies.json") << "{\"help\": ";
    env["BANDITORE_REPLIES_FILE"] = (dir.path / "replies.json").string();
  }
  SUBCASE("missing") { env["BANDITORE_REPLIES_FILE"] = (dir.path / "nowhere.json").string(); }
  SUBCASE("an unknown reply") {
    std::ofstream(dir.path / "replies.json") << R"({"helo": "Ciao"})";
    env["BANDITORE_REPLIES_FILE"] = (dir.path / "replies.json").string();
  }
  auto r = run(dir, {"serve"}, env);
  INFO(r.text);
  CHECK(r.code == 3);
  REQUIRE(r.lines.size() == 1);
  const auto& line = r.lines[0];
  REQUIRE(line.is_object());
  CHECK(line["level"] == "error");
  CHECK(line["event"] == "config.invalid");
  CHECK(line["variable"] == "BANDITORE_REPLIES_FILE");
  CHECK(line["exit_code"] == 3);
}

TEST_CASE("operator: every configuration error of serve is a JSON line with exit code 3 and the variable") {
  temp_dir dir;
  wa_sim sim(dir.path);
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {"BANDITORE_LOG_LEVEL", "verbose"},     {"BANDITORE_LISTEN", "localhost"},
      {"BANDITORE_QUIET_HOURS", "22-7"},      {"BANDITORE_WA_API_VERSION", "24"},
      {"BANDITORE_WA_RATE", "fast"},          {"BANDITORE_RETENTION_DAYS", "0"},
      {"BANDITORE_CAP_MIN_SEVERITY", "big"},  {"BANDITORE_WA_CHECK_SECONDS", "0"}};
  for (const auto& [name, value] : wrong) {
    INFO(name << "=" << value);
    auto env = serve_env(dir, sim);
    env[name] = value;
    auto r = run(dir, {"serve"}, env);
    INFO(r.text);
    CHECK(r.code == 3);
    auto line = line_of(r, "config.invalid");
    REQUIRE(line.is_object());
    CHECK(line["variable"] == name);
  }
  // Missing credentials name the first missing variable.
  auto env = serve_env(dir, sim);
  env.erase("BANDITORE_WA_TOKEN");
  auto r = run(dir, {"serve"}, env);
  CHECK(r.code == 3);
  CHECK(line_of(r, "config.invalid")["variable"] == "BANDITORE_WA_TOKEN");
}

TEST_CASE("operator: a misspelt variable is warned about with the closest known name") {
  temp_dir dir;
  wa_sim sim(dir.path);
  auto env = serve_env(dir, sim);
  env["BANDITORE_WA_TOKEN"] = "";  // serve then stops at once on the missing token
  env["BANDITORE_WA_TOKKEN"] = "x";
  auto r = run(dir, {"serve"}, env);
  INFO(r.text);
  auto warning = line_of(r, "config.unknown_variable");
  REQUIRE(warning.is_object());
  CHECK(warning["level"] == "warn");
  CHECK(warning["variable"] == "BANDITORE_WA_TOKKEN");
  CHECK(warning["closest"] == "BANDITORE_WA_TOKEN");
  // The value, which may be a secret, is not repeated.
  CHECK(r.text.find("=x") == std::string::npos);

  // Other commands say it in words.
  auto count = run(dir, {"subscribers", "count"},
                   {{"BANDITORE_DB", (dir.path / "banditore.db").string()},
                    {"BANDITORE_KEY_FILE", (dir.path / "banditore.key").string()},
                    {"BANDITORE_TWON", "Lodi"}});
  CHECK(count.code == 0);
  CHECK(count.text == "banditore: warning: BANDITORE_TWON is not a banditore setting; did you mean BANDITORE_TOWN?\n");
}

TEST_CASE("operator: a port already in use is one clear line") {
  temp_dir dir;
  wa_sim sim(dir.path);
  banditore_server first(dir.path, sim);
  first.start();
  temp_dir other;
  auto env = serve_env(other, sim);
  env["BANDITORE_LISTEN"] = first.base.substr(std::string("http://").size());
  auto r = run(other, {"serve"}, env);
  INFO(r.text);
  CHECK(r.code == 1);
  auto line = line_of(r, "fatal");
  REQUIRE(line.is_object());
  const std::string error = line["error"];
  CHECK(error == "BANDITORE_LISTEN=" + env["BANDITORE_LISTEN"] +
                     ": address already in use; another process listens there (stop it or choose another port)");
  // Nothing else is an error.
  int errors = 0;
  for (const auto& l : r.lines) errors += l.is_object() && l.value("level", "") == "error";
  CHECK(errors == 1);
}

TEST_CASE("operator: --version prints the version and the licence") {
  temp_dir dir;
  auto r = run(dir, {"--version"}, {});
  CHECK(r.code == 0);
  CHECK(r.out.rfind("banditore 0.", 0) == 0);
  CHECK(r.out.find("EUPL-1.2") != std::string::npos);
}

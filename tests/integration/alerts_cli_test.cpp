// `banditore alerts` and `banditore send` as an operator runs them: the real
// binary on a database in a temporary directory, its stdout and stderr read
// apart; with no service running, except where a broadcast is followed.
#include "harness.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>

using namespace harness;

namespace {

using run_result = cli_result;

// Runs `banditore ARGS...` to its end on the directory's database.
run_result cli(const temp_dir& dir, const std::vector<std::string>& args) {
  return run_cli(dir.path, args, database_env(dir.path));
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

run_result send_valid(const temp_dir& dir, const std::string& title = "Acqua sospesa in via Roma") {
  return cli(dir, {"send", "--category", "water", "--severity", "severe", "--title", title, "--text",
                         "Dalle 14 alle 18 manca l'acqua.", "--no-wait"});
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("alerts cli: send --no-wait prints the new id and alerts show finds it") {
  temp_dir dir;
  auto sent = send_valid(dir);
  INFO("stderr: " << sent.err);
  REQUIRE(sent.exit_code == 0);
  REQUIRE(sent.out == "1\n");
  auto shown = cli(dir, {"alerts", "show", "1"});
  INFO("show stderr: " << shown.err);
  REQUIRE(shown.exit_code == 0);
  CHECK(contains(shown.out, "Acqua sospesa in via Roma"));
  CHECK(contains(shown.out, "planning"));
  CHECK(contains(shown.out, "cli"));
}

TEST_CASE("alerts cli: send with an invalid severity exits 2 naming the field") {
  temp_dir dir;
  auto r = cli(dir, {"send", "--category", "water", "--severity", "apocalyptic", "--title", "T", "--text",
                           "X", "--no-wait"});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("banditore: send: severity ", 0) == 0);
  CHECK(lines(r.err).size() == 1);
}

TEST_CASE("alerts cli: alerts cancel sets the alert's state to cancelled") {
  temp_dir dir;
  REQUIRE(send_valid(dir).exit_code == 0);
  auto r = cli(dir, {"alerts", "cancel", "1"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "Cancelled alert 1"));
  auto shown = cli(dir, {"alerts", "show", "1"});
  CHECK(contains(shown.out, "state:       cancelled"));
}

TEST_CASE("alerts cli: alerts list shows the alerts sent, newest first") {
  temp_dir dir;
  REQUIRE(send_valid(dir, "Strada chiusa").exit_code == 0);
  REQUIRE(send_valid(dir, "Allerta meteo").exit_code == 0);
  auto r = cli(dir, {"alerts", "list"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  auto out = lines(r.out);
  REQUIRE(out.size() == 3);
  CHECK(out[0].rfind("ID", 0) == 0);
  CHECK(out[1].rfind("2 ", 0) == 0);
  CHECK(contains(out[1], "Allerta meteo"));
  CHECK(contains(out[2], "Strada chiusa"));
  auto limited = lines(cli(dir, {"alerts", "list", "--limit", "1"}).out);
  CHECK(limited.size() == 2);
}

TEST_CASE("alerts cli: alerts show of an unknown id fails with one line on stderr") {
  temp_dir dir;
  auto r = cli(dir, {"alerts", "show", "42"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.rfind("banditore: ", 0) == 0);
  CHECK(lines(r.err).size() == 1);
}

TEST_CASE("alerts cli: send follows the broadcast with progress lines and exits 0 when it is done") {
  temp_dir dir;
  wa_sim sim(dir.path);
  banditore_server app(dir.path, sim, {{"BANDITORE_WA_TIER", "unlimited"}});
  app.start();
  sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}, {"statuses", false}});
  sim.subscribe_many(10);
  // Two messages a second: the ten deliveries take at least 4.5 s, while
  // the command reports about once a second, so it sees the broadcast midway.
  app.stop();
  app.env["BANDITORE_WA_RATE"] = "2";
  app.start();
  sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}});

  auto r = cli(dir, {"send", "--category", "water", "--severity", "severe", "--title", "Acqua sospesa", "--text",
                     "Dalle 14 alle 18 manca l'acqua."});
  INFO("stderr:\n" << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "1\n");

  // stderr is a file here, not a terminal: one plain line per update.
  struct update {
    std::string state;
    int reached = 0, recipients = 0, failed = 0, queued = 0;
  };
  std::vector<update> updates;
  for (const auto& line : lines(r.err)) {
    INFO("line: " << line);
    char state[32] = {};
    update u;
    double rate = 0;
    int end = 0;
    const int fields = std::sscanf(line.c_str(), "alert 1 %31[a-z]: reached %d/%d, failed %d, queued %d, %lf/s%n",
                                   state, &u.reached, &u.recipients, &u.failed, &u.queued, &rate, &end);
    REQUIRE(fields == 6);
    REQUIRE(static_cast<std::size_t>(end) == line.size());
    u.state = state;
    updates.push_back(u);
  }
  REQUIRE(updates.size() >= 3);
  const auto& last = updates.back();
  CHECK(last.state == "done");
  CHECK(last.reached == 10);
  CHECK(last.recipients == 10);
  CHECK(last.failed == 0);
  CHECK(last.queued == 0);
  int midway = 0;
  for (std::size_t i = 0; i + 1 < updates.size(); ++i) {
    CHECK(updates[i].state != "done");
    if (i > 0) CHECK(updates[i].reached >= updates[i - 1].reached);
    if (updates[i].reached > 0 && updates[i].reached < 10) ++midway;
  }
  CHECK(midway >= 1);
}

TEST_CASE("alerts cli: send --not-public keeps the alert off the public pages") {
  temp_dir dir;
  auto r = cli(dir, {"send", "--category", "roads", "--severity", "minor", "--title", "Interno", "--text", "X",
                     "--not-public", "--no-wait"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(send_valid(dir).exit_code == 0);
  CHECK(count(dir.path / "banditore.db", "SELECT COUNT(*) FROM alerts WHERE public = 0 AND title = 'Interno'") == 1);
  CHECK(count(dir.path / "banditore.db", "SELECT COUNT(*) FROM alerts WHERE public = 1") == 1);
}

// `banditore towns|topics|areas` as an operator runs them: the real binary
// on a database in a temporary directory, its stdout and stderr read apart.
#include "harness.hpp"

#include <doctest/doctest.h>

using namespace harness;

namespace {

cli_result run(const temp_dir& dir, std::vector<std::string> args, std::map<std::string, std::string> extra = {}) {
  auto env = database_env(dir.path);
  env.insert(extra.begin(), extra.end());
  return run_cli(dir.path, args, env);
}

}  // namespace

TEST_CASE("a new deployment lists the default topics and today's town, named by BANDITORE_TOWN") {
  temp_dir dir;
  auto towns = run(dir, {"towns", "list"}, {{"BANDITORE_TOWN", "Lugo"}});
  INFO("stderr: " << towns.err);
  REQUIRE(towns.exit_code == 0);
  CHECK(towns.out.find("lugo") != std::string::npos);
  CHECK(towns.out.find("Comune di Lugo") != std::string::npos);
  auto topics = run(dir, {"topics", "list"});
  REQUIRE(topics.exit_code == 0);
  for (const char* id : {"emergenze", "acqua", "strade", "meteo", "rifiuti", "scuole", "eventi"}) {
    INFO(id);
    CHECK(topics.out.find(id) != std::string::npos);
  }
}

TEST_CASE("towns, topics and areas are added, updated, listed and removed, each change audited") {
  temp_dir dir;
  auto added = run(dir, {"towns", "add", "fusignano", "--name", "Comune di Fusignano", "--istat", "039011"});
  INFO("stderr: " << added.err);
  REQUIRE(added.exit_code == 0);
  CHECK(added.out == "Added town 'fusignano'.\n");
  REQUIRE(run(dir, {"areas", "add", "maiano", "--town", "fusignano", "--name", "Maiano", "--keywords",
                    "Maiano Monti, Maiano"}).exit_code == 0);
  REQUIRE(run(dir, {"topics", "update", "eventi", "--in-default", "yes"}).exit_code == 0);
  auto topics = run(dir, {"topics", "list"});
  const auto eventi = topics.out.find("\neventi ");
  REQUIRE(eventi != std::string::npos);
  const auto line = topics.out.substr(eventi + 1, topics.out.find('\n', eventi + 1) - eventi - 1);
  CHECK(line.find(" yes ") != std::string::npos);
  auto areas = run(dir, {"areas", "list", "--town", "fusignano"});
  REQUIRE(areas.exit_code == 0);
  CHECK(areas.out.find("Maiano Monti, Maiano") != std::string::npos);
  CHECK(run(dir, {"areas", "list", "--town", "comune"}).out.find("maiano") == std::string::npos);
  CHECK(count(dir.path / "banditore.db", "SELECT COUNT(*) FROM audit_log WHERE actor = 'cli' AND action LIKE '%.add'") == 2);
  REQUIRE(run(dir, {"areas", "remove", "maiano"}).exit_code == 0);
  REQUIRE(run(dir, {"towns", "remove", "fusignano"}).exit_code == 0);
  CHECK(run(dir, {"towns", "list"}).out.find("fusignano") == std::string::npos);
}

TEST_CASE("refusals: a bad value is a usage error naming the option; unknown, taken and in-use ids are failures") {
  temp_dir dir;
  auto bad_id = run(dir, {"topics", "add", "Frane!", "--name", "Frane"});
  CHECK(bad_id.exit_code == 2);
  CHECK(bad_id.err.find("id must be") != std::string::npos);
  auto bad_istat = run(dir, {"towns", "add", "x", "--name", "X", "--istat", "12"});
  CHECK(bad_istat.exit_code == 2);
  CHECK(bad_istat.err.find("--istat") != std::string::npos);
  CHECK(run(dir, {"topics", "add", "frane"}).exit_code == 2);  // no --name
  CHECK(run(dir, {"topics", "add", "frane", "--name", "Frane", "--colour", "red"}).exit_code == 2);
  CHECK(run(dir, {"towns", "frobnicate"}).exit_code == 2);
  auto taken = run(dir, {"topics", "add", "acqua", "--name", "Acqua"});
  CHECK(taken.exit_code == 1);
  CHECK(taken.err.find("already") != std::string::npos);
  CHECK(run(dir, {"topics", "remove", "frane"}).exit_code == 1);
  auto orphan = run(dir, {"areas", "add", "villanova", "--town", "bagnacavallo", "--name", "Villanova"});
  CHECK(orphan.exit_code == 2);
  CHECK(orphan.err.find("--town") != std::string::npos);
  REQUIRE(run(dir, {"areas", "add", "centro", "--town", "comune", "--name", "Centro"}).exit_code == 0);
  auto in_use = run(dir, {"towns", "remove", "comune"});
  CHECK(in_use.exit_code == 1);
  CHECK(in_use.err.find("centro") != std::string::npos);
}

TEST_CASE("towns --help, topics --help and areas --help describe the subcommands") {
  temp_dir dir;
  for (const char* command : {"towns", "topics", "areas"}) {
    auto r = run(dir, {command, "--help"});
    INFO(command);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("list") != std::string::npos);
    CHECK(r.out.find("remove ID") != std::string::npos);
  }
  CHECK(run(dir, {"--help"}).out.find("towns") != std::string::npos);
}

TEST_CASE("the running service answers /v1/areas: a key made with audience:admin adds, any key reads") {
  temp_dir dir;
  wa_sim sim{dir.path};
  banditore_server app(dir.path, sim, {{"BANDITORE_TOWN", "Lugo"}});
  app.start();
  const auto admin = app.create_key("unione", "audience:admin");
  const auto reader = app.create_key("dashboard", "stats:read");
  auto added = app.api("POST", "/v1/areas", admin, R"({"id":"voltana","town":"lugo","name":"Voltana"})");
  INFO("body: " << added.body);
  REQUIRE(added.status == 201);
  CHECK(app.api("POST", "/v1/areas", reader, R"({"id":"x","town":"lugo","name":"X"})").status == 403);
  auto listed = app.api("GET", "/v1/areas?town=lugo", reader);
  REQUIRE(listed.status == 200);
  auto areas = json::parse(listed.body)["areas"];
  REQUIRE(areas.size() == 1);
  CHECK(areas[0]["name"] == "Voltana");
  CHECK(json::parse(app.api("GET", "/v1/towns/lugo", reader).body)["name"] == "Comune di Lugo");
  // The command line sees what the API wrote, while the service runs.
  CHECK(run(dir, {"areas", "list"}).out.find("voltana") != std::string::npos);
}

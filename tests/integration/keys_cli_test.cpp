// `banditore keys` as an operator runs it: the real binary on a database in
// a temporary directory, its stdout and stderr read apart.
#include "harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

using namespace harness;

namespace {

using run_result = cli_result;

// Runs `banditore keys ARGS...` to its end on the directory's database.
run_result keys(const temp_dir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), "keys");
  return run_cli(dir.path, args, database_env(dir.path));
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string created_token(const temp_dir& dir, const std::string& name, const std::string& scopes) {
  auto r = keys(dir, {"create", "--name", name, "--scopes", scopes});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  auto out = lines(r.out);
  REQUIRE(!out.empty());
  return out.back();
}

}  // namespace

TEST_CASE("keys create prints the token alone on the last stdout line") {
  temp_dir dir;
  auto r = keys(dir, {"create", "--name", "press-office", "--scopes", "alerts:send,alerts:read"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  auto out = lines(r.out);
  REQUIRE(!out.empty());
  const auto& token = out.back();
  CHECK(token.size() == 84);
  CHECK(token.rfind("bnd_", 0) == 0);
  CHECK(token.find(' ') == std::string::npos);
  CHECK(r.out == token + "\n");
  CHECK(r.err.find("shown only this once") != std::string::npos);
}

TEST_CASE("keys list shows the name and prefix but never the token") {
  temp_dir dir;
  auto token = created_token(dir, "press-office", "alerts:send");
  auto r = keys(dir, {"list"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("press-office") != std::string::npos);
  CHECK(r.out.find(token.substr(0, 12)) != std::string::npos);
  CHECK(r.out.find("alerts:send") != std::string::npos);
  CHECK(r.out.find(token.substr(12)) == std::string::npos);
  CHECK(r.err.find(token.substr(12)) == std::string::npos);
  auto out = lines(r.out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].rfind("ID", 0) == 0);
  CHECK(out[1].find("Z") != std::string::npos);  // times are UTC, RFC 3339
}

TEST_CASE("keys revoke marks the key revoked in the list") {
  temp_dir dir;
  created_token(dir, "press-office", "alerts:send");
  created_token(dir, "dashboard", "stats:read");
  auto r = keys(dir, {"revoke", "press-office"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Revoked API key 1") != std::string::npos);
  auto list = lines(keys(dir, {"list"}).out);
  REQUIRE(list.size() == 3);
  // Times end in Z: the revoked key shows created and revoked, the other
  // only created.
  auto times = [](const std::string& line) { return std::count(line.begin(), line.end(), 'Z'); };
  CHECK(list[1].find("press-office") != std::string::npos);
  CHECK(times(list[1]) == 2);
  CHECK(list[2].find("dashboard") != std::string::npos);
  CHECK(times(list[2]) == 1);
}

TEST_CASE("keys revoke of an unknown key fails with one line on stderr") {
  temp_dir dir;
  auto r = keys(dir, {"revoke", "42"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.rfind("banditore: ", 0) == 0);
  CHECK(lines(r.err).size() == 1);
}

TEST_CASE("keys revoke given a token refuses it without printing it") {
  temp_dir dir;
  auto token = created_token(dir, "press-office", "alerts:send");
  auto r = keys(dir, {"revoke", token});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(token.substr(0, 12)) != std::string::npos);
  CHECK(r.err.find(token.substr(12)) == std::string::npos);
  CHECK(r.out.find(token.substr(12)) == std::string::npos);
}

TEST_CASE("keys create without --name is a usage error") {
  temp_dir dir;
  auto r = keys(dir, {"create", "--scopes", "alerts:send"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("banditore: ", 0) == 0);
  CHECK(r.err.find("--name") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("an unknown option or scope is a usage error") {
  temp_dir dir;
  CHECK(keys(dir, {"create", "--name", "a", "--scopes", "alerts:send", "--colour"}).exit_code == 2);
  CHECK(keys(dir, {"create", "--name", "a", "--scopes", "alerts:write"}).exit_code == 2);
  CHECK(keys(dir, {"list", "--all"}).exit_code == 2);
  CHECK(keys(dir, {"rotate"}).exit_code == 2);
  CHECK(keys(dir, {}).exit_code == 2);
}

TEST_CASE("each keys subcommand explains itself with --help") {
  temp_dir dir;
  for (const char* sub : {"create", "list", "revoke"}) {
    auto r = keys(dir, {sub, "--help"});
    INFO(sub);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(std::string("banditore keys ") + sub) != std::string::npos);
  }
  CHECK(keys(dir, {"--help"}).exit_code == 0);
  CHECK_FALSE(fs::exists(dir.path / "banditore.db"));  // help touches nothing
}

#include <banditore/config/ops_settings.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

using namespace banditore::config;

namespace {
env_lookup from(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
const std::string token = "0123456789abcdef0123";
}  // namespace

TEST_CASE("without settings /metrics has no token and records are kept 90 days") {
  auto s = ops_from_environment(from({}));
  CHECK(s.metrics_token.empty());
  CHECK(s.retention_days == 90);
  CHECK(s.retention_ms() == 90LL * 24 * 3600 * 1000);
}

TEST_CASE("the metrics token is read from the variable") {
  CHECK(ops_from_environment(from({{"BANDITORE_METRICS_TOKEN", token}})).metrics_token == token);
}

TEST_CASE("the metrics token is read from its file without the final newline") {
  const auto path = std::filesystem::temp_directory_path() / "banditore_ops_settings_token";
  std::ofstream(path) << token << "\n";
  auto s = ops_from_environment(from({{"BANDITORE_METRICS_TOKEN_FILE", path.string()}}));
  std::filesystem::remove(path);
  CHECK(s.metrics_token == token);
}

TEST_CASE("the metrics token and its file together are refused") {
  CHECK_THROWS_AS(ops_from_environment(from({{"BANDITORE_METRICS_TOKEN", token},
                                             {"BANDITORE_METRICS_TOKEN_FILE", "/nonexistent"}})),
                  std::invalid_argument);
}

TEST_CASE("a short metrics token is refused without repeating it") {
  try {
    ops_from_environment(from({{"BANDITORE_METRICS_TOKEN", "secret"}}));
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("BANDITORE_METRICS_TOKEN") != std::string::npos);
    CHECK(std::string(e.what()).find("secret") == std::string::npos);
  }
}

TEST_CASE("a metrics token with a space is refused") {
  CHECK_THROWS_AS(ops_from_environment(from({{"BANDITORE_METRICS_TOKEN", token + " x"}})), std::invalid_argument);
}

TEST_CASE("the retention is read in days within 1 to 3650") {
  CHECK(ops_from_environment(from({{"BANDITORE_RETENTION_DAYS", "30"}})).retention_days == 30);
  CHECK_THROWS_AS(ops_from_environment(from({{"BANDITORE_RETENTION_DAYS", "0"}})), std::invalid_argument);
  CHECK_THROWS_AS(ops_from_environment(from({{"BANDITORE_RETENTION_DAYS", "3651"}})), std::invalid_argument);
  CHECK_THROWS_AS(ops_from_environment(from({{"BANDITORE_RETENTION_DAYS", "30d"}})), std::invalid_argument);
}

TEST_CASE("the operator settings are documented, the token as a secret") {
  const auto& docs = documented_ops_settings();
  REQUIRE(docs.size() == 5);
  CHECK(docs[0].name == "BANDITORE_METRICS_TOKEN");
  CHECK(docs[0].secret);
  CHECK(docs[1].name == "BANDITORE_RETENTION_DAYS");
  CHECK(docs[1].default_value == "90");
  CHECK(docs[2].name == "BANDITORE_WA_CHECK_SECONDS");
  CHECK(docs[2].default_value == "300");
  CHECK_FALSE(docs[2].secret);
  CHECK(docs[3].name == "BANDITORE_NEWS_FEEDS");
  CHECK(docs[4].name == "BANDITORE_NEWS_POLL_SECONDS");
  CHECK(docs[4].default_value == "900");
}

TEST_CASE("news feeds are read as town=URL, a URL alone belonging to no town") {
  auto s = ops_from_environment(from({{"BANDITORE_NEWS_FEEDS",
                                       "lugo=https://www.comune.lugo.example/feed/, "
                                       "https://www.unione.example/rss.xml?a=b,cotignola=http://x.example/?q=1"}}));
  REQUIRE(s.news_feeds.size() == 3);
  CHECK(s.news_feeds[0].town_id == "lugo");
  CHECK(s.news_feeds[0].url == "https://www.comune.lugo.example/feed/");
  CHECK(s.news_feeds[1].town_id.empty());
  CHECK(s.news_feeds[1].url == "https://www.unione.example/rss.xml?a=b");
  CHECK(s.news_feeds[2].town_id == "cotignola");
  CHECK(s.news_poll_seconds == 900);
  CHECK(ops_from_environment(from({{"BANDITORE_NEWS_POLL_SECONDS", "60"}})).news_poll_seconds == 60);
  for (const char* bad : {"lugo=ftp://x.example/", "Lugo=https://x.example/", "www.comune.example/feed", "lugo="})
    CHECK_THROWS_AS(ops_from_environment(from({{"BANDITORE_NEWS_FEEDS", bad}})), std::invalid_argument);
  CHECK_THROWS_AS(ops_from_environment(from({{"BANDITORE_NEWS_POLL_SECONDS", "0"}})), std::invalid_argument);
}

TEST_CASE("the credentials check interval is 1 to 86400 seconds") {
  CHECK(ops_from_environment([](const std::string&) { return std::optional<std::string>{}; }).wa_check_seconds == 300);
  auto with = [](std::string v) {
    return [v](const std::string& name) -> std::optional<std::string> {
      if (name == "BANDITORE_WA_CHECK_SECONDS") return v;
      return std::nullopt;
    };
  };
  CHECK(ops_from_environment(with("30")).wa_check_seconds == 30);
  CHECK_THROWS_AS(ops_from_environment(with("0")), std::invalid_argument);
  CHECK_THROWS_AS(ops_from_environment(with("86401")), std::invalid_argument);
  CHECK_THROWS_AS(ops_from_environment(with("5m")), std::invalid_argument);
}

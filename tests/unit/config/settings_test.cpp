#include <banditore/config/settings.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

using namespace banditore::config;

namespace {
env_lookup from(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST_CASE("the defaults are those of the design's stable interfaces") {
  auto s = from_environment(from({}));
  CHECK(s.listen == "127.0.0.1:8080");
  CHECK(s.db_path == "./var/banditore.db");
  CHECK(s.key_file == "./var/banditore.key");
  CHECK(s.wa_api_base == "https://graph.facebook.com");
  CHECK(s.wa_rate == 80);
  CHECK(missing_for_serve(s).size() == 4);
}

TEST_CASE("a secret can be read from NAME_FILE, without its trailing newline") {
  auto path = std::filesystem::temp_directory_path() / "banditore-settings-test-secret";
  std::ofstream(path) << "s3cret\n";
  auto s = from_environment(from({{"BANDITORE_WA_APP_SECRET_FILE", path.string()}}));
  CHECK(s.wa_app_secret == "s3cret");
  std::filesystem::remove(path);
}

TEST_CASE("a secret given both ways is refused") {
  CHECK_THROWS_AS(from_environment(from({{"BANDITORE_WA_TOKEN", "a"}, {"BANDITORE_WA_TOKEN_FILE", "/x"}})),
                  std::invalid_argument);
}

TEST_CASE("a rate outside WhatsApp's range is refused with the variable named") {
  CHECK_THROWS_WITH_AS(from_environment(from({{"BANDITORE_WA_RATE", "5000"}})),
                       doctest::Contains("BANDITORE_WA_RATE"), std::invalid_argument);
  CHECK_THROWS_AS(from_environment(from({{"BANDITORE_WA_RATE", "fast"}})), std::invalid_argument);
  CHECK(from_environment(from({{"BANDITORE_WA_RATE", "1000"}})).wa_rate == 1000);
}

TEST_CASE("every documented setting is a BANDITORE_ variable") {
  for (const auto& d : documented_settings()) CHECK(d.name.rfind("BANDITORE_", 0) == 0);
}

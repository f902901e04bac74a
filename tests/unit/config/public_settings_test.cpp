#include <banditore/config/public_settings.hpp>

#include <doctest/doctest.h>

#include <map>
#include <stdexcept>

using namespace banditore::config;

namespace {
env_lookup from(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST_CASE("the public settings: a number with its country code, an http(s) address, a CAP sender without spaces") {
  auto none = public_from_environment(from({}));
  CHECK(none.number.empty());
  CHECK(none.base_url.empty());
  auto s = public_from_environment(from({{"BANDITORE_PUBLIC_NUMBER", "+39 0545 123456"},
                                         {"BANDITORE_PUBLIC_URL", "https://avvisi.comune.example.it/"},
                                         {"BANDITORE_PUBLIC_CAP_SENDER", "avvisi@comune.example.it"}}));
  CHECK(s.number == "+39 0545 123456");
  CHECK(s.base_url == "https://avvisi.comune.example.it");
  CHECK(s.cap_sender == "avvisi@comune.example.it");
  for (auto bad : {"0545 123456", "+39 abc", "+39 12", "+39 0545 123456 789 012"})
    CHECK_THROWS_AS(public_from_environment(from({{"BANDITORE_PUBLIC_NUMBER", bad}})), std::invalid_argument);
  for (auto bad : {"avvisi.example.it", "ftp://x", "https://", "https://x/?a=1", "https://a b"})
    CHECK_THROWS_AS(public_from_environment(from({{"BANDITORE_PUBLIC_URL", bad}})), std::invalid_argument);
  for (auto bad : {"a b", "a,b", "a&b"})
    CHECK_THROWS_AS(public_from_environment(from({{"BANDITORE_PUBLIC_CAP_SENDER", bad}})), std::invalid_argument);
  CHECK(documented_public_settings().size() == 3);
}

#include <banditore/config/cap_settings.hpp>

#include <doctest/doctest.h>

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

std::string refusal(std::map<std::string, std::string> vars) {
  try {
    cap_settings::from_environment(from(std::move(vars)));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}
}  // namespace

TEST_CASE("without CAP variables only Actual orange-or-worse alerts pass and nothing is polled") {
  auto s = cap_settings::from_environment(from({}));
  CHECK(s.policy.broadcast_statuses == std::set<std::string>{"Actual"});
  CHECK(s.policy.min_severity == "Moderate");
  CHECK(s.policy.urgencies == std::set<std::string>{"Immediate", "Expected", "Future"});
  CHECK(s.policy.min_certainty == "Likely");
  CHECK(s.policy.min_awareness_level == 3);
  CHECK(s.policy.languages == std::vector<std::string>{"it", "en"});
  CHECK(s.policy.where.istat_codes.empty());
  CHECK(s.policy.where.region_codes.empty());
  CHECK_FALSE(s.policy.where.point.has_value());
  CHECK(s.feeds.empty());
  CHECK(s.poll_interval == std::chrono::seconds(300));
}

TEST_CASE("the territory is read from ISTAT codes, EMMA_ID zones and a point") {
  auto s = cap_settings::from_environment(from({{"BANDITORE_CAP_ISTAT", "015146, 15002"},
                                                {"BANDITORE_CAP_REGIONS", "IT003,IT001"},
                                                {"BANDITORE_CAP_POINT", "45.4668, 9.1905"}}));
  CHECK(s.policy.where.istat_codes == std::vector<std::string>{"015146", "15002"});
  CHECK(s.policy.where.region_codes == std::vector<std::string>{"IT003", "IT001"});
  REQUIRE(s.policy.where.point.has_value());
  CHECK(s.policy.where.point->lat == doctest::Approx(45.4668));
  CHECK(s.policy.where.point->lon == doctest::Approx(9.1905));
}

TEST_CASE("enumerated values are matched in any case and kept as CAP spells them") {
  auto s = cap_settings::from_environment(from({{"BANDITORE_CAP_STATUSES", "actual,EXERCISE"},
                                                {"BANDITORE_CAP_MIN_SEVERITY", "severe"},
                                                {"BANDITORE_CAP_URGENCIES", "immediate"},
                                                {"BANDITORE_CAP_MIN_CERTAINTY", "observed"}}));
  CHECK(s.policy.broadcast_statuses == std::set<std::string>{"Actual", "Exercise"});
  CHECK(s.policy.min_severity == "Severe");
  CHECK(s.policy.urgencies == std::set<std::string>{"Immediate"});
  CHECK(s.policy.min_certainty == "Observed");
}

TEST_CASE("the awareness rule takes a level from 1 to 4, or off") {
  CHECK(cap_settings::from_environment(from({{"BANDITORE_CAP_MIN_AWARENESS", "4"}})).policy.min_awareness_level == 4);
  CHECK_FALSE(cap_settings::from_environment(from({{"BANDITORE_CAP_MIN_AWARENESS", "off"}}))
                  .policy.min_awareness_level.has_value());
  CHECK(refusal({{"BANDITORE_CAP_MIN_AWARENESS", "5"}}).find("BANDITORE_CAP_MIN_AWARENESS") != std::string::npos);
}

TEST_CASE("feeds and their poll interval are read") {
  auto s = cap_settings::from_environment(
      from({{"BANDITORE_CAP_FEEDS", "https://feeds.example.org/it.atom, http://127.0.0.1:9000/cap.rss"},
            {"BANDITORE_CAP_POLL_SECONDS", "60"},
            {"BANDITORE_CAP_LANGUAGES", "en"}}));
  CHECK(s.feeds == std::vector<std::string>{"https://feeds.example.org/it.atom", "http://127.0.0.1:9000/cap.rss"});
  CHECK(s.poll_interval == std::chrono::seconds(60));
  CHECK(s.policy.languages == std::vector<std::string>{"en"});
}

TEST_CASE("an unknown severity is refused naming the variable") {
  CHECK(refusal({{"BANDITORE_CAP_MIN_SEVERITY", "Orange"}}).find("BANDITORE_CAP_MIN_SEVERITY") != std::string::npos);
}

TEST_CASE("an unknown status, urgency or certainty is refused") {
  CHECK(refusal({{"BANDITORE_CAP_STATUSES", "Actual,Real"}}) != "accepted");
  CHECK(refusal({{"BANDITORE_CAP_URGENCIES", "Soon"}}) != "accepted");
  CHECK(refusal({{"BANDITORE_CAP_MIN_CERTAINTY", "Sure"}}) != "accepted");
}

TEST_CASE("a point that is not lat,lon in range is refused") {
  CHECK(refusal({{"BANDITORE_CAP_POINT", "45.4668"}}).find("BANDITORE_CAP_POINT") != std::string::npos);
  CHECK(refusal({{"BANDITORE_CAP_POINT", "95,9"}}) != "accepted");
  CHECK(refusal({{"BANDITORE_CAP_POINT", "45,9,1"}}) != "accepted");
}

TEST_CASE("an ISTAT code that is not up to six digits is refused") {
  CHECK(refusal({{"BANDITORE_CAP_ISTAT", "Milano"}}).find("BANDITORE_CAP_ISTAT") != std::string::npos);
  CHECK(refusal({{"BANDITORE_CAP_ISTAT", "0151460"}}) != "accepted");
}

TEST_CASE("a feed that is not an http or https URL is refused") {
  CHECK(refusal({{"BANDITORE_CAP_FEEDS", "ftp://example.org/feed"}}).find("BANDITORE_CAP_FEEDS") != std::string::npos);
}

TEST_CASE("a poll interval outside 1 to 86400 seconds is refused") {
  CHECK(refusal({{"BANDITORE_CAP_POLL_SECONDS", "0"}}) != "accepted");
  CHECK(refusal({{"BANDITORE_CAP_POLL_SECONDS", "5m"}}) != "accepted");
}

TEST_CASE("every CAP setting is documented under its BANDITORE_CAP_ name") {
  const auto& docs = cap_setting_docs();
  CHECK(docs.size() == 12);
  for (const auto& d : docs) CHECK(d.name.rfind("BANDITORE_CAP_", 0) == 0);
}

TEST_CASE("BANDITORE_CAP_TOPICS maps CAP categories and events to topics; a malformed one stops the start") {
  CHECK(refusal({{"BANDITORE_CAP_TOPICS", "Met=meteo,event:Incendio boschivo=emergenze"}}) == "accepted");
  CHECK(refusal({{"BANDITORE_CAP_TOPICS", "Weather=meteo"}}).find("BANDITORE_CAP_TOPICS") != std::string::npos);
}

#include <banditore/domain/alert_audience.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace banditore::domain;
using json = nlohmann::json;
using ids = std::vector<std::string>;

namespace {

audience_catalogue union_of_two() {
  audience_catalogue c;
  town lugo, cotignola;
  lugo.id = "lugo";
  cotignola.id = "cotignola";
  c.towns = {lugo, cotignola};
  topic acqua;
  acqua.id = "acqua";
  c.topics = {acqua};
  area voltana, barbiano;
  voltana.id = "voltana";
  voltana.town_id = "lugo";
  barbiano.id = "barbiano";
  barbiano.town_id = "cotignola";
  c.areas = {voltana, barbiano};
  return c;
}

}  // namespace

TEST_CASE("an alert body's towns, topics and areas: absent or null means all, an array names ids") {
  auto r = read_alert_audience(json::parse(R"({"towns":["lugo"],"topics":null})"));
  CHECK(r.errors.empty());
  CHECK(r.audience.towns == ids{"lugo"});
  CHECK_FALSE(r.audience.topics);
  CHECK_FALSE(r.audience.areas);
  CHECK(read_alert_audience(json::object()).audience.everyone());
  for (const char* bad : {R"({"towns":"lugo"})", R"({"towns":[]})", R"({"towns":[1]})", R"({"towns":["Lugo"]})",
                          R"({"towns":["lugo","lugo"]})"}) {
    CAPTURE(bad);
    auto e = read_alert_audience(json::parse(bad)).errors;
    REQUIRE(e.size() == 1);
    CHECK(e[0].field == "towns");
  }
  json many = {{"areas", json::array()}};
  for (int i = 0; i < 101; ++i) many["areas"].push_back("a" + std::to_string(i));
  CHECK(read_alert_audience(many).errors.at(0).field == "areas");
}

TEST_CASE("ids must be in the catalogue, and an area in one of the alert's towns") {
  const auto c = union_of_two();
  CHECK(check_alert_audience({ids{"lugo"}, ids{"acqua"}, ids{"voltana"}}, c).empty());
  CHECK(check_alert_audience({std::nullopt, std::nullopt, ids{"barbiano"}}, c).empty());
  auto e = check_alert_audience({ids{"imola"}, ids{"calcio"}, ids{"nowhere"}}, c);
  REQUIRE(e.size() == 3);
  CHECK(e[0].field == "towns");
  CHECK(e[0].reason.find("imola") != std::string::npos);
  CHECK(e[1].field == "topics");
  CHECK(e[2].field == "areas");
  auto outside = check_alert_audience({ids{"lugo"}, std::nullopt, ids{"barbiano"}}, c);
  REQUIRE(outside.size() == 1);
  CHECK(outside[0].reason.find("cotignola") != std::string::npos);
}

TEST_CASE("a key limited to towns sends to them by default and nowhere else") {
  const auto c = union_of_two();
  alert_audience none;
  CHECK(limit_to_key_towns(none, {"lugo"}, c).allowed);
  CHECK(none.towns == ids{"lugo"});
  alert_audience own{ids{"lugo"}, std::nullopt, std::nullopt};
  CHECK(limit_to_key_towns(own, {"lugo", "cotignola"}, c).allowed);
  alert_audience other{ids{"cotignola"}, std::nullopt, std::nullopt};
  auto v = limit_to_key_towns(other, {"lugo"}, c);
  CHECK_FALSE(v.allowed);
  CHECK(v.detail.find("cotignola") != std::string::npos);
  alert_audience far_area{std::nullopt, std::nullopt, ids{"barbiano"}};
  CHECK_FALSE(limit_to_key_towns(far_area, {"lugo"}, c).allowed);
  alert_audience near_area{std::nullopt, ids{"acqua"}, ids{"voltana"}};
  CHECK(limit_to_key_towns(near_area, {"lugo"}, c).allowed);
  CHECK_FALSE(near_area.towns);  // the area already keeps it in Lugo
  alert_audience anywhere{ids{"cotignola"}, std::nullopt, std::nullopt};
  CHECK(limit_to_key_towns(anywhere, {}, c).allowed);
}

TEST_CASE("an alert's place: towns with a named area of their own are narrowed to it") {
  const auto c = union_of_two();
  auto p = place_of({ids{"lugo", "cotignola"}, std::nullopt, ids{"voltana"}}, c.areas);
  CHECK(p.whole_towns == ids{"cotignola"});
  CHECK(p.areas == ids{"voltana"});
  CHECK(p.area_towns == ids{"lugo"});
  CHECK_FALSE(place_of({std::nullopt, ids{"acqua"}, std::nullopt}, c.areas).named());
}

TEST_CASE("only severe and extreme alerts reach those who asked for severe alerts only") {
  CHECK(reaches_only_severe(severity::extreme));
  CHECK(reaches_only_severe(severity::severe));
  CHECK_FALSE(reaches_only_severe(severity::moderate));
  CHECK_FALSE(reaches_only_severe(severity::minor));
}

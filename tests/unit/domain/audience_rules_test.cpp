#include <banditore/domain/audience_rules.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::domain;

namespace {

audience_catalogue lugo() {
  audience_catalogue c;
  c.towns = {{"lugo", "Comune di Lugo", {}, "039012"}};
  c.topics = default_topics();
  c.areas = {{"voltana", "lugo", "Voltana", {}}, {"fabriago", "lugo", "Santa Maria in Fabriago", {"Fabriago"}}};
  return c;
}

}  // namespace

TEST_CASE("an id is 1 to 40 lowercase letters, digits and dashes") {
  CHECK(valid_audience_id("lugo"));
  CHECK(valid_audience_id("san-potito-2"));
  CHECK(valid_audience_id(std::string(40, 'a')));
  CHECK_FALSE(valid_audience_id(""));
  CHECK_FALSE(valid_audience_id(std::string(41, 'a')));
  CHECK_FALSE(valid_audience_id("Lugo"));
  CHECK_FALSE(valid_audience_id("san potito"));
  CHECK_FALSE(valid_audience_id("san_potito"));
  CHECK_FALSE(valid_audience_id("città"));
}

TEST_CASE("a name is 1 to 80 characters, counted as characters and not bytes") {
  const auto c = lugo();
  CHECK(check_add(c, topic{"frane", std::string(80, 'a'), {}, true}).ok());
  // 80 accented letters are 160 bytes and still a valid name.
  std::string accented;
  for (int i = 0; i < 80; ++i) accented += "à";
  CHECK(check_add(c, topic{"frane", accented, {}, true}).ok());
  auto too_long = check_add(c, topic{"frane", std::string(81, 'a'), {}, true});
  CHECK(too_long.outcome == catalogue_outcome::invalid);
  CHECK(too_long.field == "name");
  CHECK(check_add(c, topic{"frane", "", {}, true}).field == "name");
  CHECK(check_add(c, topic{"frane", "   ", {}, true}).field == "name");
}

TEST_CASE("keywords are at most 20, each of at most 40 characters and not empty") {
  const auto c = lugo();
  CHECK(check_add(c, topic{"frane", "Frane", std::vector<std::string>(20, "smottamento"), true}).ok());
  CHECK(check_add(c, topic{"frane", "Frane", std::vector<std::string>(21, "smottamento"), true}).field == "keywords");
  CHECK(check_add(c, topic{"frane", "Frane", {std::string(41, 'a')}, true}).field == "keywords");
  CHECK(check_add(c, topic{"frane", "Frane", {" "}, true}).field == "keywords");
}

TEST_CASE("an ISTAT code is six digits or nothing") {
  const auto c = lugo();
  CHECK(check_add(c, town{"fusignano", "Comune di Fusignano", {}, "039011"}).ok());
  CHECK(check_add(c, town{"fusignano", "Comune di Fusignano", {}, ""}).ok());
  CHECK(check_add(c, town{"fusignano", "Comune di Fusignano", {}, "39011"}).field == "istat_code");
  CHECK(check_add(c, town{"fusignano", "Comune di Fusignano", {}, "03901a"}).field == "istat_code");
}

TEST_CASE("an id already taken by the same kind is a duplicate; another kind may share it") {
  const auto c = lugo();
  CHECK(check_add(c, topic{"acqua", "Acqua", {}, true}).outcome == catalogue_outcome::duplicate);
  CHECK(check_add(c, area{"lugo", "lugo", "Lugo centro", {}}).ok());
}

TEST_CASE("an area's town must exist, when added and when moved") {
  const auto c = lugo();
  auto v = check_add(c, area{"villanova", "bagnacavallo", "Villanova", {}});
  CHECK(v.outcome == catalogue_outcome::invalid);
  CHECK(v.field == "town");
  CHECK(v.reason.find("bagnacavallo") != std::string::npos);
  CHECK(check_update(c, area{"voltana", "bagnacavallo", "Voltana", {}}).field == "town");
  CHECK(check_update(c, area{"voltana", "lugo", "Voltana di Lugo", {}}).ok());
}

TEST_CASE("updating or removing an unknown id is not found") {
  const auto c = lugo();
  CHECK(check_update(c, topic{"frane", "Frane", {}, true}).outcome == catalogue_outcome::not_found);
  CHECK(check_remove(c, catalogue_kind::area, "nowhere").outcome == catalogue_outcome::not_found);
  CHECK(check_remove(c, catalogue_kind::topic, "lugo").outcome == catalogue_outcome::not_found);
}

TEST_CASE("removing a town that has areas is refused naming them; without areas it is allowed") {
  auto c = lugo();
  auto v = check_remove(c, catalogue_kind::town, "lugo");
  CHECK(v.outcome == catalogue_outcome::in_use);
  CHECK(v.reason.find("voltana") != std::string::npos);
  CHECK(v.reason.find("fabriago") != std::string::npos);
  apply_remove(c, catalogue_kind::area, "voltana");
  apply_remove(c, catalogue_kind::area, "fabriago");
  CHECK(check_remove(c, catalogue_kind::town, "lugo").ok());
  apply_remove(c, catalogue_kind::town, "lugo");
  CHECK(c.towns.empty());
}

TEST_CASE("a change applied to a catalogue keeps the order entries were added in") {
  auto c = lugo();
  apply_add(c, topic{"frane", "Frane", {"smottamento"}, false});
  CHECK(c.topics.back().id == "frane");
  apply_update(c, topic{"acqua", "Acqua e fognature", {}, true});
  CHECK(c.topics[1].name == "Acqua e fognature");
  CHECK(c.topics.size() == default_topics().size() + 1);
}

TEST_CASE("today's town setting becomes the deployment's one town") {
  auto t = configured_town("Lugo");
  CHECK(t.id == "lugo");
  CHECK(t.name == "Comune di Lugo");
  CHECK(configured_town("Comune di Sant'Agata sul Santerno").id == "sant-agata-sul-santerno");
  CHECK(configured_town("Città di Forlì").id == "citta-di-forli");
  auto none = configured_town("");
  CHECK(none.id == "comune");
  CHECK(none.name == "Comune");
  CHECK(valid_audience_id(configured_town(std::string(120, 'x')).id));
  CHECK_FALSE(check_fields(configured_town("Lugo")).has_value());
}

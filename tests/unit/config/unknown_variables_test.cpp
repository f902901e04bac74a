#include <banditore/config/unknown_variables.hpp>

#include <banditore/config/config_error.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using namespace banditore::config;

TEST_CASE("a misspelt setting is reported with the closest known name") {
  const auto known = known_variable_names();
  auto found = find_unknown_variables({"PATH", "BANDITORE_WA_TOKKEN", "BANDITORE_TWON", "BANDITORE_DB",
                                       "BANDITORE_WA_PHONE_NUMER_ID", "BANDITORE_QUIET_HOUR"},
                                      known);
  REQUIRE(found.size() == 4);
  CHECK(found[0].name == "BANDITORE_WA_TOKKEN");
  CHECK(found[0].closest == "BANDITORE_WA_TOKEN");
  CHECK(found[1].closest == "BANDITORE_TOWN");  // two letters swapped: one edit
  CHECK(found[2].closest == "BANDITORE_WA_PHONE_NUMBER_ID");
  CHECK(found[3].closest == "BANDITORE_QUIET_HOURS");
}

TEST_CASE("a name far from every setting is reported without a guess") {
  auto found = find_unknown_variables({"BANDITORE_COFFEE_MACHINE"}, known_variable_names());
  REQUIRE(found.size() == 1);
  CHECK(found[0].closest.empty());
}

TEST_CASE("every documented setting, the file form of secrets and the scripts' variables are known") {
  const auto known = known_variable_names();
  for (const char* name : {"BANDITORE_LISTEN", "BANDITORE_WA_TOKEN", "BANDITORE_WA_TOKEN_FILE",
                           "BANDITORE_WA_APP_SECRET_FILE", "BANDITORE_METRICS_TOKEN_FILE", "BANDITORE_CAP_FEEDS",
                           "BANDITORE_RETENTION_DAYS", "BANDITORE_WA_CHECK_SECONDS", "BANDITORE_PRESET"}) {
    INFO(name);
    CHECK(std::find(known.begin(), known.end(), name) != known.end());
  }
  CHECK(find_unknown_variables(known, known).empty());
  // Not a secret: no _FILE form.
  CHECK(find_unknown_variables({"BANDITORE_LISTEN_FILE"}, known).size() == 1);
}

TEST_CASE("the edit distance counts a swap of neighbours as one edit") {
  CHECK(edit_distance("TOWN", "TOWN") == 0);
  CHECK(edit_distance("TWON", "TOWN") == 1);
  CHECK(edit_distance("TOKKEN", "TOKEN") == 1);
  CHECK(edit_distance("", "ABC") == 3);
  CHECK(edit_distance("KITTEN", "SITTING") == 3);
}

TEST_CASE("a configuration message names its variable") {
  CHECK(variable_named_in("BANDITORE_LANGUAGE must be 'it' or 'en'") == "BANDITORE_LANGUAGE");
  CHECK(variable_named_in("BANDITORE_WA_TOKEN_FILE: cannot read /x") == "BANDITORE_WA_TOKEN_FILE");
  CHECK(variable_named_in("no variable here").empty());
  const config_error e("BANDITORE_REPLIES_FILE", "not valid JSON");
  CHECK(e.variable() == "BANDITORE_REPLIES_FILE");
  CHECK(std::string(e.what()) == "BANDITORE_REPLIES_FILE: not valid JSON");
}

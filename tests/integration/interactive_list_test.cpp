// Interactive list messages (the list a citizen opens to choose towns,
// topics and areas): what banditore builds is what wa-sim, holding Meta's
// rules, accepts; every limit the sender's check names is one wa-sim
// refuses with Meta's 131009, and the phone shows the rows.
#include "harness.hpp"

#include <banditore/whatsapp/cloud_api.hpp>

#include <doctest/doctest.h>

using namespace harness;
namespace wa = banditore::whatsapp;

namespace {

const std::string citizen = "393351112244";

banditore::http::client_response send(const wa_sim& sim, std::string_view body_text, std::string_view button,
                                      const std::vector<wa::list_section>& sections) {
  return call(sim.base, "POST", "/v21.0/100000000000001/messages",
              wa::message_body(citizen, wa::list_content(body_text, button, sections)),
              {{"Authorization", "Bearer " + sim_token}, {"Content-Type", "application/json"}});
}

std::vector<wa::list_section> topics(std::size_t rows) {
  wa::list_section s{"Argomenti", {}};
  for (std::size_t i = 0; i < rows; ++i) s.rows.push_back({"topic:" + std::to_string(i), "Tema " + std::to_string(i), ""});
  return {s};
}

}  // namespace

TEST_CASE("a list within Meta's limits is accepted and the phone shows its rows") {
  temp_dir dir;
  wa_sim sim{dir.path};
  const std::vector<wa::list_section> choice{
      {"Comuni", {{"town:lugo", "Lugo", ""}, {"town:bagnacavallo", "Bagnacavallo", "Comune di Bagnacavallo"}}},
      {"Argomenti", {{"topic:strade", "Strade e viabilità", "Lavori, cantieri, chiusure"}}}};
  REQUIRE_FALSE(wa::list_problem("Scegli cosa ricevere", "Scegli", choice));
  auto r = send(sim, "Scegli cosa ricevere", "Scegli", choice);
  REQUIRE(r.status == 200);
  const auto messages = sim.inbox(citizen)["messages"];
  REQUIRE(messages.size() == 1);
  const auto& list = messages[0]["interactive"]["list"];
  CHECK(list["button"] == "Scegli");
  REQUIRE(list["rows"].size() == 3);
  CHECK(list["rows"][1]["id"] == "town:bagnacavallo");
  CHECK(list["rows"][2]["title"] == "Strade e viabilità");
}

TEST_CASE("every list the sender's check refuses, wa-sim refuses as Meta does, and the edges pass both") {
  temp_dir dir;
  wa_sim sim{dir.path};
  struct example {
    std::string name, body, button;
    std::vector<wa::list_section> sections;
    bool valid;
  };
  const std::string twenty_four(24, 'x'), seventy_two(72, 'y');
  std::vector<example> examples{
      {"ten rows", "Scegli", "Scegli", topics(10), true},
      {"eleven rows", "Scegli", "Scegli", topics(11), false},
      {"no row", "Scegli", "Scegli", topics(0), false},
      {"button of 20", "Scegli", std::string(20, 'b'), topics(1), true},
      {"button of 21", "Scegli", std::string(21, 'b'), topics(1), false},
      {"body of 1025", std::string(1025, 'x'), "Scegli", topics(1), false},
      {"row title of 24, accented", "Scegli", "Scegli", {{"", {{"a", std::string(23, 'x') + "à", ""}}}}, true},
      {"row title of 25", "Scegli", "Scegli", {{"", {{"a", twenty_four + "x", ""}}}}, false},
      {"description of 72", "Scegli", "Scegli", {{"", {{"a", "A", seventy_two}}}}, true},
      {"description of 73", "Scegli", "Scegli", {{"", {{"a", "A", seventy_two + "y"}}}}, false},
      {"row id of 201", "Scegli", "Scegli", {{"", {{std::string(201, 'i'), "A", ""}}}}, false},
      {"same row id twice", "Scegli", "Scegli", {{"", {{"a", "A", ""}, {"a", "B", ""}}}}, false},
      {"two sections, one untitled", "Scegli", "Scegli", {{"Comuni", {{"a", "A", ""}}}, {"", {{"b", "B", ""}}}}, false},
      {"section title of 25", "Scegli", "Scegli", {{twenty_four + "s", {{"a", "A", ""}}}}, false},
  };
  for (const auto& e : examples) {
    CAPTURE(e.name);
    const auto problem = wa::list_problem(e.body, e.button, e.sections);
    CHECK(problem.has_value() == !e.valid);
    auto r = send(sim, e.body, e.button, e.sections);
    CHECK(r.status == (e.valid ? 200 : 400));
    if (!e.valid && r.status == 400) CHECK(json::parse(r.body)["error"]["code"].get<int>() == 131009);
  }
}

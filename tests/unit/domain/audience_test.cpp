#include <banditore/domain/audience.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

using namespace banditore::domain;

namespace {

// A union like the Bassa Romagna: towns, frazioni with several words and
// accents, the default topics.
audience_catalogue bassa_romagna() {
  audience_catalogue c;
  c.towns = {{"lugo", "Comune di Lugo", {}, ""},
             {"bagnacavallo", "Comune di Bagnacavallo", {}, ""},
             {"santagata", "Comune di Sant'Agata sul Santerno", {"Sant'Agata"}, ""}};
  c.areas = {{"fabriago", "lugo", "Santa Maria in Fabriago", {"Fabriago"}},
             {"voltana", "lugo", "Voltana", {}},
             {"san-potito", "lugo", "San Potito", {}},
             {"villanova", "bagnacavallo", "Villanova di Bagnacavallo", {}},
             {"boncellino", "bagnacavallo", "Boncellino", {}}};
  c.topics = default_topics();
  return c;
}

const audience_reader& reader() {
  static const audience_reader r(bassa_romagna());
  return r;
}

struct expected {
  std::string text;
  audience_action action;
  std::vector<std::string> towns, topics, areas;
};

void check(const expected& e) {
  CAPTURE(e.text);
  const auto r = reader().read(e.text);
  CHECK(to_string(r.action) == to_string(e.action));
  CHECK(r.towns == e.towns);
  CHECK(r.topics == e.topics);
  CHECK(r.areas == e.areas);
}

}  // namespace

TEST_CASE("a plain request names nothing and keeps its meaning") {
  check({"Attiva", audience_action::join, {}, {}, {}});
  check({"Disattiva", audience_action::leave, {}, {}, {}});
  check({"Buongiorno, vorrei iscrivermi agli avvisi del Comune", audience_action::join, {}, {}, {}});
  check({"info", audience_action::info, {}, {}, {}});
  check({"ho un problema con il contatore del gas", audience_action::none, {}, {}, {}});
}

TEST_CASE("topics are named by id, by name and by synonyms, in any form and case") {
  check({"Attiva strade", audience_action::join, {}, {"strade"}, {}});
  check({"attiva strada", audience_action::join, {}, {"strade"}, {}});
  check({"ATTIVA LA VIABILITÀ", audience_action::join, {}, {"strade"}, {}});
  check({"attiva viabilita", audience_action::join, {}, {"strade"}, {}});
  check({"Attiva traffico e cantieri", audience_action::join, {}, {"strade"}, {}});
  check({"attiva protezione civile", audience_action::join, {}, {"emergenze"}, {}});
  check({"Attivami la raccolta differenziata", audience_action::join, {}, {"rifiuti"}, {}});
  check({"attiva meteo e scuole", audience_action::join, {}, {"meteo", "scuole"}, {}});
  check({"iscrivimi agli avvisi sull'acquedotto", audience_action::join, {}, {"acqua"}, {}});
  check({"Disattiva eventi", audience_action::leave, {}, {"eventi"}, {}});
  check({"disattiva le sagre", audience_action::leave, {}, {"eventi"}, {}});
  check({"non voglio più gli avvisi sul meteo", audience_action::leave, {}, {"meteo"}, {}});
}

TEST_CASE("a typo one edit away names a topic on long words only") {
  check({"attiva viabiltà", audience_action::join, {}, {"strade"}, {}});
  check({"attiva manifestazoni", audience_action::join, {}, {"eventi"}, {}});
  // "mete" is neither meteo nor anything else: a request among unknown words.
  CHECK(reader().read("attiva mete").topics.empty());
}

TEST_CASE("towns are named without 'Comune di', areas with or without their little words") {
  check({"Attiva Lugo", audience_action::join, {"lugo"}, {}, {}});
  check({"Attiva Lugo acqua", audience_action::join, {"lugo"}, {"acqua"}, {}});
  check({"attiva comune di bagnacavallo", audience_action::join, {"bagnacavallo"}, {}, {}});
  check({"Attiva Sant'Agata sul Santerno", audience_action::join, {"santagata"}, {}, {}});
  check({"attiva sant agata", audience_action::join, {"santagata"}, {}, {}});
  check({"Attiva Santa Maria in Fabriago", audience_action::join, {}, {}, {"fabriago"}});
  check({"attiva santa maria fabriago", audience_action::join, {}, {}, {"fabriago"}});
  check({"Attiva Voltana e San Potito", audience_action::join, {}, {}, {"voltana", "san-potito"}});
  // The longest name wins: the frazione, not its town.
  check({"attiva Villanova di Bagnacavallo", audience_action::join, {}, {}, {"villanova"}});
  check({"Ciao! Attiva Lugo strade per favore, grazie", audience_action::join, {"lugo"}, {"strade"}, {}});
  check({"disattiva boncellino", audience_action::leave, {}, {}, {"boncellino"}});
}

TEST_CASE("the severity floor, everything and the status are read as such") {
  check({"Solo emergenze", audience_action::only_severe, {}, {}, {}});
  check({"solo le emergenze, grazie", audience_action::only_severe, {}, {}, {}});
  check({"soltanto emergenze", audience_action::only_severe, {}, {}, {}});
  check({"Tutto", audience_action::everything, {}, {}, {}});
  check({"tutti gli avvisi", audience_action::everything, {}, {}, {}});
  check({"Stato", audience_action::status, {}, {}, {}});
  check({"Le mie iscrizioni", audience_action::status, {}, {}, {}});
  check({"cosa ricevo?", audience_action::status, {}, {}, {}});
  check({"sono stato iscritto?", audience_action::status, {}, {}, {}});

  const auto severe = reader().read("Attiva solo emergenze");
  CHECK(severe.action == audience_action::join);
  CHECK(severe.only_severe);
  const auto all = reader().read("voglio ricevere tutto");
  CHECK(all.action == audience_action::join);
  CHECK(all.everything);
}

TEST_CASE("what is not clearly one choice is asked, never acted on") {
  // A name alone: probably a choice, asked with buttons.
  check({"Strade", audience_action::unclear, {}, {"strade"}, {}});
  check({"Lugo?", audience_action::unclear, {"lugo"}, {}, {}});
  // Both requests, a number, two opposite choices, a leave with the floor.
  check({"attiva o disattiva strade?", audience_action::unclear, {}, {"strade"}, {}});
  check({"attiva strade via roma 12", audience_action::unclear, {}, {"strade"}, {}});
  check({"attiva solo emergenze e tutto", audience_action::unclear, {}, {}, {}});
  check({"disattiva solo emergenze", audience_action::unclear, {}, {}, {}});
  check({"Solo emergenze a Lugo", audience_action::unclear, {"lugo"}, {}, {}});
}

TEST_CASE("a request word is never taken for a name that shares its stem") {
  audience_catalogue c;
  c.topics = {{"attivita", "Attività produttive", {}, true}};
  const audience_reader r(c);
  const auto got = r.read("Attiva attività produttive");
  CHECK(got.action == audience_action::join);
  CHECK(got.topics == std::vector<std::string>{"attivita"});
  CHECK(r.read("Attiva").topics.empty());
}

TEST_CASE("the recorded text is the whole message with digits masked") {
  const auto r = reader().read("Attiva Lugo strade 3331234567");
  CHECK(r.command.normalised.find("333") == std::string::npos);
  CHECK(r.command.normalised.find("lugo") != std::string::npos);
}

TEST_CASE("the default topics have distinct ids and names; events are not in a plain Attiva") {
  const auto topics = default_topics();
  std::set<std::string> ids, names;
  for (const auto& t : topics) {
    CHECK(!t.id.empty());
    CHECK(!t.name.empty());
    ids.insert(t.id);
    names.insert(t.name);
    CHECK(t.in_default == (t.id != "eventi"));
  }
  CHECK(ids.size() == topics.size());
  CHECK(names.size() == topics.size());
  CHECK(ids.count("emergenze") == 1);
}

TEST_CASE("names written with S. for San, Santa, Santo and SS. for Santissimo or Santi are the same names") {
  // Real places, spelt as their catalogue may spell them: frazioni of Lugo
  // (Santa Maria in Fabriago, San Potito, San Lorenzo written short),
  // Sant'Agata sul Santerno (RA), Santi Cosma e Damiano (LT), the
  // Santissima Annunziata of Firenze.
  audience_catalogue c;
  c.towns = {{"santagata", "Comune di Sant'Agata sul Santerno", {"Sant'Agata"}, ""},
             {"santicosma", "Comune di Santi Cosma e Damiano", {}, ""}};
  c.areas = {{"fabriago", "lugo", "Santa Maria in Fabriago", {}},
             {"san-potito", "lugo", "San Potito", {}},
             {"san-lorenzo", "lugo", "S. Lorenzo", {}},
             {"annunziata", "firenze", "Santissima Annunziata", {}}};
  c.topics = default_topics();
  const audience_reader r(c);
  struct named {
    std::string text;
    std::vector<std::string> towns, areas;
  };
  for (const auto& e : std::vector<named>{
           {"Attiva S. Maria in Fabriago", {}, {"fabriago"}},
           {"attiva S.Maria Fabriago", {}, {"fabriago"}},
           {"ATTIVA S MARIA IN FABRIAGO", {}, {"fabriago"}},
           {"Attiva S.Agata", {"santagata"}, {}},
           {"attiva S. Agata sul Santerno", {"santagata"}, {}},
           {"Attiva S. Potito e S.Maria in Fabriago", {}, {"san-potito", "fabriago"}},
           {"Attiva San Lorenzo", {}, {"san-lorenzo"}},
           {"attiva s. lorenzo", {}, {"san-lorenzo"}},
           {"Attiva SS. Annunziata", {}, {"annunziata"}},
           {"attiva S.S. Annunziata", {}, {"annunziata"}},
           {"attiva SS.ma Annunziata", {}, {"annunziata"}},
           {"Attiva SS. Cosma e Damiano", {"santicosma"}, {}},
           {"attiva Santi Cosma e Damiano", {"santicosma"}, {}},
       }) {
    CAPTURE(e.text);
    const auto got = r.read(e.text);
    CHECK(to_string(got.action) == "join");
    CHECK(got.towns == e.towns);
    CHECK(got.areas == e.areas);
  }
  // A title is one saint or the most holy, not both, and two full titles
  // are two names: "San Maria" and "SS. Potito" name nothing.
  CHECK(r.read("attiva san maria in fabriago").areas.empty());
  CHECK(r.read("attiva SS. Potito").areas.empty());
  CHECK(r.read("attiva S. Annunziata").areas.empty());
}

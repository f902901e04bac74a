#include <banditore/domain/choices.hpp>

#include <banditore/domain/inbound_decision.hpp>
#include <banditore/domain/utf8.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

using namespace banditore::domain;

namespace {

using ids = std::vector<std::string>;

audience_catalogue one_town() {
  audience_catalogue c;
  c.towns = {{"lugo", "Comune di Lugo", {}, ""}};
  c.areas = {{"fabriago", "lugo", "Santa Maria in Fabriago", {"Fabriago"}},
             {"voltana", "lugo", "Voltana", {}}};
  c.topics = default_topics();
  return c;
}

audience_catalogue two_towns() {
  auto c = one_town();
  c.towns.push_back({"bagnacavallo", "Comune di Bagnacavallo", {}, ""});
  c.areas.push_back({"villanova", "bagnacavallo", "Villanova di Bagnacavallo", {}});
  return c;
}

const ids defaults{"emergenze", "acqua", "strade", "meteo", "rifiuti", "scuole"};

subscriber_choices subscribed_to_defaults() { return default_choices(one_town()); }

// What a text does, read and planned as the inbound path does it.
choice_plan plan_text(const std::string& text, const audience_catalogue& c, bool subscribed,
                      const subscriber_choices& current = {}) {
  const audience_reader reader(c);
  const inbound_message_view view{"text", text, ""};
  auto u = understand_inbound(view, "Lugo", subscribed, 0, 1000, 1, &reader);
  REQUIRE(u.choice.has_value());
  return plan_choices(*u.choice, c, subscribed, current);
}

std::size_t rows_in(const reply_list& l) {
  std::size_t n = 0;
  for (const auto& s : l.sections) n += s.rows.size();
  return n;
}

std::size_t chars(const std::string& s) { return utf8::count_code_points(s).value_or(100000); }

// Meta's rules for a list (whatsapp/cloud_api.hpp list_problem says them too).
void check_meta_limits(const reply_list& l) {
  REQUIRE_FALSE(l.empty());
  CHECK(chars(l.button) >= 1);
  CHECK(chars(l.button) <= 20);
  CHECK(l.sections.size() <= 10);
  CHECK(rows_in(l) >= 1);
  CHECK(rows_in(l) <= 10);
  std::set<std::string> seen;
  for (const auto& s : l.sections) {
    CHECK(chars(s.title) <= 24);
    if (l.sections.size() > 1) CHECK_FALSE(s.title.empty());
    for (const auto& r : s.rows) {
      CAPTURE(r.id);
      CHECK(chars(r.title) >= 1);
      CHECK(chars(r.title) <= 24);
      CHECK(chars(r.description) <= 72);
      CHECK(r.id.size() <= 200);
      CHECK(seen.insert(r.id).second);
    }
  }
}

}  // namespace

TEST_CASE("payload ids read back as the choice they stand for") {
  auto t = parse_choice_id("t+strade");
  REQUIRE(t);
  CHECK(t->op == choice_op::join);
  CHECK(t->topics == ids{"strade"});
  CHECK(parse_choice_id("t-eventi")->op == choice_op::leave);
  CHECK(parse_choice_id("a+santa-maria-in-fabriago")->areas == ids{"santa-maria-in-fabriago"});
  CHECK(parse_choice_id("a-voltana")->op == choice_op::leave);
  CHECK(parse_choice_id("town:lugo")->towns == ids{"lugo"});
  CHECK(parse_choice_id("s+")->op == choice_op::floor_on);
  CHECK(parse_choice_id("s-")->op == choice_op::floor_off);
  CHECK(parse_choice_id("tutto")->op == choice_op::everything);
  CHECK(parse_choice_id("stato")->op == choice_op::status);
  auto more = parse_choice_id("more:choices:2");
  REQUIRE(more);
  CHECK(more->op == choice_op::more);
  CHECK(more->list == "choices");
  CHECK(more->page == 2);
  CHECK(parse_choice_id("more:towns:1")->list == "towns");
}

TEST_CASE("payload ids that are not ours read as nothing") {
  for (const char* id : {"", "t+", "t-", "a+", "town:", "t+Strade", "t+strade eventi", "t*strade", "x+strade",
                         "banditore:join", "more:", "more:choices", "more:choices:", "more:choices:-1",
                         "more:choices:1x", "more:altro:1", "more:choices:99999", "s", "s+x", "tutti",
                         "town:lugo/../x", "t+strade\n"}) {
    CAPTURE(id);
    CHECK_FALSE(parse_choice_id(id).has_value());
  }
  // Ids as the list builder writes them parse back.
  for (const auto& s : choices_list(two_towns(), subscribed_to_defaults()).sections)
    for (const auto& r : s.rows) {
      CAPTURE(r.id);
      CHECK(parse_choice_id(r.id).has_value());
    }
}

TEST_CASE("plain Attiva subscribes to the only town and the default topics") {
  auto p = plan_text("Attiva", one_town(), false);
  CHECK(p.verdict == decision::subscribe);
  CHECK(p.after.towns == ids{"lugo"});
  CHECK(p.after.topics == defaults);
  CHECK(p.after.areas.empty());
  CHECK_FALSE(p.after.only_severe);
  REQUIRE(p.changes.size() == 1);
  CHECK(p.changes[0].event == "subscribe");
  CHECK(p.changes[0].topics == defaults);
}

TEST_CASE("plain Attiva from a subscriber changes nothing; plain Disattiva erases everything") {
  CHECK(plan_text("Attiva", one_town(), true, subscribed_to_defaults()).verdict == decision::already_subscribed);
  auto leave = plan_text("Disattiva", one_town(), true, subscribed_to_defaults());
  CHECK(leave.verdict == decision::unsubscribe);
  CHECK(leave.changes.at(0).event == "unsubscribe");
  CHECK(plan_text("Disattiva", one_town(), false).verdict == decision::not_subscribed);
}

TEST_CASE("on a number shared by several towns Attiva first asks which town") {
  auto p = plan_text("Attiva", two_towns(), false);
  CHECK(p.verdict == decision::ask_town);
  CHECK(p.changes.empty());
  auto reply = reply_for_plan(p, two_towns(), italian_replies("Lugo"));
  check_meta_limits(reply.list);
  CHECK(reply.list.sections[0].rows[0].id == "town:lugo");
  CHECK(reply.list.sections[0].rows[1].id == "town:bagnacavallo");

  // The tap on a town subscribes there.
  auto tapped = plan_choices(*parse_choice_id("town:bagnacavallo"), two_towns(), false, {});
  CHECK(tapped.verdict == decision::subscribe);
  CHECK(tapped.after.towns == ids{"bagnacavallo"});
  CHECK(tapped.after.topics == defaults);

  // Naming the town, or one of its areas, is enough.
  CHECK(plan_text("Attiva Lugo", two_towns(), false).after.towns == ids{"lugo"});
  auto area = plan_text("Attiva Villanova di Bagnacavallo", two_towns(), false);
  CHECK(area.verdict == decision::subscribe);
  CHECK(area.after.towns == ids{"bagnacavallo"});
  CHECK(area.after.areas == ids{"villanova"});
}

TEST_CASE("Attiva with a topic: only that topic when new, added when subscribed") {
  auto fresh = plan_text("Attiva strade", one_town(), false);
  CHECK(fresh.verdict == decision::subscribe);
  CHECK(fresh.after.topics == ids{"strade"});
  CHECK(fresh.after.towns == ids{"lugo"});

  subscriber_choices only_water{{"lugo"}, {"acqua"}, {}, false};
  auto added = plan_text("Attiva strade", one_town(), true, only_water);
  CHECK(added.verdict == decision::choices_changed);
  CHECK(added.after.topics == ids{"acqua", "strade"});
  REQUIRE(added.changes.size() == 1);
  CHECK(added.changes[0].event == "add");
  CHECK(added.changes[0].topics == ids{"strade"});

  auto again = plan_text("Attiva strade", one_town(), true, added.after);
  CHECK(again.verdict == decision::unchanged);
  CHECK(again.changes.empty());
}

TEST_CASE("Attiva Lugo acqua and an area by its name") {
  auto p = plan_text("Attiva Lugo acqua", two_towns(), false);
  CHECK(p.after.towns == ids{"lugo"});
  CHECK(p.after.topics == ids{"acqua"});
  auto area = plan_text("Attiva Santa Maria in Fabriago", one_town(), true, subscribed_to_defaults());
  CHECK(area.verdict == decision::choices_changed);
  CHECK(area.after.areas == ids{"fabriago"});
  CHECK(area.changes.at(0).areas == ids{"fabriago"});
}

TEST_CASE("Disattiva a topic drops it alone and keeps the subscription") {
  subscriber_choices all = subscribed_to_defaults();
  all.topics.push_back("eventi");
  auto p = plan_text("Disattiva eventi", one_town(), true, all);
  CHECK(p.verdict == decision::choices_changed);
  CHECK(p.after.topics == defaults);
  REQUIRE(p.changes.size() == 1);
  CHECK(p.changes[0].event == "remove");
  CHECK(p.changes[0].topics == ids{"eventi"});

  // What they do not receive cannot be dropped; the last topic is dropped
  // by Disattiva, which says so.
  CHECK(plan_text("Disattiva eventi", one_town(), true, subscribed_to_defaults()).refusal ==
        choice_refusal::not_chosen);
  subscriber_choices one_topic{{"lugo"}, {"acqua"}, {}, false};
  auto last = plan_text("Disattiva acqua", one_town(), true, one_topic);
  CHECK(last.verdict == decision::unchanged);
  CHECK(last.refusal == choice_refusal::last_topic);
  CHECK(last.after == one_topic);
  CHECK(reply_for_plan(last, one_town(), italian_replies()).text.find("DISATTIVA") != std::string::npos);
}

TEST_CASE("Solo emergenze sets the floor; Tutto brings back every default topic, no area, no floor") {
  auto floor = plan_text("Solo emergenze", one_town(), true, subscribed_to_defaults());
  CHECK(floor.verdict == decision::choices_changed);
  CHECK(floor.after.only_severe);
  CHECK(floor.changes.at(0).event == "only_severe");
  CHECK(plan_text("Solo emergenze", one_town(), false).verdict == decision::not_subscribed);

  subscriber_choices narrow{{"lugo"}, {"acqua"}, {"voltana"}, true};
  auto all = plan_text("Tutto", one_town(), true, narrow);
  CHECK(all.verdict == decision::choices_changed);
  CHECK(all.after.topics == defaults);
  CHECK(all.after.areas.empty());
  CHECK_FALSE(all.after.only_severe);
  CHECK(all.after.towns == ids{"lugo"});
  CHECK(all.changes.at(0).event == "everything");
  CHECK(plan_text("Tutto", one_town(), true, all.after).verdict == decision::unchanged);

  auto off = plan_choices(*parse_choice_id("s-"), one_town(), true, floor.after);
  CHECK(off.verdict == decision::choices_changed);
  CHECK_FALSE(off.after.only_severe);
  CHECK(off.changes.at(0).event == "all_severities");
}

TEST_CASE("Stato and Le mie iscrizioni say what one receives, with the list to change it") {
  for (const std::string text : {"Stato", "stato", "Le mie iscrizioni", "le mie iscrizioni?", "Cosa ricevo?"}) {
    CAPTURE(text);
    auto p = plan_text(text, one_town(), true, subscribed_to_defaults());
    CHECK(p.verdict == decision::status);
    CHECK(p.changes.empty());
    auto reply = reply_for_plan(p, one_town(), italian_replies("Lugo"));
    CHECK(reply.text.find("Acqua") != std::string::npos);
    CHECK(reply.text.find("tutto il comune") != std::string::npos);
    check_meta_limits(reply.list);
  }
  CHECK(plan_text("Stato", one_town(), false).verdict == decision::not_subscribed);
}

TEST_CASE("dozens of spellings reach the same choice") {
  struct row {
    const char* text;
    choice_op op;
    ids topics, areas;
  };
  const row rows[] = {
      {"Attiva strade", choice_op::join, {"strade"}, {}},
      {"ATTIVA STRADE", choice_op::join, {"strade"}, {}},
      {"attiva strada", choice_op::join, {"strade"}, {}},
      {"Attiva viabilità", choice_op::join, {"strade"}, {}},
      {"attiva viabilita", choice_op::join, {"strade"}, {}},
      {"Attiva traffico!", choice_op::join, {"strade"}, {}},
      {"attivate i lavori stradali per favore", choice_op::join, {"strade"}, {}},
      {"Buongiorno, vorrei attivare gli avvisi sulle strade", choice_op::join, {"strade"}, {}},
      {"Iscrivimi a strade e viabilità", choice_op::join, {"strade"}, {}},
      {"attiva acqua", choice_op::join, {"acqua"}, {}},
      {"Attiva Acquedotto", choice_op::join, {"acqua"}, {}},
      {"attiva acqua e strade", choice_op::join, {"acqua", "strade"}, {}},
      {"Attiva meteo", choice_op::join, {"meteo"}, {}},
      {"attiva maltempo", choice_op::join, {"meteo"}, {}},
      {"attiva rifiuti", choice_op::join, {"rifiuti"}, {}},
      {"attiva raccolta differenziata", choice_op::join, {"rifiuti"}, {}},
      {"attiva scuola", choice_op::join, {"scuole"}, {}},
      {"attiva eventi", choice_op::join, {"eventi"}, {}},
      {"Attiva Eventi.", choice_op::join, {"eventi"}, {}},
      {"attiva sagre", choice_op::join, {"eventi"}, {}},
      {"attiva protezione civile", choice_op::join, {"emergenze"}, {}},
      {"Attiva Santa Maria in Fabriago", choice_op::join, {}, {"fabriago"}},
      {"attiva santa maria fabriago", choice_op::join, {}, {"fabriago"}},
      {"Attiva Santa Maria di Fabriago", choice_op::join, {}, {"fabriago"}},
      {"attiva fabriago", choice_op::join, {}, {"fabriago"}},
      {"ATTIVA FABRIAGO", choice_op::join, {}, {"fabriago"}},
      {"attiva Voltana", choice_op::join, {}, {"voltana"}},
      {"Disattiva eventi", choice_op::leave, {"eventi"}, {}},
      {"disattiva gli eventi", choice_op::leave, {"eventi"}, {}},
      {"DISATTIVA EVENTI", choice_op::leave, {"eventi"}, {}},
      {"non voglio più ricevere gli eventi", choice_op::leave, {"eventi"}, {}},
      {"togli eventi", choice_op::leave, {"eventi"}, {}},
      {"cancella meteo", choice_op::leave, {"meteo"}, {}},
      {"disattiva Voltana", choice_op::leave, {}, {"voltana"}},
      {"Solo emergenze", choice_op::floor_on, {}, {}},
      {"solo emergenze!", choice_op::floor_on, {}, {}},
      {"SOLO EMERGENZE", choice_op::floor_on, {}, {}},
      {"solo urgenze", choice_op::floor_on, {}, {}},
      {"Tutto", choice_op::everything, {}, {}},
      {"tutto", choice_op::everything, {}, {}},
      {"Stato", choice_op::status, {}, {}},
      {"Le mie iscrizioni", choice_op::status, {}, {}},
      {"mie iscrizioni", choice_op::status, {}, {}},
  };
  const audience_reader reader(one_town());
  for (const auto& r : rows) {
    const std::string text = r.text;
    CAPTURE(text);
    auto u = understand_inbound({"text", r.text, ""}, "Lugo", true, 0, 1000, 1, &reader);
    CHECK(u.choice.has_value());
    if (!u.choice) continue;
    CHECK(static_cast<int>(u.choice->op) == static_cast<int>(r.op));
    CHECK(u.choice->topics == r.topics);
    CHECK(u.choice->areas == r.areas);
  }
}

TEST_CASE("texts that ask nothing of the choices are answered as before") {
  const audience_reader reader(one_town());
  for (const std::string text : {"Info", "?", "ciao", "ho un problema con il contatore del gas", "grazie"}) {
    CAPTURE(text);
    auto with = understand_inbound({"text", text, ""}, "Lugo", false, 0, 1000, 1, &reader);
    auto without = understand_inbound({"text", text, ""}, "Lugo", false, 0, 1000, 1);
    CHECK_FALSE(with.choice.has_value());
    CHECK(with.verdict == without.verdict);
  }
}

TEST_CASE("a tap on a list row applies the choice whatever its title") {
  const audience_reader reader(one_town());
  auto u = understand_inbound({"interactive", "✓ Eventi", "t+meteo"}, "Lugo", true, 0, 1000, 1, &reader);
  REQUIRE(u.choice.has_value());
  CHECK(u.choice->op == choice_op::join);
  CHECK(u.choice->topics == ids{"meteo"});
  // The ask reply's buttons keep their meaning.
  auto join = understand_inbound({"interactive", "Attiva", "banditore:join"}, "Lugo", false, 0, 1000, 1, &reader);
  CHECK(join.verdict == decision::subscribe);
  REQUIRE(join.choice.has_value());
  CHECK(plan_choices(*join.choice, one_town(), false, {}).verdict == decision::subscribe);
}

TEST_CASE("the list of choices marks what one receives and keeps Meta's limits") {
  auto l = choices_list(one_town(), subscribed_to_defaults());
  check_meta_limits(l);
  // 7 topics, 2 areas, the floor and everything: 11 rows, so two pages,
  // the first of 9 and "Altro…".
  REQUIRE(l.sections.back().rows.size() == 1);
  CHECK(l.sections.back().rows[0].id == "more:choices:1");
  CHECK(l.sections[0].title == "Argomenti");
  CHECK(l.sections[0].rows[0].id == "t-emergenze");
  CHECK(l.sections[0].rows[6].id == "t+eventi");
  auto second = choices_list(one_town(), subscribed_to_defaults(), 1);
  check_meta_limits(second);
  std::vector<std::string> ids_on_second;
  for (const auto& s : second.sections)
    for (const auto& r : s.rows) ids_on_second.push_back(r.id);
  CHECK(ids_on_second == ids{"s+", "tutto"});
}

TEST_CASE("more than ten topics are split into pages of sections, every row reachable once") {
  audience_catalogue c = one_town();
  for (int i = 0; i < 17; ++i)
    c.topics.push_back({"tema-" + std::to_string(i), "Tema numero " + std::to_string(i) + " con un nome molto lungo",
                        {}, false});
  subscriber_choices s = default_choices(c);
  std::set<std::string> all;
  std::size_t expected_rows = c.topics.size() + c.areas.size() + 2;
  for (std::size_t page = 0;; ++page) {
    CAPTURE(page);
    auto l = choices_list(c, s, page);
    check_meta_limits(l);
    bool more = false;
    for (const auto& sec : l.sections)
      for (const auto& r : sec.rows) {
        if (r.id.starts_with("more:")) {
          CHECK(r.id == "more:choices:" + std::to_string(page + 1));
          more = true;
        } else {
          CHECK(all.insert(r.id).second);
        }
      }
    if (!more) break;
    REQUIRE(page < 10);
  }
  CHECK(all.size() == expected_rows);
  // A page past the end shows the last one.
  CHECK(choices_list(c, s, 99).sections.back().rows.back().id == "tutto");
}

TEST_CASE("long names are cut to Meta's limits") {
  CHECK(cut_title("Strade", 24) == "Strade");
  auto cut = cut_title("Emergenze e protezione civile", 24);
  CHECK(cut == "Emergenze e protezione…");
  CHECK(cut.ends_with("…"));
  CHECK(chars(cut_title("àèìòùàèìòùàèìòùàèìòùàèìòù", 24)) == 24);
}

TEST_CASE("every reply says what changed and what one receives now, within WhatsApp's limits") {
  const auto c = one_town();
  const auto texts = italian_replies("Lugo");
  auto sub = reply_for_plan(plan_text("Attiva", c, false), c, texts);
  CHECK(sub.text.find("DISATTIVA") != std::string::npos);
  CHECK(sub.text.find("Emergenze e protezione civile") != std::string::npos);
  CHECK(chars(sub.text) <= max_interactive_body_code_points);
  check_meta_limits(sub.list);

  subscriber_choices all = subscribed_to_defaults();
  all.topics.push_back("eventi");
  auto dropped = reply_for_plan(plan_text("Disattiva eventi", c, true, all), c, texts);
  CHECK(dropped.text.starts_with("Fatto: tolto Eventi."));
  CHECK(dropped.text.find("argomenti: Emergenze") != std::string::npos);

  auto floor = reply_for_plan(plan_text("Solo emergenze", c, true, subscribed_to_defaults()), c, texts);
  CHECK(floor.text.find("solo gli avvisi gravi ed estremi") != std::string::npos);

  auto leave = reply_for_plan(plan_text("Disattiva", c, true, subscribed_to_defaults()), c, texts);
  CHECK(leave.text == texts.unsubscribed);
  CHECK(leave.list.empty());

  // A configured subscribe text too long for a list body goes alone, and
  // nothing ever passes WhatsApp's text limit.
  auto long_texts = texts;
  long_texts.subscribed = std::string(2000, 'x');
  auto alone = reply_for_plan(plan_text("Attiva", c, false), c, long_texts);
  CHECK(alone.list.empty());
  CHECK(alone.text.find("Tocca") == std::string::npos);
  long_texts.subscribed = std::string(5000, 'x');
  CHECK(chars(reply_for_plan(plan_text("Attiva", c, false), c, long_texts).text) == max_reply_code_points);
}

TEST_CASE("a location inside no town changes nothing and says so") {
  auto p = plan_choices(located_request({}, {}), one_town(), false, {});
  CHECK(p.verdict == decision::unchanged);
  CHECK(p.refusal == choice_refusal::no_place);
  auto reply = reply_for_plan(p, one_town(), italian_replies());
  CHECK(reply.text.find("posizione") != std::string::npos);

  auto in = plan_choices(located_request({"lugo"}, {"voltana"}), one_town(), false, {});
  CHECK(in.verdict == decision::subscribe);
  CHECK(in.after.areas == ids{"voltana"});
  CHECK(in.changes.at(0).event == "located");
}

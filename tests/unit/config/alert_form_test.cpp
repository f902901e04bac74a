#include <banditore/config/alert_form.hpp>

#include <doctest/doctest.h>

#include <map>
#include <stdexcept>

using namespace banditore;
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
    from_environment(from(std::move(vars)));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}
}  // namespace

TEST_CASE("a template body whose placeholders do not match the parameters is a configuration error") {
  CHECK(refusal({{"BANDITORE_WA_TEMPLATE_BODY", "Avviso del {{1}}: {{2}}"}}).empty());  // title,text
  CHECK(refusal({{"BANDITORE_WA_TEMPLATE_BODY", "Avviso: {{1}}"}}).find("BANDITORE_WA_TEMPLATE_BODY has 1 placeholders") == 0);
  CHECK(refusal({{"BANDITORE_WA_TEMPLATE_BODY", "{{1}} {{3}}"}}).find("BANDITORE_WA_TEMPLATE_BODY must number") == 0);
  CHECK(refusal({{"BANDITORE_WA_TEMPLATE_BODY", "{{1}} {{x}}"}}).find("BANDITORE_WA_TEMPLATE_BODY") == 0);
  CHECK(refusal({{"BANDITORE_WA_TEMPLATE_PARAMS", "title,when"}}).find("BANDITORE_WA_TEMPLATE_PARAMS") == 0);
  CHECK(refusal({{"BANDITORE_WA_TEMPLATE_PARAMS", "town,time,link,title,text"}}).empty());
}

TEST_CASE("bad severity labels and duplicate windows name their variable") {
  CHECK(refusal({{"BANDITORE_SEVERITY_LABELS", "extreme"}}).find("BANDITORE_SEVERITY_LABELS: ") == 0);
  CHECK(refusal({{"BANDITORE_DUPLICATE_WINDOW", "-1"}}).find("BANDITORE_DUPLICATE_WINDOW") == 0);
  auto s = from_environment(from({{"BANDITORE_SEVERITY_LABELS", "minor=📌 NOTIZIA"}, {"BANDITORE_DUPLICATE_WINDOW", "0"}}));
  CHECK(severity_labels_for(s).minor.word == "NOTIZIA");
  CHECK(s.duplicate_window_seconds == 0);
}

TEST_CASE("the template's room is 1024 less its fixed text and the other parameters") {
  auto s = from_environment(from({{"BANDITORE_WA_TEMPLATE_NAME", "avviso"},
                                  {"BANDITORE_WA_TEMPLATE_PARAMS", "town,title,text"},
                                  {"BANDITORE_WA_TEMPLATE_BODY", "Avviso del {{1}}: {{2}}\n\n{{3}}"},
                                  {"BANDITORE_TOWN", "Lodi"}}));
  const auto limits = alert_limits_for(s);
  CHECK(limits.template_form);
  // "Avviso del : \n\n" is 15 characters, "Comune di Lodi" 14.
  CHECK(limits.template_room == 1024 - 15 - 14);
  auto free = alert_limits_for(from_environment(from({{"BANDITORE_TOWN", "Lodi"}})));
  CHECK_FALSE(free.template_form);
  CHECK(free.text_framing == domain::alert_text_framing("Lodi", domain::severity_labels{}));
}

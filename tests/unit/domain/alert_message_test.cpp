#include <banditore/domain/alert_message.hpp>

#include <banditore/domain/utf8.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::domain;

namespace {

std::int64_t at(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

std::size_t chars(const std::string& s) { return *utf8::count_code_points(s); }

alert_content flood(std::string_view text = "Evacuare i piani terra di via Po.\n\nNon usare l'auto.") {
  alert_content a;
  a.town = "Lodi";
  a.level = severity::extreme;
  a.title = "Esondazione del Po";
  a.text = text;
  a.issued_at_ms = at("2026-11-24T17:05:00Z");
  return a;
}

}  // namespace

TEST_CASE("the free text says who sends it, how serious, when, what, and how to stop") {
  const auto text = compose_alert_text(flood(), severity_labels{});
  CHECK(text ==
        "🔴 *ALLERTA ROSSA* · Comune di Lodi\n"
        "_Emesso il 24/11/2026 alle 18:05_\n"
        "\n"
        "*Esondazione del Po*\n"
        "Evacuare i piani terra di via Po.\n\nNon usare l'auto.\n"
        "\n"
        "Per non ricevere più avvisi scrivi DISATTIVA.");
}

TEST_CASE("a link has its own line before how to stop") {
  auto a = flood("Strada chiusa.");
  a.link = "https://www.comune.lodi.it/avvisi/12";
  const auto text = compose_alert_text(a, severity_labels{});
  CHECK(text.find("Strada chiusa.\n\nhttps://www.comune.lodi.it/avvisi/12\n\nPer non ricevere") != std::string::npos);
}

TEST_CASE("an extreme alert does not look like a road notice") {
  auto extreme = flood();
  auto minor = flood();
  minor.level = severity::minor;
  const auto a = compose_alert_text(extreme, severity_labels{});
  const auto b = compose_alert_text(minor, severity_labels{});
  CHECK(a.rfind("🔴 *ALLERTA ROSSA*", 0) == 0);
  CHECK(b.rfind("ℹ️ *AVVISO*", 0) == 0);
  CHECK(a.substr(0, a.find('\n')) != b.substr(0, b.find('\n')));
}

TEST_CASE("severity labels are configurable level by level") {
  auto labels = parse_severity_labels("extreme=🚨 PERICOLO IMMEDIATO; minor=📌 INFORMAZIONE");
  CHECK(labels.extreme.symbol == "🚨");
  CHECK(labels.extreme.word == "PERICOLO IMMEDIATO");
  CHECK(labels.minor.word == "INFORMAZIONE");
  CHECK(labels.severe.word == "ALLERTA ARANCIONE");  // unnamed levels keep the default
  CHECK(parse_severity_labels("").moderate.symbol == "🟡");
  CHECK_THROWS_AS(parse_severity_labels("extreme"), std::invalid_argument);
  CHECK_THROWS_AS(parse_severity_labels("terrible=🔴 X"), std::invalid_argument);
  CHECK_THROWS_AS(parse_severity_labels("extreme=🔴"), std::invalid_argument);
}

TEST_CASE("the town is named once, whatever the operator wrote") {
  CHECK(town_label("Lodi") == "Comune di Lodi");
  CHECK(town_label("Comune di Lodi") == "Comune di Lodi");
  CHECK(town_label("comune di Lodi") == "Comune di Lodi");
  CHECK(town_label("COMUNE DI  Lodi") == "Comune di Lodi");
  CHECK(town_label("Città di Torino") == "Città di Torino");
  CHECK(town_label("Unione dei Comuni della Bassa Romagna") == "Unione dei Comuni della Bassa Romagna");
  CHECK(town_label("  Comunanza ") == "Comune di Comunanza");  // a town whose name starts like "Comune"
  CHECK(town_label("") == "");
  alert_content a = flood();
  a.town = "";
  CHECK(compose_alert_text(a, severity_labels{}).rfind("🔴 *ALLERTA ROSSA*\n", 0) == 0);
}

TEST_CASE("the time is Rome's, in winter and in summer, across both clock changes") {
  CHECK(rome_time_text(at("2026-01-15T11:30:00Z")) == "15/01/2026 alle 12:30");  // CET, UTC+1
  CHECK(rome_time_text(at("2026-07-15T11:30:00Z")) == "15/07/2026 alle 13:30");  // CEST, UTC+2
  // 29 March 2026: at 01:00 UTC the clocks go from 02:00 to 03:00.
  CHECK(rome_time_text(at("2026-03-29T00:59:00Z")) == "29/03/2026 alle 01:59");
  CHECK(rome_time_text(at("2026-03-29T01:00:00Z")) == "29/03/2026 alle 03:00");
  // 25 October 2026: at 01:00 UTC the clocks go from 03:00 back to 02:00.
  CHECK(rome_time_text(at("2026-10-25T00:30:00Z")) == "25/10/2026 alle 02:30");
  CHECK(rome_time_text(at("2026-10-25T01:30:00Z")) == "25/10/2026 alle 02:30");
  // Seconds do not round the minute up.
  CHECK(rome_time_text(at("2026-01-15T11:30:59.900Z")) == "15/01/2026 alle 12:30");
  // New Year's Eve in UTC is already New Year in Rome.
  CHECK(rome_time_text(at("2026-12-31T23:10:00Z")) == "01/01/2027 alle 00:10");
}

TEST_CASE("the framing counts every character the message adds") {
  const severity_labels labels;
  auto a = flood("x");
  a.link = "https://a.it";
  a.level = severity::severe;  // "ALLERTA ARANCIONE" is the longest default word
  const auto whole = chars(compose_alert_text(a, labels));
  CHECK(whole == alert_text_framing("Lodi", labels) + chars(std::string(a.title)) + 1 + chars("https://a.it"));
}

TEST_CASE("a parameter is folded: lines joined, paragraphs marked, spaces and tabs collapsed") {
  CHECK(fold_template_parameter("Via Roma chiusa\ndalle 8 alle 18.\n\nDeviazione per via Verdi.") ==
        "Via Roma chiusa dalle 8 alle 18. — Deviazione per via Verdi.");
  CHECK(fold_template_parameter("uno\r\ndue\r\n\r\ntre") == "uno due — tre");
  CHECK(fold_template_parameter("a\tb      c") == "a b c");
  CHECK(fold_template_parameter("  \n  testo  \n ") == "testo");
  CHECK(fold_template_parameter("riga\n   \t\n   altra") == "riga — altra");
  CHECK(fold_template_parameter("fine\u2029inizio") == "fine — inizio");
  CHECK(fold_template_parameter("") == "—");
  CHECK(fold_template_parameter(" \n\t ") == "—");
}

TEST_CASE("a folded parameter too long is cut on a character with an ellipsis") {
  const auto cut = fold_template_parameter("àèìòù àèìòù àèìòù", 8);
  CHECK(cut == "àèìòù à…");
  CHECK(chars(cut) <= 8);
  CHECK(fold_template_parameter("abc", 3) == "abc");
  CHECK(fold_template_parameter("primo\n\nsecondo", 8) == "primo…");
}

TEST_CASE("whatever the press office writes, every template parameter is one Meta accepts") {
  const char* texts[] = {"", " ", "\n\n", "a\n", "\tb", "a     b", "a\r\nb", "x\u2028y", "   \t\n\r\v\f  z   ",
                         "Allerta\n\n\n\n   meteo\t\t\tgialla", "\xff\xfe broken", "a\x01\x02" "b"};
  for (const char* t : texts) {
    INFO("text: " << t);
    const auto p = fold_template_parameter(t);
    CHECK(valid_template_parameter(p));
  }
  CHECK_FALSE(valid_template_parameter(""));
  CHECK_FALSE(valid_template_parameter("   "));
  CHECK_FALSE(valid_template_parameter("a\nb"));
  CHECK_FALSE(valid_template_parameter("a\tb"));
  CHECK_FALSE(valid_template_parameter("a     b"));
  CHECK(valid_template_parameter("a    b"));  // four are allowed
}

TEST_CASE("template parameters follow the configured order and are each folded") {
  auto a = flood();
  a.link = "";
  const auto params =
      template_parameters({"severity", "town", "time", "title", "text", "link", "category"}, a, "weather", severity_labels{});
  REQUIRE(params.size() == 7);
  CHECK(params[0] == "🔴 ALLERTA ROSSA");
  CHECK(params[1] == "Comune di Lodi");
  CHECK(params[2] == "24/11/2026 alle 18:05");
  CHECK(params[3] == "Esondazione del Po");
  CHECK(params[4] == "Evacuare i piani terra di via Po. — Non usare l'auto.");
  CHECK(params[5] == "—");  // no link: a parameter may not be empty
  CHECK(params[6] == "weather");
  for (const auto& p : params) CHECK(valid_template_parameter(p));
}

TEST_CASE("the overhead of the other parameters counts their longest values") {
  const severity_labels labels;
  CHECK(template_parameter_overhead({"title", "text"}, "Lodi", labels) == 0);
  CHECK(template_parameter_overhead({"town"}, "Lodi", labels) == chars("Comune di Lodi"));
  CHECK(template_parameter_overhead({"time"}, "Lodi", labels) == chars("24/11/2026 alle 18:05"));
  CHECK(template_parameter_overhead({"link"}, "Lodi", labels) == max_link);
  CHECK(template_parameter_overhead({"severity"}, "Lodi", labels) == chars("🟠 ALLERTA ARANCIONE"));
}

#include <banditore/domain/replies.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

using namespace banditore::domain;
using nlohmann::json;

namespace {
constexpr reply_kind all_kinds[]{reply_kind::subscribed, reply_kind::already_subscribed,
                                 reply_kind::unsubscribed, reply_kind::not_subscribed,
                                 reply_kind::help, reply_kind::ask};
}  // namespace

TEST_CASE("the Italian subscribed text says how to stop") {
  CHECK(italian_replies().subscribed.find(
            "Scrivi DISATTIVA in qualsiasi momento per non ricevere più messaggi") !=
        std::string::npos);
}

TEST_CASE("the Italian unsubscribed text confirms the number was erased") {
  CHECK(italian_replies().unsubscribed.find("il tuo numero è stato cancellato") !=
        std::string::npos);
}

TEST_CASE("the Italian help lists the commands and promises privacy") {
  auto help = italian_replies().help;
  for (std::string_view part : {"ATTIVA", "DISATTIVA", "INFO", "STATO", "ATTIVA STRADE", "messaggio individuale",
                                "nessuno vede il tuo numero"}) {
    CAPTURE(part);
    CHECK(help.find(part) != std::string::npos);
  }
}

TEST_CASE("the English help lists the commands and promises privacy") {
  auto help = english_replies().help;
  for (std::string_view part : {"START", "STOP", "ATTIVA", "DISATTIVA", "INFO",
                                "individual message", "nobody sees your number"}) {
    CAPTURE(part);
    CHECK(help.find(part) != std::string::npos);
  }
}

TEST_CASE("the English texts say how to stop and that the number was erased") {
  auto en = english_replies();
  CHECK(en.subscribed.find("STOP") != std::string::npos);
  CHECK(en.unsubscribed.find("erased") != std::string::npos);
}

TEST_CASE("every default text names the town when one is given") {
  for (const auto& texts : {italian_replies("Roccasecca"), english_replies("Roccasecca")}) {
    for (auto kind : all_kinds) {
      CAPTURE(to_string(kind));
      CHECK(reply_text(texts, kind).find("Comune di Roccasecca") != std::string::npos);
    }
  }
}

TEST_CASE("without a town the default texts name no town and leave no gap") {
  for (const auto& texts : {italian_replies(), english_replies()}) {
    for (auto kind : all_kinds) {
      const auto& text = reply_text(texts, kind);
      CAPTURE(text);
      CHECK(text.find("Comune di") == std::string::npos);
      CHECK(text.find("  ") == std::string::npos);
      CHECK(text.find(" .") == std::string::npos);
      CHECK(text.find(" :") == std::string::npos);
      CHECK(text.find(" ,") == std::string::npos);
    }
  }
}

TEST_CASE("a town name too long for WhatsApp is refused") {
  CHECK_THROWS_AS(italian_replies(std::string(5000, 'x')), std::invalid_argument);
}

TEST_CASE("reply_text returns the text of each kind") {
  reply_texts t{"a", "b", "c", "d", "e", "f", "Attiva", "Disattiva", "Info"};
  CHECK(reply_text(t, reply_kind::subscribed) == "a");
  CHECK(reply_text(t, reply_kind::already_subscribed) == "b");
  CHECK(reply_text(t, reply_kind::unsubscribed) == "c");
  CHECK(reply_text(t, reply_kind::not_subscribed) == "d");
  CHECK(reply_text(t, reply_kind::help) == "e");
  CHECK(reply_text(t, reply_kind::ask) == "f");
}

TEST_CASE("reply kinds have the names used as configuration keys") {
  CHECK(to_string(reply_kind::subscribed) == "subscribed");
  CHECK(to_string(reply_kind::already_subscribed) == "already_subscribed");
  CHECK(to_string(reply_kind::unsubscribed) == "unsubscribed");
  CHECK(to_string(reply_kind::not_subscribed) == "not_subscribed");
  CHECK(to_string(reply_kind::help) == "help");
}

TEST_CASE("a JSON object overrides only the texts it names") {
  auto defaults = italian_replies("Roccasecca");
  auto t = replies_from_json(json{{"subscribed", "Benvenuto!"}, {"help", "Scrivi ATTIVA."}},
                             defaults);
  CHECK(t.subscribed == "Benvenuto!");
  CHECK(t.help == "Scrivi ATTIVA.");
  CHECK(t.already_subscribed == defaults.already_subscribed);
  CHECK(t.unsubscribed == defaults.unsubscribed);
  CHECK(t.not_subscribed == defaults.not_subscribed);
}

TEST_CASE("an empty JSON object keeps every default") {
  auto defaults = english_replies();
  auto t = replies_from_json(json::object(), defaults);
  for (auto kind : all_kinds) CHECK(reply_text(t, kind) == reply_text(defaults, kind));
}

TEST_CASE("an unknown key is refused by name") {
  CHECK_THROWS_WITH_AS(replies_from_json(json{{"subscribd", "x"}}, italian_replies()),
                       doctest::Contains("subscribd"), std::invalid_argument);
}

TEST_CASE("a value that is not a string is refused by key") {
  CHECK_THROWS_WITH_AS(replies_from_json(json{{"help", 42}}, italian_replies()),
                       doctest::Contains("help"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(replies_from_json(json{{"unsubscribed", nullptr}}, italian_replies()),
                       doctest::Contains("unsubscribed"), std::invalid_argument);
}

TEST_CASE("an empty text is refused by key") {
  CHECK_THROWS_WITH_AS(replies_from_json(json{{"not_subscribed", ""}}, italian_replies()),
                       doctest::Contains("not_subscribed"), std::invalid_argument);
}

TEST_CASE("a text of 4096 characters is accepted and one of 4097 refused") {
  std::string at_limit;
  for (int i = 0; i < 4096; ++i) at_limit += "è";  // 2 bytes, 1 character
  CHECK(replies_from_json(json{{"help", at_limit}}, italian_replies()).help == at_limit);
  CHECK_THROWS_WITH_AS(replies_from_json(json{{"help", at_limit + "a"}}, italian_replies()),
                       doctest::Contains("help"), std::invalid_argument);
}

TEST_CASE("a text that is not valid UTF-8 is refused") {
  json j = json::object();
  j["help"] = std::string("ciao \xff");
  CHECK_THROWS_WITH_AS(replies_from_json(j, italian_replies()), doctest::Contains("help"),
                       std::invalid_argument);
}

TEST_CASE("reply texts must be given as a JSON object") {
  CHECK_THROWS_AS(replies_from_json(json::array({"x"}), italian_replies()), std::invalid_argument);
  CHECK_THROWS_AS(replies_from_json(json("x"), italian_replies()), std::invalid_argument);
}

TEST_CASE("a town written as Comune di X never reads Comune di Comune di") {
  for (std::string_view town : {"Comune di Roccasecca", "COMUNE DI Roccasecca", " comune di Roccasecca ",
                                "Roccasecca"}) {
    CAPTURE(town);
    CHECK(comune_name(town).ends_with("di Roccasecca"));
    for (const auto& texts : {italian_replies(town), english_replies(town)})
      for (auto kind : all_kinds) {
        CAPTURE(to_string(kind));
        const auto& text = reply_text(texts, kind);
        CHECK(text.find("Comune di Roccasecca") != std::string::npos);
        CHECK(text.find("Comune di Comune") == std::string::npos);
        CHECK(text.find("Comune di COMUNE") == std::string::npos);
        CHECK(text.find("Comune di comune") == std::string::npos);
      }
  }
  CHECK(comune_name("") == "Comune");
  CHECK(comune_name("Comunello") == "Comune di Comunello");
  CHECK(of_town("") == "del Comune");
  CHECK(of_town("comune di Lugo") == "del Comune di Lugo");
  CHECK(of_town("Città di Torino") == "della Città di Torino");
  CHECK(of_town("Unione dei Comuni della Bassa Romagna") == "dell'Unione dei Comuni della Bassa Romagna");
}

TEST_CASE("the default replies say the number is not staffed, where to turn, and 112") {
  reply_contacts contacts{"l'URP, 0776 123456", "https://comune.example.it/privacy"};
  auto it = italian_replies("Roccasecca", contacts);
  for (const auto* text : {&it.subscribed, &it.help, &it.not_subscribed}) {
    CHECK(text->find("non è presidiato") != std::string::npos);
    CHECK(text->find("contatta l'URP, 0776 123456") != std::string::npos);
    CHECK(text->find("112") != std::string::npos);
  }
  CHECK(it.subscribed.find("Informativa privacy: https://comune.example.it/privacy") != std::string::npos);
  CHECK(italian_replies("Roccasecca").subscribed.find("Informativa privacy") == std::string::npos);
  CHECK(italian_replies("Roccasecca").help.find("rivolgiti agli uffici del Comune di Roccasecca") !=
        std::string::npos);
  auto en = english_replies("Roccasecca", contacts);
  CHECK(en.subscribed.find("Privacy notice: https://comune.example.it/privacy") != std::string::npos);
  CHECK(en.help.find("112") != std::string::npos);
}

TEST_CASE("the ask reply carries three buttons within Meta's limits") {
  auto texts = italian_replies("Roccasecca");
  CHECK(texts.ask.find("Vuoi ricevere gli avvisi del Comune di Roccasecca?") != std::string::npos);
  auto buttons = reply_buttons(texts, reply_kind::ask);
  REQUIRE(buttons.size() == 3);
  CHECK(buttons[0].title == "Attiva");
  CHECK(buttons[1].title == "Disattiva");
  CHECK(buttons[2].title == "Info");
  for (const auto& b : buttons) CHECK(b.title.size() <= max_button_title_code_points);
  CHECK(reply_buttons(texts, reply_kind::help).empty());
}

TEST_CASE("an ask text over the interactive body limit is refused") {
  CHECK_THROWS_AS(replies_from_json(json{{"ask", std::string(1025, 'a')}}, italian_replies()),
                  std::invalid_argument);
  CHECK(replies_from_json(json{{"ask", std::string(1024, 'a')}}, italian_replies()).ask.size() == 1024);
}

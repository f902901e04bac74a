#include <banditore/domain/commands.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::domain;

namespace {
command kind_of(std::string_view text) { return classify_command(text).kind; }
}  // namespace

TEST_CASE("the ways citizens spell Attiva all subscribe") {
  for (std::string_view text :
       {"Attiva", "attiva", "attiva!", " ATTIVA ", "Attiva.", "ATTÌVA", "attiva 🙏", "Attiva grazie",
        "attivà", "Àttiva", "iscrivimi", "Iscrivi", "ISCRIZIONE", "abbonami", "attivami",
        "attivare", "START", "subscribe", "Join", "attiva\n", "\tattiva\t", "«Attiva»",
        "attiva, per favore", "Buongiorno, vorrei attivare il servizio. Grazie mille!",
        "Attiva 👍🏽", "ATTIVA ATTIVA"}) {
    CAPTURE(text);
    CHECK(kind_of(text) == command::subscribe);
  }
}

TEST_CASE("the ways citizens spell Disattiva all unsubscribe") {
  for (std::string_view text :
       {"Disattiva", "disattiva!!", "DISATTIVA", "disattivare", "disattivami", "Cancellami",
        "cancella", "annulla", "STOP", "stop per favore", "Stop.", "basta", "basta!!!", "esci",
        "disiscrivi", "disiscrivimi", "unsubscribe", "stop stop", "stop basta",
        "Basta messaggi grazie", "please unsubscribe"}) {
    CAPTURE(text);
    CHECK(kind_of(text) == command::unsubscribe);
  }
}

TEST_CASE("the ways citizens ask for help all ask for info") {
  for (std::string_view text :
       {"Info", "INFO", "info?", "aiuto?", "Aiuto", "help", "informazioni", "?", "??", " ? ",
        "¿", "？", "help please"}) {
    CAPTURE(text);
    CHECK(kind_of(text) == command::info);
  }
}

TEST_CASE("the recognised command word is reported folded") {
  CHECK(classify_command("ATTÌVA!").keyword == "attiva");
  CHECK(classify_command("grazie, Cancellami").keyword == "cancellami");
  CHECK(classify_command("?").keyword == "?");
}

TEST_CASE("of repeated command words of one kind the first is the keyword") {
  CHECK(classify_command("stop basta").keyword == "stop");
}

TEST_CASE("disattiva is not read as attiva") {
  auto m = classify_command("disattiva");
  CHECK(m.kind == command::unsubscribe);
  CHECK_FALSE(m.conflicting);
}

TEST_CASE("texts without a request are none") {
  for (std::string_view text : {"grazie", "ciao", "buongiorno", "ok", "si", "Sì", "no", "",
                                "   ", "stopp", "ricevuto", "Ho letto l'avviso, grazie"}) {
    CAPTURE(text);
    CHECK(kind_of(text) == command::none);
  }
}

TEST_CASE("a request among too many other words, with a number or a question is unclear") {
  for (std::string_view text :
       {"non attiva", "attiva il mio contatore del gas", "stop alle auto in via Roma",
        "non voglio disattivare", "info stop", "attiva 2", "Vorrei informazioni per attivare il servizio",
        "sono iscritto?", "L'avviso di ieri è stato annullato?"}) {
    CAPTURE(text);
    CHECK(kind_of(text) == command::unclear);
  }
}

TEST_CASE("an unclear or none result carries no keyword") {
  CHECK(classify_command("non attiva").keyword.empty());
  CHECK(classify_command("grazie").keyword.empty());
}

TEST_CASE("verbs count in every person, mood and with attached pronouns") {
  for (std::string_view text : {"attivatemi", "iscrivetemi", "mi iscrivo", "vorrei iscrivermi",
                                "attivatemelo", "abbonatemi", "registrami", "inseriscimi"})
    CHECK(kind_of(text) == command::subscribe);
  for (std::string_view text : {"cancellatemi", "disiscrivermi", "toglietemi", "toglimi",
                                "rimuovetemi", "eliminatemi", "smettetela", "levatemi"})
    CHECK(kind_of(text) == command::unsubscribe);
}

TEST_CASE("a typo one edit away counts on long words only") {
  CHECK(kind_of("disativa") == command::unsubscribe);
  CHECK(kind_of("iscivimi") == command::subscribe);
  CHECK(kind_of("attivaa") == command::subscribe);
  CHECK(kind_of("disattiav") == command::unsubscribe);
  CHECK(kind_of("atv") == command::none);
  CHECK(kind_of("stpo") == command::none);
}

TEST_CASE("negation turns wanting messages into leaving, and a request into no request") {
  CHECK(kind_of("non voglio più ricevere messaggi") == command::unsubscribe);
  CHECK(kind_of("non mandatemi più niente") == command::unsubscribe);
  CHECK(kind_of("niente più avvisi") == command::unsubscribe);
  CHECK(kind_of("non voglio attivare niente") == command::unclear);
  CHECK(kind_of("non cancellatemi") == command::unclear);
  CHECK(kind_of("non ricevo più gli avvisi") == command::unclear);
}

TEST_CASE("the object of a leave is not a join") {
  CHECK(kind_of("annullare l'iscrizione") == command::unsubscribe);
  CHECK(kind_of("smettete di mandarmi messaggi") == command::unsubscribe);
}

TEST_CASE("the town's name may surround a request") {
  CHECK(classify_command("attiva avvisi Roccasecca dei Volsci", "Roccasecca dei Volsci").kind ==
        command::subscribe);
  CHECK(classify_command("attiva avvisi Roccasecca dei Volsci zzz", "").kind == command::unclear);
}

TEST_CASE("the town's name may surround a request with the saint's title written short or whole") {
  // Sant'Agata sul Santerno (RA), written as its citizens and its own
  // signs write it; the deployment may spell it either way.
  for (std::string_view text : {"Attiva S.Agata", "attiva S. Agata sul Santerno", "Attiva Sant'Agata",
                                "attiva avvisi santa agata"}) {
    CAPTURE(text);
    CHECK(classify_command(text, "Sant'Agata sul Santerno").kind == command::subscribe);
    CHECK(classify_command(text, "S. Agata sul Santerno").kind == command::subscribe);
  }
  // Santi Cosma e Damiano (LT), "SS. Cosma e Damiano" on its road signs.
  CHECK(classify_command("attiva SS. Cosma e Damiano", "Santi Cosma e Damiano").kind == command::subscribe);
}

TEST_CASE("emoji and symbols do not count as words") {
  CHECK(kind_of("🙏🙏 attiva 🙏 🙏 🙏 🙏 🙏 🙏 🙏 🙏") == command::subscribe);
}

TEST_CASE("words of two commands conflict") {
  for (std::string_view text : {"stop attiva", "attiva o disattiva?", "Attiva. No, disattiva",
                                "disattivate e riattivate"}) {
    CAPTURE(text);
    auto m = classify_command(text);
    CHECK(m.kind == command::unclear);
    CHECK(m.conflicting);
  }
}

TEST_CASE("a lone command does not conflict") {
  CHECK_FALSE(classify_command("attiva").conflicting);
  CHECK_FALSE(classify_command("grazie").conflicting);
}

TEST_CASE("a text of only emoji is none with an empty normalised text") {
  auto m = classify_command("🙏👍🏽❤️‍🔥🇮🇹");
  CHECK(m.kind == command::none);
  CHECK(m.normalised.empty());
}

TEST_CASE("an empty text is none") {
  auto m = classify_command("");
  CHECK(m.kind == command::none);
  CHECK(m.normalised.empty());
  CHECK(m.keyword.empty());
  CHECK_FALSE(m.conflicting);
}

TEST_CASE("invalid UTF-8 bytes are skipped") {
  CHECK(kind_of("\xff" "attiva\xc3") == command::subscribe);
  CHECK(kind_of("att\x80iva") == command::subscribe);
  // An overlong "/" and an encoded surrogate are invalid too.
  CHECK(kind_of("\xc0\xaf stop \xed\xa0\x80") == command::unsubscribe);
  CHECK(classify_command("\xf4\x90\x80\x80\xe2\x82").normalised.empty());
}

TEST_CASE("accents and case fold away in the normalised text") {
  CHECK(classify_command("ÀÁÂÄÃÅ ÈÉÊË ÌÍÎÏ ÒÓÔÖÕ ÙÚÛÜ Ç Ñ").normalised ==
        "aaaaaa eeee iiii ooooo uuuu c n");
  CHECK(classify_command("àáâäãå èéêë ìíîï òóôöõ ùúûü ç ñ ß Œ").normalised ==
        "aaaaaa eeee iiii ooooo uuuu c n ss oe");
  CHECK(classify_command("Ł Ž Č ő ş ș ĳ").normalised == "l z c o s s ij");
}

TEST_CASE("a combining accent folds like a precomposed one") {
  auto m = classify_command("atti\xCC\x80va");  // i + U+0300
  CHECK(m.kind == command::subscribe);
  CHECK(m.normalised == "attiva");
}

TEST_CASE("punctuation separates words and whitespace collapses") {
  CHECK(classify_command("  Ciao!!!  come\tstai?\n\nbene…grazie ").normalised ==
        "ciao come stai bene grazie");
}

TEST_CASE("full-width letters fold to ASCII") {
  CHECK(kind_of("ＡＴＴＩＶＡ") == command::subscribe);
}

TEST_CASE("letters of other scripts are kept lower-cased") {
  CHECK(classify_command("ПРИВЕТ Γειά").normalised == "привет γειά");
}

TEST_CASE("a phone number in a text is masked and makes it unclear") {
  auto m = classify_command("attiva 3331234567");
  CHECK(m.kind == command::unclear);
  CHECK(m.normalised == "attiva #");
}

TEST_CASE("a phone number typed with spaces, dashes or a plus is masked whole") {
  CHECK(classify_command("attiva +39 333 123 4567").normalised == "attiva #");
  CHECK(classify_command("stop 333-123-45-67 grazie").normalised == "stop # grazie");
  CHECK(classify_command("mio numero: 06.1234.5678").normalised == "mio numero #");
}

TEST_CASE("digits in other scripts are masked like ASCII ones") {
  CHECK(classify_command("attiva ٣٣٣١٢٣٤٥٦٧").normalised == "attiva #");
  CHECK(classify_command("attiva ３３３１２３４５６７").normalised == "attiva #");
}

TEST_CASE("short digit runs are masked too") {
  CHECK(classify_command("via Roma 12, int 3").normalised == "via roma # int #");
  CHECK(classify_command("1234").normalised == "#");
}

TEST_CASE("a digit run glued to letters is masked") {
  CHECK(classify_command("tel3331234567").normalised == "tel#");
}

TEST_CASE("the normalised text is cut to 80 bytes without splitting a character") {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "è ";  // folds to "e e e ..."
  auto m = classify_command(text);
  CHECK(m.normalised.size() <= 80);
  CHECK(m.normalised.starts_with("e e e"));

  std::string cyrillic;
  for (int i = 0; i < 100; ++i) cyrillic += "ж";  // 2 bytes each
  auto c = classify_command(cyrillic);
  CHECK(c.normalised.size() == 80);
  CHECK(c.normalised == std::string(cyrillic, 0, 80));

  std::string odd = "a" + cyrillic;  // the 80th byte is the first half of a letter
  auto o = classify_command(odd);
  CHECK(o.normalised.size() == 79);
}

TEST_CASE("a long number at the cut is masked, not cut into a short one") {
  std::string text(76, 'a');
  text += " 3331234567";
  auto m = classify_command(text);
  CHECK(m.normalised.find('3') == std::string::npos);
}

TEST_CASE("a 10 kB text is not acted on and its record stays short") {
  std::string text;
  while (text.size() < 10'000) text += "attiva per favore il servizio ";
  auto m = classify_command(text);
  CHECK(m.kind == command::unclear);
  CHECK(m.normalised.size() <= 80);
}

TEST_CASE("commands have names for logs") {
  CHECK(to_string(command::subscribe) == "subscribe");
  CHECK(to_string(command::unsubscribe) == "unsubscribe");
  CHECK(to_string(command::info) == "info");
  CHECK(to_string(command::unclear) == "unclear");
  CHECK(to_string(command::none) == "none");
}

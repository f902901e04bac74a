// The measure of how citizens are understood: realistic messages people
// send to a town's number, each with what it asks. The goal, checked here:
// at least 95% of requests to join understood, every request to leave, and
// nothing done for a message that asks neither. The shares are printed.
#include <banditore/domain/commands.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <string_view>

using namespace banditore::domain;

namespace {

// Requests to join, as written: greetings, names, typos, emoji, capitals.
constexpr std::string_view joins[]{
    "Attiva",
    "attiva",
    "ATTIVA!!!",
    "Attivami",
    "attivatemi per favore",
    "Attivate il servizio grazie",
    "Buongiorno, vorrei attivare il servizio. Grazie mille!",
    "Salve vorrei iscrivermi agli avvisi del comune",
    "iscrivimi",
    "Iscrivetemi grazie",
    "mi iscrivo",
    "Mi voglio iscrivere",
    "Voglio iscrivermi",
    "vorrei essere iscritta agli avvisi",
    "Buonasera, desidero ricevere gli avvisi del Comune di Roccasecca",
    "Vorrei ricevere le notifiche",
    "voglio ricevere gli avvisi",
    "mandatemi gli avvisi per favore",
    "inviatemi le notifiche grazie",
    "Ciao! Mi iscrivi?",
    "Posso iscrivermi?",
    "come faccio ad iscrivermi?",
    "attiva 🙏",
    "👍 Attiva",
    "Attiva grazie 😊",
    "ATTIVA ATTIVA",
    "Attìva",
    "attivo",
    "Attivare",
    "attivazione servizio",
    "Richiesta attivazione avvisi",
    "richiesta iscrizione",
    "Iscrizione",
    "Iscrizione al servizio avvisi",
    "abbonami",
    "Vorrei abbonarmi",
    "Registrami",
    "vorrei registrarmi al servizio",
    "Aggiungetemi alla lista",
    "aggiungimi per favore",
    "Inseritemi nella lista degli avvisi",
    "Inseriscimi grazie",
    "Acconsento",
    "aderisco al servizio",
    "Buongiorno sono Maria Rossi e vorrei iscrivermi agli avvisi",
    "Sono Giuseppe, vorrei attivare le notifiche del comune",
    "Salve, è possibile iscriversi al servizio di avvisi?",
    "Gentilissimi, chiedo di essere iscritto al servizio whatsapp del comune. Cordiali saluti",
    "Buon pomeriggio, vorrei essere inserito nella lista per ricevere gli avvisi di protezione civile",
    "start",
    "START",
    "Join",
    "subscribe",
    "attva",
    "atiiva",
    "attivaa",
    "iscrivimmi",
    "iscivimi",
    "isccrivetemi",
    "atttivatemi",
    "Voglio attivare gli avvisi del comune di Roccasecca",
    "riattiva",
    "riattivatemi per favore",
    "vorrei riattivare il servizio",
    "Attiva per favore grazie",
    "attiva pls",
    "ok attiva",
    "Si attiva",
    "Sì, attivate pure",
    "Per favore mi potete iscrivere?",
    "Mi potreste aggiungere alla lista degli avvisi?",
    "Buongiorno vorrei ricevere i messaggi del comune",
    "voglio essere aggiunto",
    "Ciao, iscrivetemi alle allerte meteo",
    "attivami il servizio 😀😀",
    "Attivate!",
    "ATTIVAMI",
};

// Requests to leave, with and without a command word.
constexpr std::string_view leaves[]{
    "Disattiva",
    "disattiva",
    "DISATTIVA!!",
    "Disattivami",
    "disattivatemi per favore",
    "disattivate il servizio grazie",
    "Disattivare",
    "disattivazione",
    "richiesta disattivazione",
    "stop",
    "STOP",
    "Stop!!!",
    "stop per favore",
    "Basta",
    "basta messaggi",
    "Basta avvisi grazie",
    "basta!!!",
    "Cancellami",
    "cancellatemi",
    "Cancellatemi dalla lista",
    "cancellate il mio numero",
    "Vorrei cancellarmi",
    "voglio essere cancellato",
    "cancella",
    "cancellazione",
    "Disiscrivimi",
    "disiscrivetemi",
    "voglio disiscrivermi",
    "vorrei disiscrivermi dal servizio",
    "disiscrizione",
    "toglietemi dalla lista",
    "Toglimi",
    "toglietemi per favore",
    "Togliete il mio numero",
    "levatemi dalla lista",
    "Rimuovetemi",
    "rimuovimi dalla lista",
    "vorrei essere rimosso",
    "rimozione dalla lista",
    "eliminatemi",
    "Eliminate il mio numero grazie",
    "annulla",
    "annulla iscrizione",
    "annullare l'iscrizione",
    "esci",
    "voglio uscire",
    "vorrei uscire dalla lista",
    "Non voglio più ricevere messaggi",
    "non voglio più ricevere i vostri messaggi grazie",
    "Non voglio ricevere avvisi",
    "non mandatemi più messaggi",
    "Non mi mandate più niente",
    "non inviatemi più notifiche",
    "Non scrivetemi più",
    "Non voglio più essere disturbato",
    "niente più messaggi grazie",
    "nessun messaggio grazie",
    "no messaggi",
    "non mi interessa",
    "Non mi interessano più questi avvisi",
    "Non voglio più essere iscritto",
    "revoco il consenso",
    "Revoco il consenso al trattamento dei dati",
    "ritiro il consenso",
    "smettete di mandarmi messaggi",
    "smettetela",
    "Smettete di scrivermi",
    "interrompete il servizio",
    "sospendete le notifiche",
    "disabilita",
    "unsubscribe",
    "please unsubscribe",
    "Buongiorno, vorrei disattivare il servizio. Grazie",
    "Salve sono Luca Bianchi, vorrei essere cancellato dalla lista",
    "Gentili signori, vi chiedo di cancellare il mio numero dal servizio avvisi. Cordiali saluti",
    "disattva",
    "disativa",
    "disattiav",
    "cancelami",
    "cancellatemmi",
    "disiscrivimmi",
    "STOP 🛑",
    "🚫 basta",
    "Disattivate grazie 🙏",
    "non voglio più le notifiche",
    "Non voglio più messaggi",
};

// Messages that ask neither: thanks, questions, reports, descriptions,
// refusals of a request, both requests at once, numbers. Information or
// reply buttons are fine; joining or leaving is not.
constexpr std::string_view neither[]{
    "grazie",
    "Grazie mille",
    "ciao",
    "Buongiorno",
    "ok",
    "👍",
    "sì",
    "no",
    "no grazie",
    "Non voglio attivare niente",
    "non voglio iscrivermi",
    "non cancellatemi",
    "Non voglio disattivare",
    "A che ora riapre la strada?",
    "Il cancello del cimitero è rotto",
    "C'è un guasto all'acquedotto in via Roma 12",
    "quando passa la raccolta dei rifiuti?",
    "chi siete?",
    "Ho ricevuto il messaggio",
    "Non ricevo più gli avvisi",
    "non ricevo i messaggi",
    "sono iscritto?",
    "L'avviso di ieri è stato annullato?",
    "attiva 3331234567",
    "Iscrivete mio padre 3331234567",
    "Attiva o disattiva?",
    "attiva e disattiva",
    "Disattivate e riattivate",
    "info",
    "informazioni",
    "come funziona?",
    "?",
    "aiuto",
    "Vorrei informazioni per attivare il servizio",
    "Le fermate del bus sono cambiate?",
    "buona giornata",
    "Perfetto grazie",
    "Ok ricevuto",
    "chi è il sindaco?",
    "è stato disattivato il servizio?",
    "quando inviate gli avvisi?",
    "mi hanno cancellato?",
    "Ho letto l'avviso, grazie",
    "La strada è ancora chiusa?",
    "Quando riattivano l'acqua?",
    "L'acqua è stata riattivata?",
    "Avete cancellato la sagra?",
    "Il mercato è annullato?",
    "Non funziona il lampione in via Verdi",
    "Mi avete mandato un messaggio?",
    "Chi mi ha iscritto?",
    "Perché ricevo questi messaggi?",
    "Non ho capito",
    "Sono la signora Bianchi, ho un problema con la TARI",
    "Buongiorno, vorrei sapere gli orari dell'anagrafe",
    "Ricevuto grazie",
    "ok ricevuto, grazie mille",
    "Ho bisogno di aiuto, c'è un incendio",
    "Esce oggi il bando?",
    "Stop ai lavori in via Roma?",
    "Basta con questa buca in strada!",
    "Non mandate più avvisi sulla raccolta?",
    "Attivare la carta d'identità elettronica",
};

template <std::size_t N>
std::size_t count_read_as(const std::string_view (&texts)[N], command kind) {
  std::size_t n = 0;
  for (auto text : texts)
    if (classify_command(text, "Roccasecca").kind == kind) ++n;
  return n;
}

}  // namespace

TEST_CASE("the table holds at least 150 messages") {
  CHECK(std::size(joins) + std::size(leaves) + std::size(neither) >= 150);
}

TEST_CASE("at least 95% of requests to join are understood") {
  const auto understood = count_read_as(joins, command::subscribe);
  std::printf("requests to join understood: %zu of %zu (%.1f%%)\n", understood, std::size(joins),
              100.0 * double(understood) / double(std::size(joins)));
  for (auto text : joins) {
    CAPTURE(text);
    CHECK_MESSAGE(classify_command(text, "Roccasecca").kind != command::unsubscribe, "a join read as a leave");
  }
  CHECK(understood * 100 >= std::size(joins) * 95);
}

TEST_CASE("every request to leave is understood") {
  const auto understood = count_read_as(leaves, command::unsubscribe);
  std::printf("requests to leave understood: %zu of %zu (%.1f%%)\n", understood, std::size(leaves),
              100.0 * double(understood) / double(std::size(leaves)));
  for (auto text : leaves) {
    CAPTURE(text);
    CHECK(classify_command(text, "Roccasecca").kind == command::unsubscribe);
  }
}

TEST_CASE("no message that asks neither joins or leaves") {
  std::size_t acted = 0;
  for (auto text : neither) {
    CAPTURE(text);
    const auto kind = classify_command(text, "Roccasecca").kind;
    CHECK(kind != command::subscribe);
    CHECK(kind != command::unsubscribe);
    if (kind == command::subscribe || kind == command::unsubscribe) ++acted;
  }
  std::printf("messages asking neither acted on: %zu of %zu\n", acted, std::size(neither));
}

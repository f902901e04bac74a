// What a citizen's WhatsApp text asks for: subscribe, unsubscribe, info, or
// nothing we act on. Recognition is deliberately narrow: a reply to the
// wrong text (subscribing someone who wrote about their gas meter) costs
// more trust than asking them to write again.
#pragma once

#include <string>
#include <string_view>

namespace banditore::domain {

enum class command { subscribe, unsubscribe, info, none };

std::string_view to_string(command);

// The outcome of reading one text.
struct command_match {
  command kind = command::none;
  // The folded text the decision came from, safe to record: every run of 5
  // or more digits (also when split by spaces, dashes or dots, as people
  // type phone numbers) is replaced by "#", and the result is cut to at most
  // 80 bytes (so at most 80 characters) without splitting a UTF-8 sequence.
  // "?" when the text was only a question mark.
  std::string normalised;
  // The command word recognised, folded ("attiva"); empty when kind is none.
  std::string keyword;
  // True when words of two different commands appear ("attiva o
  // disattiva?"); kind is then none.
  bool conflicting = false;
};

// Reads a text as a citizen typed it.
//
// Folding: UTF-8 is decoded (invalid bytes are skipped); letters are
// lower-cased and Latin accents removed (à→a, ç→c, ñ→n, ß→ss, œ→oe, ...,
// also when written with combining marks); punctuation, symbols and emoji
// separate words; whitespace collapses to one space.
//
// Command words, whole words only ("disattiva" never counts as "attiva"):
//
//   | kind        | Italian                                              | English              |
//   | ----------- | ---------------------------------------------------- | -------------------- |
//   | subscribe   | attiva attivare attivami iscrivi iscrivimi           | start subscribe join |
//   |             | iscrizione abbonami                                  |                      |
//   | unsubscribe | disattiva disattivare disattivami disiscrivi         | stop unsubscribe     |
//   |             | disiscrivimi cancella cancellami annulla basta esci  |                      |
//   | info        | info informazioni aiuto                              | help                 |
//   |             | "?" alone (a text with no words but a question mark) |                      |
//
// "si" is not a command: it answers too many questions.
//
// Filler words, allowed around a command word: avvisi notifiche servizio
// messaggi il lo la le gli i mi me per favore piacere grazie mille ciao
// buongiorno buonasera salve ok voglio vorrei desidero gentilmente
// cortesemente prego please pls thanks thank you hi hello the alerts.
//
// The rule: a text is a command when it has at most 8 words, its command
// words all belong to one kind (repeats are fine: "stop stop"), and every
// other word is filler. Anything else is none: another word ("non attiva",
// "attiva 3331234567"), too many words, or two kinds (conflicting).
command_match classify_command(std::string_view utf8_text);

}  // namespace banditore::domain

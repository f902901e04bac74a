// What a citizen's WhatsApp text asks for: to join, to leave, information,
// probably one of them (then the citizen is asked with reply buttons), or
// nothing. Acting on the wrong text (subscribing someone who wrote about
// their gas meter) costs more trust than asking: what is not clear is
// asked, never acted on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

enum class command { subscribe, unsubscribe, info, unclear, none };

std::string_view to_string(command);

// The outcome of reading one text.
struct command_match {
  command kind = command::none;
  // The folded text the decision came from, safe to record: every run of
  // digits (also when split by spaces, dashes or dots, as people type phone
  // numbers) is replaced by "#", and the result is cut to at most 80 bytes
  // (so at most 80 characters) without splitting a UTF-8 sequence. "?" when
  // the text was only a question mark.
  std::string normalised;
  // The word the request was read from, folded ("iscrivetemi"); empty
  // unless kind is subscribe, unsubscribe or info.
  std::string keyword;
  // True when the text asks both to join and to leave ("attiva o
  // disattiva?"); kind is then unclear.
  bool conflicting = false;
};

// A text as words, folded as classify_command reads it (below), and
// whether it had a question mark.
struct folded_text {
  std::vector<std::string> words;
  bool question_mark = false;
};
folded_text fold(std::string_view utf8_text);

// Reads a text as a citizen typed it; town is the municipality's name,
// whose words may appear around a request.
//
// Folding: UTF-8 is decoded (invalid bytes are skipped); letters are
// lower-cased and Latin accents removed (à→a, ç→c, ñ→n, ß→ss, œ→oe, ...,
// also when written with combining marks); punctuation, symbols and emoji
// separate words; whitespace collapses to one space.
//
// The rule (docs/commands.md says it for citizens and operators):
// - A verb of joining (attivare, iscrivere, abbonare, registrare,
//   aggiungere, inserire, acconsentire, aderire) or of leaving (disattivare,
//   disiscrivere, cancellare, eliminare, togliere, levare, rimuovere,
//   annullare, uscire, escludere, smettere, interrompere, sospendere,
//   disabilitare, revocare, disdire, ritirare) counts in any person, mood
//   and with attached pronouns (italian_words.hpp), and one edit away on
//   long words. "start", "subscribe", "join" join; "stop", "basta",
//   "unsubscribe" leave; "info", "aiuto", "help", "informazioni", "come
//   funziona" and a lone "?" ask for information.
// - Wanting to receive is joining ("vorrei ricevere gli avvisi",
//   "mandatemi le notifiche"); refusing is leaving ("non voglio più ricevere
//   messaggi", "non mandatemi più niente", "niente più avvisi", "non mi
//   interessa"). Negating a join is not a join ("non voglio attivare
//   niente") and negating a leave is not a leave.
// - Words around the request are fine: greetings, courtesy, wanting and
//   asking, the service's nouns, the town, a name after "sono". A few other
//   words are tolerated (one in four); more, a number, a request for
//   information too, over 40 words, or a typo among other unknown words
//   make the request unclear. A description ("sono iscritto?", "avviso
//   annullato") or a negated request is unclear too.
// - Both a join and a leave: unclear, conflicting. No request: none.
command_match classify_command(std::string_view utf8_text, std::string_view town = {});

}  // namespace banditore::domain

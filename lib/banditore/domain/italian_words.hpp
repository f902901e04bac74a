// The Italian word forms of what people write to join or leave: a verb is
// a root with its endings and the pronouns Italian glues to it
// ("iscrivetemi", "toglietemelo", "disiscrivermi"), so one entry covers
// every person, mood and typo one edit away. Pure functions over folded
// words (lower case, no accents; see commands.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain::italian {

// What a verb is about.
enum class intent {
  join,     // attivare, iscrivere, abbonare, registrare, aggiungere, inserire
  leave,    // disattivare, disiscrivere, cancellare, togliere, eliminare, smettere
  receive,  // ricevere, mandare, inviare: join when wanted, leave when refused
  contact,  // scrivere, disturbare, contattare: counts only when refused
  interest, // interessare: "mi interessa" / "non mi interessa più"
};

// Which kind of form the ending makes; what may act on a request depends on
// it ("sono iscritto?" asks, "iscrivimi" requests).
enum class form {
  request,     // imperative, infinitive, first person, a noun of the action
  participle,  // iscritto, cancellato: describes a state, asks at most
  other,       // third person, gerund: talks about something
};

struct verb_match {
  intent what = intent::join;
  form how = form::other;
  bool typo = false;      // matched only one edit away from the root
  std::string_view root;    // the root matched, for the record
  std::string_view ending;  // what followed it, pronouns removed ("ate")
  std::string_view pronoun; // the pronoun attached, if any ("mi")
  bool noun = false;        // a noun of the action: iscrizione, abbonamento
};

// The verb a folded word is a form of, if any. Roots match from the first
// letter, so "disattiva" is never a form of "attiva". Of several readings
// the one that requests wins. A typo is accepted in words of at least 5
// letters, one insertion, deletion, substitution or swap of two
// neighbours away from a form (the root needing at least 5 letters for an
// edit inside it), and only when no root matches exactly.
std::optional<verb_match> match_verb(std::string_view word);

// True when a and b are at most one edit apart (the edits above).
bool within_one_edit(std::string_view a, std::string_view b);

// Place names written with the saint's title cut short, as on road signs,
// in registries and in what people type: "S." for San, Santa, Santo and
// Sant' ("S. Maria in Fabriago", "S.Agata"), "SS." for Santissimo,
// Santissima and Santi ("SS. Annunziata", "SS. Cosma e Damiano"), also
// "S.S." and "SS.ma"/"SS.mo". Folded, the dots are gone: "s" and "ss".
// True when a and b are the same title, one of them cut short; never for
// two full words ("san" and "santa" are different names).
bool same_saint_title(std::string_view a, std::string_view b);

// The folded words with "S.S." ("s", "s") and "SS.ma"/"SS.mo" ("ss",
// "ma") joined into one "ss", so a name's words line up with the text's.
void join_saint_titles(std::vector<std::string>& words);

// The Snowball (libstemmer) Italian stem of a folded word, for matching the
// nouns, adjectives and greetings around a request in all their
// inflections ("avviso", "avvisi"; "gentile", "gentili").
std::string stem(std::string_view word);

}  // namespace banditore::domain::italian

#include <banditore/domain/commands.hpp>

#include <banditore/domain/italian_words.hpp>
#include <banditore/domain/utf8.hpp>

#include <algorithm>
#include <array>
#include <iterator>
#include <vector>

namespace banditore::domain {

namespace {

constexpr std::size_t max_normalised_bytes = 80;
// Longer texts talk about something; a request that long is only probable.
constexpr std::size_t max_request_words = 40;
// How far a negation reaches: "non voglio più ricevere" negates "ricevere".
constexpr int negation_reach = 4;
// After "sono" or "mi chiamo" up to this many unknown words are a name.
constexpr int name_words = 2;

// Words that are a request on their own, whatever their form.
struct keyword {
  std::string_view word;
  command kind;
};
constexpr std::array keywords{
    keyword{"start", command::subscribe},      keyword{"subscribe", command::subscribe},
    keyword{"join", command::subscribe},       keyword{"stop", command::unsubscribe},
    keyword{"basta", command::unsubscribe},    keyword{"unsubscribe", command::unsubscribe},
    keyword{"cancel", command::unsubscribe},   keyword{"info", command::info},
    keyword{"informazioni", command::info},    keyword{"informazione", command::info},
    keyword{"aiuto", command::info},           keyword{"help", command::info},
    keyword{"funziona", command::info},        keyword{"funzionamento", command::info},
};

// Negations; "no" only counts before the words it negates ("no messaggi").
constexpr std::string_view negations[]{"non", "no", "niente", "nessun", "nessuno", "nessuna",
                                       "mai", "neanche", "nemmeno", "neppure", "senza", "dont",
                                       "don", "not", "nulla"};
// "Più" after a negation: no longer.
constexpr std::string_view no_longer[]{"piu", "anymore", "more", "ancora", "oltre"};
// Wanting: "non voglio ricevere" refuses, "non ricevo" complains.
constexpr std::string_view volition[]{
    "voglio", "vorrei", "volevo", "vogliamo", "vorremmo", "desidero", "desideriamo",
    "desidererei", "gradirei", "gradiremmo", "intendo", "preferisco", "preferirei", "chiedo",
    "chiediamo", "richiedo", "want", "wish", "would", "like", "need"};
// Names follow these.
constexpr std::string_view name_introducers[]{"sono", "chiamo", "io", "am", "im", "name"};

// The service's own nouns: "niente più messaggi", "basta avvisi".
constexpr std::string_view service_nouns[]{
    "avvisi", "avviso", "notifiche", "notifica", "messaggi", "messaggio", "allerta", "allerte",
    "comunicazioni", "comunicazione", "aggiornamenti", "aggiornamento", "news", "newsletter",
    "sms", "whatsapp", "servizio", "lista", "elenco", "messages", "alerts", "notifications"};

// Everything else people wrap a request in: greetings, courtesy, function
// words, the town, questions about how. Matched by Snowball stem too, so
// every inflection counts ("gentili", "gentilissimi" by their own entry).
constexpr std::string_view filler_words[]{
    // greetings and courtesy
    "ciao", "salve", "buongiorno", "buonasera", "buondi", "buonpomeriggio", "buon", "buona",
    "giorno", "sera", "pomeriggio", "giornata", "serata", "arrivederci", "saluti", "saluto",
    "cordiali", "distinti", "grazie", "mille", "tante", "infinite", "prego", "favore", "piacere",
    "cortesia", "cortesemente", "gentilmente", "gentile", "gentili", "gentilissimi",
    "gentilissima", "gentilissimo", "egregio", "egregi", "spettabile", "spett", "signori",
    "signora", "signor", "signore", "sig", "dott", "ufficio", "sindaco", "ok", "okay", "oki",
    "va", "bene", "perfetto", "si", "pure", "hey", "ehi", "ehila", "hola", "hi", "hello",
    "please", "pls", "plz", "thanks", "thank", "thx", "you", "dear", "sir", "madam",
    "subito", "adesso", "ora", "oggi", "immediatamente", "definitivamente", "gia",
    "anche", "invece", "allora", "quindi", "pero", "ma", "comunque", "magari", "davvero",
    "tutto", "tutti", "tutte", "ogni", "altro", "altri", "piu", "meno",
    // asking and wanting
    "voglio", "vorrei", "volevo", "vogliamo", "vorremmo", "desidero", "desideriamo",
    "desidererei", "gradirei", "chiedo", "chiediamo", "richiedo", "richiesta", "chiedere",
    "richiedere", "potete", "potreste", "puoi", "potresti", "posso", "possiamo", "possibile",
    "potrei", "per", "come", "faccio", "fare", "fate", "fatemi", "fammi", "devo", "bisogna",
    "serve", "essere", "venire", "stato", "stata", "cosa", "che", "quando", "dove", "perche",
    "vedere", "sapere", "intendo", "preferisco", "preferirei", "mi", "me", "ti",
    "te", "ci", "ce", "vi", "ve", "si", "se", "lo", "la", "li", "le", "ne", "gli", "io", "noi",
    "voi", "lei", "loro", "sono", "siamo", "e", "ed", "o", "od", "oppure", "sia", "ho", "abbiamo",
    "avere", "hai", "avete", "c", "chiamo", "want", "would", "like", "need", "wish", "can", "could",
    "i", "we", "me", "my", "to", "from", "of", "for", "the", "a", "an", "and", "in", "on", "with",
    "this", "these", "up", "am", "im", "is", "it", "get", "receive", "send", "alerts",
    // function words
    "il", "lo", "l", "un", "uno", "una", "un", "di", "d", "a", "ad", "da", "in", "con", "su",
    "tra", "fra", "del", "dello", "della", "dei", "degli", "delle", "al", "allo", "alla", "ai",
    "agli", "alle", "dal", "dallo", "dalla", "dai", "dagli", "dalle", "nel", "nello", "nella",
    "nei", "negli", "nelle", "sul", "sullo", "sulla", "sui", "sugli", "sulle", "col", "coi",
    "mio", "mia", "miei", "mie", "nostro", "nostra", "nostri", "vostro", "vostra", "vostri",
    "vostre", "suo", "sua", "questo", "questa", "questi", "queste", "quello", "quella", "qui",
    "qua", "li", "la", "cui", "quale", "quali",
    // what the request is about
    "numero", "cellulare", "telefono", "contatto", "chat", "gruppo", "canale", "comune",
    "citta", "paese", "municipio", "cittadini", "cittadino", "protezione", "civile", "meteo",
    "emergenza", "emergenze", "pubblica", "pubblico", "utilita", "dati", "consenso",
    "privacy", "informativa", "trattamento", "personali",
};

// ---- Folding ----------------------------------------------------------------

struct fold_range {
  char32_t first, last;
  std::string_view folded;
};

// Upper-case Latin-1 Supplement letters (lower case is these + 0x20).
constexpr std::array latin1_letters{
    fold_range{0xC0, 0xC5, "a"}, fold_range{0xC6, 0xC6, "ae"}, fold_range{0xC7, 0xC7, "c"},
    fold_range{0xC8, 0xCB, "e"}, fold_range{0xCC, 0xCF, "i"},  fold_range{0xD0, 0xD0, "d"},
    fold_range{0xD1, 0xD1, "n"}, fold_range{0xD2, 0xD6, "o"},  fold_range{0xD8, 0xD8, "o"},
    fold_range{0xD9, 0xDC, "u"}, fold_range{0xDD, 0xDD, "y"},  fold_range{0xDE, 0xDE, "th"},
    fold_range{0xDF, 0xDF, "ss"},
};

// Latin Extended-A, upper and lower case alike; plus the Romanian comma
// letters of Latin Extended-B, which Italian keyboards produce too.
constexpr std::array latin_extended_letters{
    fold_range{0x100, 0x105, "a"},  fold_range{0x106, 0x10D, "c"},  fold_range{0x10E, 0x111, "d"},
    fold_range{0x112, 0x11B, "e"},  fold_range{0x11C, 0x123, "g"},  fold_range{0x124, 0x127, "h"},
    fold_range{0x128, 0x131, "i"},  fold_range{0x132, 0x133, "ij"}, fold_range{0x134, 0x135, "j"},
    fold_range{0x136, 0x138, "k"},  fold_range{0x139, 0x142, "l"},  fold_range{0x143, 0x14B, "n"},
    fold_range{0x14C, 0x151, "o"},  fold_range{0x152, 0x153, "oe"}, fold_range{0x154, 0x159, "r"},
    fold_range{0x15A, 0x161, "s"},  fold_range{0x162, 0x167, "t"},  fold_range{0x168, 0x173, "u"},
    fold_range{0x174, 0x175, "w"},  fold_range{0x176, 0x178, "y"},  fold_range{0x179, 0x17E, "z"},
    fold_range{0x17F, 0x17F, "s"},  fold_range{0x218, 0x219, "s"},  fold_range{0x21A, 0x21B, "t"},
};

template <std::size_t N>
std::string_view find_fold(const std::array<fold_range, N>& table, char32_t cp) {
  for (const auto& r : table)
    if (cp >= r.first && cp <= r.last) return r.folded;
  return {};
}

bool in(char32_t cp, char32_t first, char32_t last) { return cp >= first && cp <= last; }

// Invisible code points that join rather than separate: combining accents
// (a decomposed "è" is "e" + U+0300), zero-width characters, variation
// selectors and emoji tags.
bool is_invisible(char32_t cp) {
  return cp == 0xAD || in(cp, 0x300, 0x36F) || in(cp, 0x1AB0, 0x1AFF) || in(cp, 0x1DC0, 0x1DFF) ||
         in(cp, 0x200B, 0x200D) || in(cp, 0x2060, 0x2064) || in(cp, 0x20D0, 0x20FF) ||
         in(cp, 0xFE00, 0xFE0F) || in(cp, 0xFE20, 0xFE2F) || cp == 0xFEFF ||
         in(cp, 0xE0000, 0xE007F) || in(cp, 0xE0100, 0xE01EF);
}

// Punctuation, symbols, emoji, controls, private use: word separators.
bool is_separator(char32_t cp) {
  return cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || in(cp, 0x2000, 0x2BFF) ||
         in(cp, 0x2E00, 0x2E7F) || in(cp, 0x3000, 0x303F) || in(cp, 0xE000, 0xF8FF) ||
         in(cp, 0xFE10, 0xFE1F) || in(cp, 0xFE30, 0xFE6F) || in(cp, 0xFF5F, 0xFF64) ||
         in(cp, 0xFFF0, 0xFFFF) || in(cp, 0x1F000, 0x1FBFF) || cp >= 0xF0000;
}

// Decimal digits of other scripts fold to ASCII, so that a number typed in
// Arabic-Indic or "fancy" digits is masked like any other.
int digit_value(char32_t cp) {
  if (in(cp, '0', '9')) return int(cp - '0');
  if (in(cp, 0x660, 0x669)) return int(cp - 0x660);
  if (in(cp, 0x6F0, 0x6F9)) return int(cp - 0x6F0);
  if (in(cp, 0x966, 0x96F)) return int(cp - 0x966);
  if (in(cp, 0x1D7CE, 0x1D7FF)) return int((cp - 0x1D7CE) % 10);
  return -1;
}

// Appends the folded form of cp to a word. Returns false when cp separates
// words, true otherwise (also when it folds to nothing).
bool fold_into(char32_t cp, std::string& out) {
  if (in(cp, 0xFF01, 0xFF5E)) cp -= 0xFEE0;  // full-width ASCII
  if (int d = digit_value(cp); d >= 0) {
    out.push_back(static_cast<char>('0' + d));
    return true;
  }
  if (in(cp, 'A', 'Z')) {
    out.push_back(static_cast<char>(cp - 'A' + 'a'));
    return true;
  }
  if (in(cp, 'a', 'z')) {
    out.push_back(static_cast<char>(cp));
    return true;
  }
  if (is_invisible(cp)) return true;
  if (cp == 0xFF) {
    out.push_back('y');
    return true;
  }
  if (in(cp, 0xC0, 0xFE) && cp != 0xD7 && cp != 0xF7) {
    char32_t upper = cp >= 0xE0 ? cp - 0x20 : cp;
    out.append(find_fold(latin1_letters, upper));
    return true;
  }
  if (auto f = find_fold(latin_extended_letters, cp); !f.empty()) {
    out.append(f);
    return true;
  }
  if (is_separator(cp)) return false;
  // Other scripts stay as they are, lower-cased where it is a fixed offset.
  if (in(cp, 0x391, 0x3A9)) cp += 0x20;       // Greek
  else if (in(cp, 0x410, 0x42F)) cp += 0x20;  // Cyrillic
  else if (in(cp, 0x400, 0x40F)) cp += 0x50;
  utf8::append(out, cp);
  return true;
}

}  // namespace

folded_text fold(std::string_view text) {
  folded_text result;
  std::string word;
  auto end_word = [&] {
    if (!word.empty()) result.words.push_back(std::move(word));
    word.clear();
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp = 0;
    if (!utf8::next_code_point(text, pos, cp)) continue;
    if (cp == '?' || cp == 0xFF1F || cp == 0xBF) result.question_mark = true;
    if (!fold_into(cp, word)) end_word();
  }
  end_word();
  return result;
}

namespace {

// ---- Recording --------------------------------------------------------------

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Replaces each run of digits, possibly split by single spaces, by "#":
// a house number may be a piece of a phone number typed in groups, and no
// digit is worth keeping to learn what people write.
std::string mask_digit_runs(const std::string& text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    std::size_t end = i, last_digit = i;
    while (end < text.size()) {
      if (is_digit(text[end])) {
        last_digit = end++;
      } else if (text[end] == ' ' && end + 1 < text.size() && is_digit(text[end + 1])) {
        ++end;
      } else {
        break;
      }
    }
    out.push_back('#');
    i = last_digit + 1;
  }
  return out;
}

std::string truncate_utf8(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string recordable(const std::vector<std::string>& words) {
  std::string joined;
  for (const auto& w : words) {
    if (!joined.empty()) joined.push_back(' ');
    joined.append(w);
  }
  return truncate_utf8(mask_digit_runs(joined), max_normalised_bytes);
}

template <std::size_t N>
bool among(const std::string_view (&list)[N], std::string_view word) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

const keyword* find_keyword(std::string_view word) {
  auto it = std::find_if(keywords.begin(), keywords.end(), [&](const keyword& k) { return k.word == word; });
  return it == keywords.end() ? nullptr : &*it;
}

// Filler by its Snowball stem, so "avviso" and "avvisi", "cordiale" and
// "cordiali" are one entry each.
bool is_filler_by_stem(std::string_view word) {
  static const std::vector<std::string> stems = [] {
    std::vector<std::string> out;
    for (auto w : filler_words)
      if (w.size() >= 4) out.push_back(italian::stem(w));
    for (auto w : service_nouns) out.push_back(italian::stem(w));
    std::sort(out.begin(), out.end());
    return out;
  }();
  if (word.size() < 4) return false;
  return std::binary_search(stems.begin(), stems.end(), italian::stem(word));
}

bool has_digit(std::string_view word) {
  return std::any_of(word.begin(), word.end(), [](char c) { return is_digit(c); });
}

// Imperatives and infinitives ask someone to do something: "non mandatemi",
// "non mandarmi" refuse; "non mi mandano" reports.
bool addresses_someone(std::string_view ending) {
  for (std::string_view e : {"", "ate", "ete", "ite", "are", "ere", "ire", "ar", "er", "ir", "iscite"})
    if (ending == e) return true;
  return false;
}

// What the words of one text add up to.
struct reading {
  const char* join = nullptr;   // the first word that clearly asks to join
  const char* leave = nullptr;  // ... to leave
  bool join_by_typo = false, leave_by_typo = false;
  // Joins that yield to a leave: its object ("annullare l'iscrizione",
  // "smettete di mandarmi messaggi").
  bool join_only_as_object = true;
  // Leaves read only from a refusal ("non mandate più avvisi"): with a
  // question mark that may be a question, not a request.
  bool leave_only_by_refusal = true;
  bool info = false;
  bool probable = false;  // something that may be a request: a state, a refusal
  bool number = false;
  std::size_t unknown = 0;
};

reading read_words(const std::vector<std::string>& words, const std::vector<std::string>& town) {
  reading r;
  bool wants = false, more = false, negated_seen = false, being = false;
  for (const auto& w : words) {
    wants = wants || among(volition, w);
    being = being || w == "essere" || w == "venire";
    negated_seen = negated_seen || among(negations, w);
    if (negated_seen && among(no_longer, w)) more = true;
  }
  auto ask_join = [&](const std::string& w, bool typo, bool as_object = false) {
    if (!r.join) r.join = w.c_str(), r.join_by_typo = typo;
    else r.join_by_typo = r.join_by_typo && typo;
    r.join_only_as_object = r.join_only_as_object && as_object;
  };
  auto ask_leave = [&](const std::string& w, bool typo, bool by_refusal = false) {
    if (!r.leave) r.leave = w.c_str(), r.leave_by_typo = typo;
    else r.leave_by_typo = r.leave_by_typo && typo;
    r.leave_only_by_refusal = r.leave_only_by_refusal && by_refusal;
  };

  int negation_left = 0, names_left = 0;
  bool strong_negation = false;  // niente, nessun, no: negate a noun alone
  bool no_before_verb = false;
  for (const auto& w : words) {
    const bool negated = negation_left > 0;
    if (negation_left > 0) --negation_left;
    if (has_digit(w)) {
      r.number = true;
      ++r.unknown;
      continue;
    }
    if (among(negations, w)) {
      negation_left = negation_reach;
      strong_negation = w != "non";
      no_before_verb = w == "no";
      continue;
    }
    if (const auto* k = find_keyword(w)) {
      if (k->kind == command::info) r.info = true;
      if (k->kind == command::subscribe) ask_join(w, false);
      if (k->kind == command::unsubscribe) ask_leave(w, false);
      continue;
    }
    const bool town_word = std::any_of(town.begin(), town.end(), [&w](const std::string& t) {
      return t == w || italian::same_saint_title(t, w);
    });
    if (among(service_nouns, w) || among(filler_words, w) || town_word) {
      if (negated && among(service_nouns, w) && (strong_negation || wants)) {
        ask_leave(w, false, true);  // "niente più messaggi", "non voglio messaggi"
        negation_left = 0;
      }
      if (among(name_introducers, w)) names_left = name_words;
      continue;
    }
    auto verb = italian::match_verb(w);
    if (!verb && is_filler_by_stem(w)) continue;
    if (!verb) {
      if (names_left > 0) {
        --names_left;  // "sono Maria Rossi"
        continue;
      }
      ++r.unknown;
      continue;
    }
    names_left = 0;
    negation_left = 0;
    // "No" negates nouns ("no messaggi"); before a verb it answers
    // something ("Attiva. No, disattiva"): Italian negates verbs with "non".
    const bool verb_negated = negated && !no_before_verb;
    using italian::form;
    using italian::intent;
    // "vorrei essere iscritta", "chiedo di essere cancellato": a state wanted.
    const bool asks = verb->how == form::request || (verb->how == form::participle && wants && being);
    switch (verb->what) {
      case intent::join:
        if (!verb_negated && asks) ask_join(w, verb->typo, verb->noun);
        else if (verb_negated && more && wants) ask_leave(w, verb->typo, true);  // "non voglio più essere iscritto"
        else r.probable = true;
        break;
      case intent::leave:
        if (!verb_negated && asks) ask_leave(w, verb->typo);
        else r.probable = true;
        break;
      case intent::receive:
        if (verb_negated && (wants || addresses_someone(verb->ending))) {
          ask_leave(w, verb->typo, true);
        } else if (!verb_negated && verb->how == form::request &&
                   (wants || !verb->pronoun.empty() || (verb->ending.size() == 3 && verb->ending.ends_with("re")))) {
          // "vorrei ricevere", "mandatemi", "ricevere avvisi"; not "quando inviate?"
          ask_join(w, verb->typo, true);
        } else if (verb_negated) {
          r.probable = true;  // "non ricevo più gli avvisi"
        }
        break;
      case intent::contact:
        if (verb_negated && (wants || addresses_someone(verb->ending))) ask_leave(w, verb->typo, true);
        break;
      case intent::interest:
        if (verb_negated) ask_leave(w, verb->typo, true);
        else r.probable = true;
        break;
    }
  }
  return r;
}

std::vector<std::string> town_words(std::string_view town) {
  auto words = fold(town).words;
  // "S." of "S. Agata" stays: it is the saint's title cut short.
  std::erase_if(words, [](const std::string& w) { return w.size() < 2 && w != "s"; });
  return words;
}

}  // namespace

std::string_view to_string(command c) {
  switch (c) {
    case command::subscribe: return "subscribe";
    case command::unsubscribe: return "unsubscribe";
    case command::info: return "info";
    case command::unclear: return "unclear";
    case command::none: return "none";
  }
  return "unknown";
}

command_match classify_command(std::string_view utf8_text, std::string_view town) {
  auto folded = fold(utf8_text);
  command_match match;

  if (folded.words.empty()) {
    if (folded.question_mark) {
      match.kind = command::info;
      match.normalised = "?";
      match.keyword = "?";
    }
    return match;
  }
  match.normalised = recordable(folded.words);

  auto r = read_words(folded.words, town_words(town));
  const std::size_t n = folded.words.size();
  if (r.join && r.leave && r.join_only_as_object) r.join = nullptr;
  if (r.join && r.leave) {
    match.conflicting = true;
    match.kind = command::unclear;
    return match;
  }
  if (r.join || r.leave) {
    const bool typo = r.join ? r.join_by_typo : r.leave_by_typo;
    // Unknown words are names, places, dialect: a few among many are fine.
    const bool surrounded = r.unknown > 0 && (typo || r.unknown * 4 > n);
    const bool asked_back = !r.join && r.leave_only_by_refusal && folded.question_mark;
    if (r.number || r.info || n > max_request_words || surrounded || asked_back) {
      match.kind = command::unclear;
      return match;
    }
    match.kind = r.join ? command::subscribe : command::unsubscribe;
    match.keyword = r.join ? r.join : r.leave;
    return match;
  }
  if (r.info) {
    match.kind = command::info;
    match.keyword = "info";
    return match;
  }
  if (r.probable) match.kind = command::unclear;
  return match;
}

}  // namespace banditore::domain

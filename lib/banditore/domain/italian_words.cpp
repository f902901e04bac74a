#include <banditore/domain/italian_words.hpp>

#include <libstemmer.h>

#include <algorithm>
#include <array>
#include <memory>

namespace banditore::domain::italian {

namespace {

// How a root takes endings: a verb of any conjugation, or a participle or
// noun that only agrees in gender and number (iscritt-o/a/i/e).
enum class inflection { verb, agreeing };

struct root_entry {
  std::string_view root;
  intent what;
  inflection takes = inflection::verb;
  form agreeing_form = form::participle;  // the form of an agreeing root
};

// Roots without their thematic vowel, so one root serves every
// conjugation: attiv-a, attiv-are, attiv-atemi. Irregular participles and
// nouns are roots of their own.
constexpr std::array roots{
    // Joining.
    root_entry{"attiv", intent::join},
    root_entry{"riattiv", intent::join},
    root_entry{"iscriv", intent::join},
    root_entry{"reiscriv", intent::join},
    root_entry{"riscriv", intent::join},
    root_entry{"iscritt", intent::join, inflection::agreeing},
    root_entry{"iscrizion", intent::join, inflection::agreeing, form::request},
    root_entry{"abbon", intent::join},
    root_entry{"registr", intent::join},
    root_entry{"aggiung", intent::join},
    root_entry{"aggiunt", intent::join, inflection::agreeing},
    root_entry{"inser", intent::join},
    root_entry{"acconsent", intent::join},
    root_entry{"ader", intent::join},
    // Leaving.
    root_entry{"disattiv", intent::leave},
    root_entry{"disiscriv", intent::leave},
    root_entry{"disiscritt", intent::leave, inflection::agreeing},
    root_entry{"disiscrizion", intent::leave, inflection::agreeing, form::request},
    root_entry{"disabbon", intent::leave},
    root_entry{"deregistr", intent::leave},
    root_entry{"cancell", intent::leave},
    root_entry{"elimin", intent::leave},
    root_entry{"rimuov", intent::leave},
    root_entry{"rimoss", intent::leave, inflection::agreeing},
    root_entry{"rimozion", intent::leave, inflection::agreeing, form::request},
    root_entry{"togli", intent::leave},
    root_entry{"tolg", intent::leave},
    root_entry{"tolt", intent::leave, inflection::agreeing},
    root_entry{"lev", intent::leave},
    root_entry{"annull", intent::leave},
    root_entry{"esc", intent::leave},
    root_entry{"usc", intent::leave},
    root_entry{"esclud", intent::leave},
    root_entry{"smett", intent::leave},
    root_entry{"interromp", intent::leave},
    root_entry{"sospend", intent::leave},
    root_entry{"disabilit", intent::leave},
    root_entry{"revoc", intent::leave},
    root_entry{"disdic", intent::leave},
    root_entry{"disdett", intent::leave, inflection::agreeing, form::request},
    root_entry{"ritir", intent::leave},
    // Receiving: what the request is about.
    root_entry{"ricev", intent::receive},
    root_entry{"mand", intent::receive},
    root_entry{"invi", intent::receive},
    root_entry{"sped", intent::receive},
    root_entry{"scriv", intent::contact},
    root_entry{"disturb", intent::contact},
    root_entry{"contatt", intent::contact},
    root_entry{"interess", intent::interest},
};

struct ending {
  std::string_view text;
  form how;
};

// Endings of the three conjugations (and -isc- verbs) that people use when
// they ask: imperative, infinitive (also cut before a pronoun: attivar-mi),
// first person, conditional, future, the noun of the action; participles;
// and the third person and gerund, which talk rather than ask.
constexpr std::array verb_endings{
    ending{"", form::request},       ending{"a", form::request},      ending{"i", form::request},
    ending{"ate", form::request},    ending{"ete", form::request},    ending{"ite", form::request},
    ending{"are", form::request},    ending{"ere", form::request},    ending{"ire", form::request},
    ending{"ar", form::request},     ending{"er", form::request},     ending{"ir", form::request},
    ending{"o", form::request},      ending{"iamo", form::request},   ending{"iate", form::request},
    ending{"isci", form::request},   ending{"isca", form::request},   ending{"isco", form::request},
    ending{"iscite", form::request}, ending{"erei", form::request},   ending{"irei", form::request},
    ending{"arei", form::request},   ending{"ero", form::request},    ending{"iro", form::request},
    ending{"eremo", form::request},  ending{"azione", form::request}, ending{"azioni", form::request},
    ending{"amento", form::request}, ending{"imento", form::request}, ending{"ata", form::participle},
    ending{"ato", form::participle}, ending{"ati", form::participle}, ending{"ito", form::participle},
    ending{"ita", form::participle}, ending{"iti", form::participle}, ending{"uto", form::participle},
    ending{"uta", form::participle}, ending{"uti", form::participle}, ending{"e", form::other},
    ending{"ano", form::other},      ending{"ono", form::other},      ending{"iscono", form::other},
    ending{"ando", form::other},     ending{"endo", form::other},     ending{"ava", form::other},
    ending{"eva", form::other},      ending{"avano", form::other},    ending{"evano", form::other},
};

constexpr std::array agreeing_endings{std::string_view{"o"}, std::string_view{"a"},
                                      std::string_view{"i"}, std::string_view{"e"}};

// Pronouns Italian attaches to an imperative, infinitive or gerund, longest
// first; two of them fuse ("me" + "lo" = "melo").
constexpr std::array clitics{
    std::string_view{"gliela"}, std::string_view{"glielo"}, std::string_view{"glieli"},
    std::string_view{"gliele"}, std::string_view{"gliene"}, std::string_view{"mela"},
    std::string_view{"melo"},   std::string_view{"meli"},   std::string_view{"mele"},
    std::string_view{"mene"},   std::string_view{"cela"},   std::string_view{"celo"},
    std::string_view{"cene"},   std::string_view{"tela"},   std::string_view{"telo"},
    std::string_view{"vela"},   std::string_view{"velo"},   std::string_view{"gli"},
    std::string_view{"mi"},     std::string_view{"ti"},     std::string_view{"ci"},
    std::string_view{"vi"},     std::string_view{"si"},     std::string_view{"lo"},
    std::string_view{"la"},     std::string_view{"li"},     std::string_view{"le"},
    std::string_view{"ne"},
};

constexpr std::size_t min_typo_root = 5;
constexpr std::size_t min_typo_word = 5;
constexpr std::size_t min_stripped = 3;

std::optional<ending> ending_of(const root_entry& r, std::string_view rest) {
  if (r.takes == inflection::agreeing) {
    auto it = std::find(agreeing_endings.begin(), agreeing_endings.end(), rest);
    if (it != agreeing_endings.end()) return ending{*it, r.agreeing_form};
    return std::nullopt;
  }
  for (const auto& e : verb_endings)
    if (e.text == rest) return e;
  return std::nullopt;
}

bool is_noun(const root_entry& r, std::string_view ending) {
  if (r.takes == inflection::agreeing) return r.agreeing_form == form::request;
  return ending == "azione" || ending == "azioni" || ending == "amento" || ending == "imento";
}

verb_match make_match(const root_entry& r, const ending& e, bool typo) {
  return verb_match{r.what, e.how, typo, r.root, e.text, {}, is_noun(r, e.text)};
}

// A request beats a participle, which beats a form that talks.
int rank(form f) { return f == form::request ? 2 : f == form::participle ? 1 : 0; }

void keep_better(std::optional<verb_match>& best, const verb_match& m) {
  if (!best || rank(m.how) > rank(best->how) ||
      (rank(m.how) == rank(best->how) && m.root.size() > best->root.size()))
    best = m;
}

std::optional<verb_match> exact(std::string_view word) {
  std::optional<verb_match> best;
  for (const auto& r : roots) {
    if (!word.starts_with(r.root)) continue;
    // The longest root wins: "disattiv" over a shorter one it may contain.
    if (auto e = ending_of(r, word.substr(r.root.size()))) keep_better(best, make_match(r, *e, false));
  }
  return best;
}

std::optional<verb_match> near(std::string_view word) {
  if (word.size() < min_typo_word) return std::nullopt;
  std::optional<verb_match> found;
  for (const auto& r : roots) {
    if (r.root.size() < min_typo_root) continue;
    for (std::size_t cut = r.root.size() - 1; cut <= r.root.size() + 1 && cut <= word.size(); ++cut) {
      auto e = ending_of(r, word.substr(cut));
      if (!e || !within_one_edit(word.substr(0, cut), r.root)) continue;
      // Near two roots of different intents: no guess.
      if (found && found->what != r.what) return std::nullopt;
      found = make_match(r, *e, true);
    }
  }
  return found;
}

// The best reading of the word and of what is left of it without each
// attached pronoun ("smettetela": smett-ete + la, not smett-e + tela).
template <class Try>
std::optional<verb_match> each_stripped(std::string_view word, Try attempt) {
  std::optional<verb_match> best;
  if (auto m = attempt(word)) keep_better(best, *m);
  for (auto c : clitics) {
    if (word.size() < c.size() + min_stripped || !word.ends_with(c)) continue;
    if (auto m = attempt(word.substr(0, word.size() - c.size()))) {
      m->pronoun = c;
      keep_better(best, *m);
    }
  }
  return best;
}

// One letter too many ("iscrivimmi") or two swapped ("disattiav") anywhere
// in the word, pronouns included.
std::optional<verb_match> edited(std::string_view word) {
  std::optional<verb_match> found;
  auto consider = [&](const std::string& variant) {
    auto m = each_stripped(variant, exact);
    if (!m) return true;
    if (found && found->what != m->what) return false;
    m->typo = true;
    found = m;
    return true;
  };
  std::string variant;
  for (std::size_t i = 0; i < word.size(); ++i) {
    variant.assign(word.substr(0, i)).append(word.substr(i + 1));
    if (!consider(variant)) return std::nullopt;
    if (i + 1 < word.size() && word[i] != word[i + 1]) {
      variant.assign(word);
      std::swap(variant[i], variant[i + 1]);
      if (!consider(variant)) return std::nullopt;
    }
  }
  return found;
}

struct stemmer_deleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

}  // namespace

bool within_one_edit(std::string_view a, std::string_view b) {
  if (a == b) return true;
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (a.size() == b.size()) {
    // One substitution, or two neighbours swapped.
    if (a.substr(i + 1) == b.substr(i + 1)) return true;
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);
  }
  return a.substr(i) == b.substr(i + 1);  // one insertion
}

bool same_saint_title(std::string_view a, std::string_view b) {
  // Sant' folds to "sant"; "santi" is the plural of San and Santo.
  static constexpr std::string_view one_saint[]{"san", "santa", "santo", "sant"};
  static constexpr std::string_view most_holy[]{"santissimo", "santissima", "santi", "santissimi", "santissime"};
  auto among = [](const auto& list, std::string_view w) {
    return std::find(std::begin(list), std::end(list), w) != std::end(list);
  };
  if (a == b) return a == "s" || a == "ss" || among(one_saint, a) || among(most_holy, a);
  if (a.size() > b.size()) std::swap(a, b);
  if (a == "s") return among(one_saint, b);
  if (a == "ss") return among(most_holy, b);
  return false;
}

void join_saint_titles(std::vector<std::string>& words) {
  std::vector<std::string> out;
  out.reserve(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "s" && i + 1 < words.size() && words[i + 1] == "s") {
      out.emplace_back("ss");
      ++i;
    } else if (words[i] == "ss" && i + 1 < words.size() && (words[i + 1] == "ma" || words[i + 1] == "mo")) {
      out.emplace_back("ss");
      ++i;
    } else {
      out.push_back(std::move(words[i]));
    }
  }
  words = std::move(out);
}

std::optional<verb_match> match_verb(std::string_view word) {
  if (auto m = each_stripped(word, exact)) return m;
  if (word.size() < min_typo_word) return std::nullopt;
  auto by_edit = edited(word);
  auto by_root = each_stripped(word, near);
  if (by_edit && by_root && by_edit->what != by_root->what) return std::nullopt;
  return by_edit ? by_edit : by_root;
}

std::string stem(std::string_view word) {
  // A stemmer is not safe to share between threads: one per thread.
  thread_local std::unique_ptr<sb_stemmer, stemmer_deleter> stemmer(sb_stemmer_new("italian", "UTF_8"));
  if (!stemmer || word.empty()) return std::string(word);
  const auto* out = sb_stemmer_stem(stemmer.get(), reinterpret_cast<const sb_symbol*>(word.data()),
                                    static_cast<int>(word.size()));
  if (!out) return std::string(word);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(sb_stemmer_length(stemmer.get())));
}

}  // namespace banditore::domain::italian

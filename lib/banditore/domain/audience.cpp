#include <banditore/domain/audience.hpp>

#include <banditore/domain/italian_words.hpp>

#include <algorithm>
#include <memory>
#include <iterator>
#include <optional>

namespace banditore::domain {

namespace {

// Short words inside place names and topic names that people leave out or
// change: "Santa Maria (in) Fabriago", "strade (e) viabilità".
constexpr std::string_view connecting[]{"in", "di", "del", "della", "dello", "dei", "degli", "delle",
                                        "da", "dal", "dalla", "a", "al", "alla", "ai", "alle",
                                        "la", "le", "lo", "il", "i", "gli", "l", "d", "e", "ed",
                                        "sul", "sulla", "sulle", "sui", "per"};

bool is_connecting(std::string_view word) {
  return std::find(std::begin(connecting), std::end(connecting), word) != std::end(connecting);
}

// Words that are requests themselves are never part of a name ("attiva"
// and "attività" share a stem).
bool is_request_word(std::string_view word) { return italian::match_verb(word).has_value(); }

enum class kind { town, area, topic, floor, all, status };

struct phrase {
  std::vector<std::string> words;  // folded, without connecting words
  std::vector<std::string> stems;
  kind what;
  std::string id;  // for towns, areas, topics
};

std::optional<phrase> make_phrase(std::string_view text, kind what, const std::string& id = {}) {
  auto words = fold(text).words;
  italian::join_saint_titles(words);
  std::vector<std::string> kept;
  std::copy_if(words.begin(), words.end(), std::back_inserter(kept), [](const std::string& w) { return !is_connecting(w); });
  if (kept.empty()) kept = words;  // a name made only of little words is kept whole
  if (kept.empty()) return std::nullopt;
  phrase p{kept, {}, what, id};
  for (const auto& w : kept) p.stems.push_back(italian::stem(w));
  return p;
}

// "Comune di Lugo" is named "Lugo".
std::string town_short_name(const std::string& name) {
  auto words = fold(name).words;
  if (!words.empty() && words.front() == "comune") words.erase(words.begin());
  while (!words.empty() && is_connecting(words.front())) words.erase(words.begin());
  std::string out;
  for (const auto& w : words) out.append(out.empty() ? "" : " ").append(w);
  return out;
}

// Phrases that are not names: the severity floor, everything, the status.
constexpr std::string_view floor_phrases[]{"solo emergenze", "soltanto emergenze", "solamente emergenze",
                                           "solo urgenze", "solo allerte", "solo allarmi",
                                           "solo avvisi gravi", "solo gravi", "solo avvisi urgenti",
                                           "solo protezione civile"};
constexpr std::string_view all_phrases[]{"tutto", "tutti avvisi", "tutti argomenti", "tutti temi",
                                         "tutte notizie", "tutte categorie"};
constexpr std::string_view status_phrases[]{"stato", "mie iscrizioni", "iscrizioni", "cosa ricevo",
                                            "che cosa ricevo", "cosa sto ricevendo", "quali avvisi ricevo"};

}  // namespace

struct audience_reader::phrases {
  std::vector<phrase> list;
};

namespace {

std::vector<phrase> phrases_of(const audience_catalogue& c) {
  std::vector<phrase> out;
  auto add = [&out](std::string_view text, kind what, const std::string& id = {}) {
    if (auto p = make_phrase(text, what, id)) out.push_back(std::move(*p));
  };
  for (const auto& t : c.towns) {
    add(town_short_name(t.name), kind::town, t.id);
    for (const auto& k : t.keywords) add(k, kind::town, t.id);
  }
  for (const auto& a : c.areas) {
    add(a.name, kind::area, a.id);
    for (const auto& k : a.keywords) add(k, kind::area, a.id);
  }
  for (const auto& t : c.topics) {
    add(t.name, kind::topic, t.id);
    add(t.id, kind::topic, t.id);
    for (const auto& k : t.keywords) add(k, kind::topic, t.id);
  }
  for (auto p : floor_phrases) add(p, kind::floor);
  for (auto p : all_phrases) add(p, kind::all);
  for (auto p : status_phrases) add(p, kind::status);
  return out;
}

// The text's words, with what matching needs of each computed once.
struct text_words {
  std::vector<std::string> words, stems;
  std::vector<bool> request;  // is_request_word
};

bool same_word(const text_words& t, std::size_t j, const phrase& p, std::size_t k) {
  const auto& word = t.words[j];
  const auto& name_word = p.words[k];
  if (word == name_word) return true;
  // "S. Maria" is "Santa Maria", "SS. Annunziata" "Santissima Annunziata".
  if (italian::same_saint_title(word, name_word)) return true;
  // A word of request is a name's word only as written: "attiva" is not
  // "attività", though Snowball gives both the stem "attiv". Phrases that
  // are no names ("cosa ricevo") take them by stem.
  const bool name = p.what == kind::town || p.what == kind::area || p.what == kind::topic;
  if (name && t.request[j]) return false;
  if (t.stems[j] == p.stems[k]) return true;
  return word.size() >= 6 && name_word.size() >= 6 && italian::within_one_edit(word, name_word);
}

// Where phrase p, matched from word i on, ends; connecting words of the
// text may sit between its words.
std::optional<std::size_t> match_at(const text_words& t, std::size_t i, const phrase& p) {
  const auto& words = t.words;
  std::size_t j = i;
  for (std::size_t k = 0; k < p.words.size(); ++k) {
    if (k > 0)
      while (j < words.size() && is_connecting(words[j]) && !is_connecting(p.words[k])) ++j;
    if (j >= words.size() || !same_word(t, j, p, k))
      return std::nullopt;
    ++j;
  }
  return j;
}

void add_once(std::vector<std::string>& ids, const std::string& id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

}  // namespace

std::vector<topic> default_topics() {
  return {
      {"emergenze", "Emergenze e protezione civile",
       {"emergenza", "protezione civile", "allerta", "allarme", "calamita", "terremoto", "alluvione",
        "incendio", "evacuazione"},
       true},
      {"acqua", "Acqua", {"acquedotto", "idrico", "fornitura idrica", "fognatura"}, true},
      {"strade", "Strade e viabilità",
       {"strada", "viabilita", "traffico", "lavori", "cantieri", "chiusura strade", "parcheggi"},
       true},
      {"meteo", "Meteo", {"tempo", "maltempo", "neve", "temporali", "previsioni", "caldo"}, true},
      {"rifiuti", "Rifiuti", {"raccolta differenziata", "raccolta rifiuti", "spazzatura", "immondizia"}, true},
      {"scuole", "Scuole", {"scuola", "mensa", "scuolabus", "asilo"}, true},
      {"eventi", "Eventi", {"manifestazioni", "cultura", "feste", "sagre", "spettacoli"}, false},
  };
}

std::string_view to_string(audience_action a) {
  switch (a) {
    case audience_action::join: return "join";
    case audience_action::leave: return "leave";
    case audience_action::only_severe: return "only_severe";
    case audience_action::everything: return "everything";
    case audience_action::status: return "status";
    case audience_action::info: return "info";
    case audience_action::unclear: return "unclear";
    case audience_action::none: return "none";
  }
  return "unknown";
}

audience_reader::audience_reader(const audience_catalogue& catalogue)
    : phrases_(std::make_shared<const phrases>(phrases{phrases_of(catalogue)})) {}

audience_request audience_reader::read(std::string_view utf8_text, std::string_view town_name) const {
  auto folded = fold(utf8_text);
  text_words t;
  t.words = std::move(folded.words);
  italian::join_saint_titles(t.words);
  for (const auto& w : t.words) {
    t.stems.push_back(italian::stem(w));
    t.request.push_back(is_request_word(w));
  }
  const auto& words = t.words;

  const auto& phrases = phrases_->list;
  audience_request r;
  bool floor = false, all = false, status = false;
  std::string rest;  // the words no phrase took, for classify_command
  for (std::size_t i = 0; i < words.size();) {
    const phrase* best = nullptr;
    std::size_t best_end = i;
    for (const auto& p : phrases)
      if (auto end = match_at(t, i, p); end && *end > best_end) {
        best = &p;
        best_end = *end;
      }
    if (!best) {
      rest.append(rest.empty() ? "" : " ").append(words[i]);
      ++i;
      continue;
    }
    switch (best->what) {
      case kind::town: add_once(r.towns, best->id); break;
      case kind::area: add_once(r.areas, best->id); break;
      case kind::topic: add_once(r.topics, best->id); break;
      case kind::floor: floor = true; break;
      case kind::all: all = true; break;
      case kind::status: status = true; break;
    }
    i = best_end;
  }
  // A question mark after a name alone ("Lugo?") is no request for
  // information.
  if (folded.question_mark && !rest.empty()) rest.append(" ?");

  r.command = classify_command(rest, town_name);
  // What was recorded is the whole text, names included (they are the
  // town's words, not the citizen's data); digits stay masked.
  r.command.normalised = classify_command(utf8_text, town_name).normalised;
  const bool named = !r.towns.empty() || !r.topics.empty() || !r.areas.empty();
  switch (r.command.kind) {
    case command::subscribe:
      r.action = audience_action::join;
      r.only_severe = floor;
      r.everything = all;
      // "Attiva solo emergenze tutto" asks two things.
      if (floor && all) r.action = audience_action::unclear;
      break;
    case command::unsubscribe:
      r.action = floor || status ? audience_action::unclear : audience_action::leave;
      break;
    case command::info: r.action = status ? audience_action::status : audience_action::info; break;
    case command::unclear:
      r.action = status && !named && !floor && !all && !r.command.conflicting ? audience_action::status
                                                                             : audience_action::unclear;
      break;
    case command::none:
      if (status && !named && !floor && !all) r.action = audience_action::status;
      else if (floor && !all && !named) r.action = audience_action::only_severe;
      else if (all && !floor && !named) r.action = audience_action::everything;
      else if (named || floor || all || status) r.action = audience_action::unclear;
      else r.action = audience_action::none;
      break;
  }
  return r;
}

}  // namespace banditore::domain

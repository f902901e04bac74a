#include <banditore/domain/commands.hpp>

#include <banditore/domain/utf8.hpp>

#include <algorithm>
#include <array>
#include <iterator>
#include <vector>

namespace banditore::domain {

namespace {

constexpr std::size_t max_words = 8;
constexpr std::size_t max_normalised_bytes = 80;
// Shorter digit runs are house numbers, dates, counts; from 5 digits on a
// run may be (part of) a phone number, which must never be recorded.
constexpr std::size_t min_masked_digits = 5;

struct command_word {
  std::string_view word;
  command kind;
};

constexpr std::array command_words{
    command_word{"attiva", command::subscribe},
    command_word{"attivare", command::subscribe},
    command_word{"attivami", command::subscribe},
    command_word{"iscrivi", command::subscribe},
    command_word{"iscrivimi", command::subscribe},
    command_word{"iscrizione", command::subscribe},
    command_word{"abbonami", command::subscribe},
    command_word{"start", command::subscribe},
    command_word{"subscribe", command::subscribe},
    command_word{"join", command::subscribe},
    command_word{"disattiva", command::unsubscribe},
    command_word{"disattivare", command::unsubscribe},
    command_word{"disattivami", command::unsubscribe},
    command_word{"disiscrivi", command::unsubscribe},
    command_word{"disiscrivimi", command::unsubscribe},
    command_word{"cancella", command::unsubscribe},
    command_word{"cancellami", command::unsubscribe},
    command_word{"annulla", command::unsubscribe},
    command_word{"stop", command::unsubscribe},
    command_word{"basta", command::unsubscribe},
    command_word{"unsubscribe", command::unsubscribe},
    command_word{"esci", command::unsubscribe},
    command_word{"info", command::info},
    command_word{"informazioni", command::info},
    command_word{"aiuto", command::info},
    command_word{"help", command::info},
};

// Words people wrap a command in: greetings, courtesy, the object of the
// request. A text made only of these and one kind of command word is clear.
constexpr std::string_view filler_words[]{
    "avvisi", "notifiche", "servizio", "messaggi", "il", "lo", "la", "le", "gli", "i", "mi",
    "me", "per", "favore", "piacere", "grazie", "mille", "ciao", "buongiorno", "buonasera",
    "salve", "ok", "voglio", "vorrei", "desidero", "gentilmente", "cortesemente", "prego",
    "please", "pls", "thanks", "thank", "you", "hi", "hello", "the", "alerts",
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

struct folded_text {
  std::vector<std::string> words;
  bool question_mark = false;
};

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

// ---- Recording --------------------------------------------------------------

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Replaces each run of digits, possibly split by single spaces, that holds
// min_masked_digits or more digits by "#".
std::string mask_digit_runs(const std::string& text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    std::size_t end = i, digits = 0, last_digit = i;
    while (end < text.size()) {
      if (is_digit(text[end])) {
        ++digits;
        last_digit = end++;
      } else if (text[end] == ' ' && end + 1 < text.size() && is_digit(text[end + 1])) {
        ++end;
      } else {
        break;
      }
    }
    if (digits >= min_masked_digits)
      out.push_back('#');
    else
      out.append(text, i, last_digit + 1 - i);
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

const command_word* find_command(std::string_view word) {
  auto it = std::find_if(command_words.begin(), command_words.end(),
                         [&](const command_word& c) { return c.word == word; });
  return it == command_words.end() ? nullptr : &*it;
}

bool is_filler(std::string_view word) {
  return std::find(std::begin(filler_words), std::end(filler_words), word) !=
         std::end(filler_words);
}

}  // namespace

std::string_view to_string(command c) {
  switch (c) {
    case command::subscribe: return "subscribe";
    case command::unsubscribe: return "unsubscribe";
    case command::info: return "info";
    case command::none: return "none";
  }
  return "unknown";
}

command_match classify_command(std::string_view utf8_text) {
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

  const command_word* first = nullptr;
  bool other_word = false;
  for (const auto& w : folded.words) {
    if (const auto* c = find_command(w)) {
      if (!first)
        first = c;
      else if (c->kind != first->kind)
        match.conflicting = true;
    } else if (!is_filler(w)) {
      other_word = true;
    }
  }
  if (first && !match.conflicting && !other_word && folded.words.size() <= max_words) {
    match.kind = first->kind;
    match.keyword = std::string(first->word);
  }
  return match;
}

}  // namespace banditore::domain

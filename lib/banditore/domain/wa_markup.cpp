#include <banditore/domain/wa_markup.hpp>

#include <banditore/domain/utf8.hpp>

#include <array>
#include <cstddef>
#include <vector>

namespace banditore::domain {
namespace {

constexpr std::size_t none = std::string::npos;

// The text made valid: UTF-8 only, "\n" the one line break, no control
// characters but the tab.
std::string sanitised(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  char32_t cp = 0;
  while (pos < text.size()) {
    if (!utf8::next_code_point(text, pos, cp)) {
      utf8::append(out, 0xFFFD);
      continue;
    }
    if (cp == U'\r') {
      if (pos < text.size() && text[pos] == '\n') ++pos;
      out.push_back('\n');
    } else if (cp == U'\n' || cp == U'\t' || (cp >= 0x20 && cp != 0x7F)) {
      utf8::append(out, cp);
    }
  }
  return out;
}

// Letters and digits glue a marker to a word. Beyond ASCII, the Latin,
// Greek and Cyrillic letters count; an emoji or a punctuation mark does not.
bool word_code_point(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  if (cp == 0xD7 || cp == 0xF7) return false;
  return (cp >= 0xC0 && cp <= 0x24F) || (cp >= 0x370 && cp <= 0x52F) || (cp >= 0x1E00 && cp <= 0x1EFF);
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

void escape_into(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
}

enum marker : unsigned { bold = 1, italic = 2, strike = 4, code = 8, mono = 16, all = 31 };

struct inline_marker {
  char c;
  marker m;
  const char* open;
  const char* close;
};

constexpr std::array<inline_marker, 4> markers{{
    {'*', bold, "<strong>", "</strong>"},
    {'_', italic, "<em>", "</em>"},
    {'~', strike, "<del>", "</del>"},
    {'`', code, "<code>", "</code>"},
}};

class renderer {
 public:
  explicit renderer(std::string text) : s_(std::move(text)), n_(s_.size()) {
    line_end_.assign(n_ + 1, n_);
    triple_.assign(n_ + 1, none);
    for (auto& c : closer_) c.assign(n_ + 1, none);
    for (std::size_t p = n_; p-- > 0;) {
      line_end_[p] = s_[p] == '\n' ? p : line_end_[p + 1];
      triple_[p] = s_.compare(p, 3, "```") == 0 ? p : triple_[p + 1];
      for (std::size_t k = 0; k < markers.size(); ++k)
        closer_[k][p] = closes(p, markers[k].c) ? p : closer_[k][p + 1];
    }
  }

  std::string html() {
    std::vector<std::pair<std::size_t, std::size_t>> lines;
    for (std::size_t b = 0;;) {
      const std::size_t e = line_end_[b];
      lines.emplace_back(b, e);
      if (e == n_) break;
      b = e + 1;
    }
    for (std::size_t i = 0; i < lines.size();) {
      const auto kind = line_kind(lines[i]);
      if (kind == plain) {
        // A ``` left open carries the run on over the next lines, whatever
        // they start with, as far as its closing ```.
        std::size_t j = i + 1, triples = count_triples(lines[i].first, lines[i].second);
        while (j < lines.size() && (line_kind(lines[j]) == plain || triples % 2 == 1)) {
          triples += count_triples(lines[j].first, lines[j].second);
          ++j;
        }
        render(lines[i].first, lines[j - 1].second, all);
        i = j;
        continue;
      }
      const char* open = kind == quote ? "<blockquote>" : kind == bullet ? "<ul>" : "<ol>";
      const char* close = kind == quote ? "</blockquote>" : kind == bullet ? "</ul>" : "</ol>";
      out_ += open;
      for (bool first = true; i < lines.size() && line_kind(lines[i]) == kind; ++i, first = false) {
        const auto [b, e] = lines[i];
        const std::size_t body = b + prefix_length(b, e);
        if (kind == quote) {
          if (!first) out_ += "<br>";
          render(body, e, all);
        } else {
          out_ += "<li>";
          render(body, e, all);
          out_ += "</li>";
        }
      }
      out_ += close;
    }
    return std::move(out_);
  }

 private:
  enum kind { plain, quote, bullet, numbered };

  std::size_t prefix_length(std::size_t b, std::size_t e) const {
    const std::string_view line(s_.data() + b, e - b);
    if (line.starts_with("> ") || line.starts_with("* ") || line.starts_with("- ")) return 2;
    std::size_t d = 0;
    while (d < line.size() && d < 9 && line[d] >= '0' && line[d] <= '9') ++d;
    if (d > 0 && line.substr(d).starts_with(". ")) return d + 2;
    return 0;
  }

  kind line_kind(std::pair<std::size_t, std::size_t> line) const {
    const auto [b, e] = line;
    if (prefix_length(b, e) == 0) return plain;
    if (s_[b] == '>') return quote;
    if (s_[b] == '*' || s_[b] == '-') return bullet;
    return numbered;
  }

  std::size_t count_triples(std::size_t b, std::size_t e) const {
    std::size_t count = 0;
    for (std::size_t p = triple_[b]; p != none && p + 3 <= e; p = triple_[p + 3]) ++count;
    return count;
  }

  // The code point before byte p (a marker, so a character boundary).
  char32_t before(std::size_t p) const {
    std::size_t b = p - 1;
    while (b > 0 && (static_cast<unsigned char>(s_[b]) & 0xC0) == 0x80) --b;
    char32_t cp = 0;
    utf8::next_code_point(s_, b, cp);
    return cp;
  }

  char32_t at(std::size_t p) const {
    char32_t cp = 0;
    utf8::next_code_point(s_, p, cp);
    return cp;
  }

  bool closes(std::size_t p, char c) const {
    if (s_[p] != c || p == 0 || space(s_[p - 1])) return false;
    if (p + 1 < n_ && word_code_point(at(p + 1))) return false;
    if (c == '`') return s_[p - 1] != '`' && (p + 1 >= n_ || s_[p + 1] != '`');
    return true;
  }

  bool opens(std::size_t p) const {
    if (p > 0 && word_code_point(before(p))) return false;
    return p + 1 < n_ && !space(s_[p + 1]);
  }

  // Writes s_[b, e) as inline HTML, with the markers in `allowed`.
  void render(std::size_t b, std::size_t e, unsigned allowed) {
    std::size_t i = b;
    while (i < e) {
      const char c = s_[i];
      if (c == '\n') {
        out_ += "<br>";
        ++i;
        continue;
      }
      if (c == '`' && i + 3 <= e && s_.compare(i, 3, "```") == 0) {
        const std::size_t j = i + 3 <= n_ ? triple_[i + 3] : none;
        if ((allowed & mono) && j != none && j > i + 3 && j + 3 <= e) {
          out_ += "<pre>";
          escape_into(out_, std::string_view(s_).substr(i + 3, j - i - 3));
          out_ += "</pre>";
          i = j + 3;
        } else {
          out_ += "```";
          i += 3;
        }
        continue;
      }
      if (const auto k = marker_index(c); k < markers.size() && (allowed & markers[k].m) && opens(i)) {
        const std::size_t limit = std::min(e, line_end_[i]);
        const std::size_t j = i + 2 <= n_ ? closer_[k][i + 2] : none;
        if (j != none && j < limit) {
          out_ += markers[k].open;
          if (markers[k].m == code)
            escape_into(out_, std::string_view(s_).substr(i + 1, j - i - 1));
          else
            render(i + 1, j, allowed & ~markers[k].m);
          out_ += markers[k].close;
          i = j + 1;
          continue;
        }
      }
      std::size_t next = i;
      char32_t cp = 0;
      utf8::next_code_point(s_, next, cp);
      escape_into(out_, std::string_view(s_).substr(i, next - i));
      i = next;
    }
  }

  static std::size_t marker_index(char c) {
    for (std::size_t k = 0; k < markers.size(); ++k)
      if (markers[k].c == c) return k;
    return markers.size();
  }

  std::string s_;
  std::size_t n_;
  std::vector<std::size_t> line_end_;
  std::vector<std::size_t> triple_;
  std::array<std::vector<std::size_t>, markers.size()> closer_;
  std::string out_;
};

}  // namespace

std::string wa_markup_to_html(std::string_view text) { return renderer(sanitised(text)).html(); }

}  // namespace banditore::domain

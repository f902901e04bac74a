// Any text a press officer may type, rendered as the phone shows it
// (domain::wa_markup_to_html): the HTML is well formed whatever the text —
// only the allowed tags, each closed in order, no '<' or '>' of the text
// unescaped, only the five entities, valid UTF-8 — and no letter of the
// text is lost or added by the markup.
#include "check.hpp"

#include <banditore/domain/utf8.hpp>
#include <banditore/domain/wa_markup.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::array<std::string_view, 9> paired{"strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li"};
constexpr std::array<std::string_view, 5> entities{"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};

std::size_t ascii_letters(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto text = fuzz::bytes(data, size);
  const std::string html = domain::wa_markup_to_html(text);
  require(domain::utf8::count_code_points(html).has_value(), "the HTML is valid UTF-8");

  std::vector<std::string_view> open;
  std::string plain;  // the HTML's text, tags dropped and entities read
  for (std::size_t i = 0; i < html.size();) {
    const char c = html[i];
    if (c == '<') {
      const auto end = html.find('>', i);
      require(end != std::string::npos, "a tag ends");
      std::string_view tag(html.data() + i + 1, end - i - 1);
      i = end + 1;
      if (tag == "br") continue;
      const bool closing = tag.starts_with('/');
      if (closing) tag.remove_prefix(1);
      bool known = false;
      for (auto t : paired) known = known || t == tag;
      require(known, "only the allowed tags, without attributes");
      if (closing) {
        require(!open.empty() && open.back() == tag, "a closing tag closes the last open one");
        open.pop_back();
      } else {
        open.push_back(tag);
      }
      continue;
    }
    require(c != '>', "no '>' outside a tag");
    if (c == '&') {
      bool known = false;
      for (auto e : entities) {
        if (std::string_view(html).substr(i).starts_with(e)) {
          known = true;
          plain += e == "&amp;" ? '&' : e == "&lt;" ? '<' : e == "&gt;" ? '>' : e == "&quot;" ? '"' : '\'';
          i += e.size();
          break;
        }
      }
      require(known, "'&' starts one of the five entities");
      continue;
    }
    plain.push_back(c);
    ++i;
  }
  require(open.empty(), "every tag is closed");
  require(ascii_letters(plain) == ascii_letters(text), "no letter is lost or added");
  return 0;
}

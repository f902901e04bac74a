#include <banditore/web/news.hpp>

#include <banditore/cap/xml_util.hpp>
#include <banditore/domain/rfc3339.hpp>
#include <banditore/domain/utf8.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <unordered_set>

namespace banditore::web {

namespace {

using cap::children_in;
using cap::local_name;
using cap::namespace_uri;
using cap::trim;
using cap::trimmed_text;

constexpr std::string_view atom_ns = "http://www.w3.org/2005/Atom";
constexpr std::string_view rss1_ns = "http://purl.org/rss/1.0/";
constexpr std::string_view rdf_ns = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
constexpr std::string_view content_ns = "http://purl.org/rss/1.0/modules/content/";
constexpr std::string_view dc_ns = "http://purl.org/dc/elements/1.1/";

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lower(x) == lower(y);
         });
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equal_nocase(s.substr(0, prefix.size()), prefix);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// The named references of HTML that Italian news texts use; any other
// named reference is kept as written.
struct named_entity {
  std::string_view name;
  char32_t cp;
};
constexpr std::array<named_entity, 52> entities{{
    {"amp", U'&'},        {"lt", U'<'},         {"gt", U'>'},         {"quot", U'"'},       {"apos", U'\''},
    {"nbsp", U' '},       {"agrave", U'à'},     {"aacute", U'á'},     {"egrave", U'è'},     {"eacute", U'é'},
    {"igrave", U'ì'},     {"iacute", U'í'},     {"ograve", U'ò'},     {"oacute", U'ó'},     {"ugrave", U'ù'},
    {"uacute", U'ú'},     {"Agrave", U'À'},     {"Aacute", U'Á'},     {"Egrave", U'È'},     {"Eacute", U'É'},
    {"Igrave", U'Ì'},     {"Ograve", U'Ò'},     {"Ugrave", U'Ù'},     {"ccedil", U'ç'},     {"ntilde", U'ñ'},
    {"auml", U'ä'},       {"ouml", U'ö'},       {"uuml", U'ü'},       {"szlig", U'ß'},      {"laquo", U'«'},
    {"raquo", U'»'},      {"lsquo", U'‘'},      {"rsquo", U'’'},      {"ldquo", U'“'},      {"rdquo", U'”'},
    {"sbquo", U'‚'},      {"bdquo", U'„'},      {"ndash", U'–'},      {"mdash", U'—'},      {"hellip", U'…'},
    {"euro", U'€'},       {"deg", U'°'},        {"middot", U'·'},     {"bull", U'•'},       {"copy", U'©'},
    {"reg", U'®'},        {"trade", U'™'},      {"ordm", U'º'},       {"ordf", U'ª'},       {"sect", U'§'},
    {"times", U'×'},      {"shy", 0},
}};

// Decodes the reference starting at text[pos] == '&' into out; returns the
// length consumed, or 0 when it is not a reference (the '&' is then kept).
std::size_t decode_reference(std::string_view text, std::size_t pos, std::string& out) {
  const auto semi = text.find(';', pos + 1);
  if (semi == std::string_view::npos || semi - pos > 12) return 0;
  const auto body = text.substr(pos + 1, semi - pos - 1);
  if (body.size() >= 2 && body[0] == '#') {
    const bool hex = body[1] == 'x' || body[1] == 'X';
    const auto digits = body.substr(hex ? 2 : 1);
    std::uint32_t cp = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty()) return 0;
    // Nothing that is not a character: NUL, surrogates, beyond Unicode.
    if (cp != 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) domain::utf8::append(out, cp);
    return semi - pos + 1;
  }
  for (const auto& e : entities)
    if (e.name == body) {
      if (e.cp != 0) domain::utf8::append(out, e.cp);
      return semi - pos + 1;
    }
  return 0;
}

// "<br/>", "</p>", "<li ...>": the lower-case tag name and whether it closes.
struct tag_view {
  std::string name;
  bool closing = false;
};
tag_view read_tag(std::string_view tag) {
  tag_view t;
  std::size_t i = 1;
  if (i < tag.size() && tag[i] == '/') {
    t.closing = true;
    ++i;
  }
  while (i < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[i])) != 0)) t.name.push_back(lower(tag[i++]));
  return t;
}

bool breaks_line(const std::string& name) {
  static const std::unordered_set<std::string> block{"p", "div", "li", "ul", "ol", "h1", "h2", "h3",
                                                     "h4", "h5", "h6", "tr", "table", "blockquote", "section",
                                                     "article", "header", "footer", "hr", "dd", "dt"};
  return block.contains(name);
}

// Collapses white space: spaces inside a line to one, no space at either
// end of a line, at most one blank line between paragraphs.
std::string tidy(std::string_view raw) {
  std::string out;
  int newlines = 0;
  bool space = false;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const auto at = pos;
    char32_t cp = 0;
    if (!domain::utf8::next_code_point(raw, pos, cp)) continue;  // bad bytes are dropped
    if (cp == U'\n') {
      ++newlines;
      space = false;
      continue;
    }
    if (cp == U' ' || cp == U'\t' || cp == U'\r' || cp == U'\f' || cp == U'\v' || cp == U'\u00A0') {
      space = true;
      continue;
    }
    if (cp < 0x20 || cp == 0x7F) continue;  // other controls never reach a phone
    if (!out.empty()) {
      if (newlines > 0) out.append(newlines > 1 ? "\n\n" : "\n");
      else if (space) out.push_back(' ');
    }
    newlines = 0;
    space = false;
    out.append(raw.substr(at, pos - at));
  }
  return out;
}

std::string one_line(std::string_view text) {
  auto s = tidy(text);
  std::replace(s.begin(), s.end(), '\n', ' ');
  // "a\n\nb" became "a  b".
  std::string out;
  for (char c : s)
    if (!(c == ' ' && !out.empty() && out.back() == ' ')) out.push_back(c);
  return out;
}

std::string attr(const pugi::xml_node& n, const char* name) { return std::string(trim(n.attribute(name).value())); }

bool is_absolute_http(std::string_view url) {
  return starts_with_nocase(url, "https://") || starts_with_nocase(url, "http://");
}

std::string usable_link(std::string link, const news_limits& limits) {
  link = std::string(trim(link));
  if (!is_absolute_http(link) || link.size() > limits.link_chars) return {};
  for (char c : link)
    if (is_space(c) || static_cast<unsigned char>(c) < 0x20) return {};
  return link;
}

// An Atom text construct (type text, html or xhtml) as plain text.
std::string atom_text(const pugi::xml_node& n) {
  if (!n) return {};
  const auto type = attr(n, "type");
  if (type == "xhtml") {
    // The markup is the XML itself: serialise the children and read them as HTML.
    struct writer : pugi::xml_writer {
      std::string text;
      void write(const void* data, std::size_t size) override { text.append(static_cast<const char*>(data), size); }
    } w;
    for (auto child = n.first_child(); child; child = child.next_sibling())
      child.print(w, "", pugi::format_raw | pugi::format_no_declaration);
    return html_to_text(w.text);
  }
  std::string raw;
  for (auto child = n.first_child(); child; child = child.next_sibling())
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) raw.append(child.value());
  return type == "html" ? html_to_text(raw) : tidy(raw);
}

// RSS leaves the kind of text unsaid; in practice titles and descriptions
// carry escaped HTML as often as not, and plain text reads the same through
// the HTML reader except for a literal "<", which news texts rarely hold.
std::string rss_text(const pugi::xml_node& n) {
  if (!n) return {};
  std::string raw;
  for (auto child = n.first_child(); child; child = child.next_sibling())
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) raw.append(child.value());
  return html_to_text(raw);
}

pugi::xml_node first(const pugi::xml_node& parent, std::string_view ns, std::string_view local) {
  auto all = children_in(parent, ns, local);
  return all.empty() ? pugi::xml_node() : all.front();
}

std::optional<std::int64_t> atom_time(const pugi::xml_node& entry) {
  for (auto name : {"updated", "published"})
    if (auto n = first(entry, atom_ns, name))
      if (auto t = domain::parse_rfc3339(trimmed_text(n))) return t;
  return std::nullopt;
}

news_item atom_item(const pugi::xml_node& entry, const news_limits& limits) {
  news_item item;
  item.id = trimmed_text(first(entry, atom_ns, "id"));
  item.title = one_line(atom_text(first(entry, atom_ns, "title")));
  auto body = atom_text(first(entry, atom_ns, "summary"));
  if (body.empty()) body = atom_text(first(entry, atom_ns, "content"));
  item.summary = std::move(body);
  for (const auto& l : children_in(entry, atom_ns, "link")) {
    const auto rel = attr(l, "rel");
    if (rel.empty() || rel == "alternate") {
      item.link = usable_link(attr(l, "href"), limits);
      break;
    }
  }
  item.published_ms = atom_time(entry);
  return item;
}

news_item rss_item(const pugi::xml_node& item_node, std::string_view ns, const news_limits& limits) {
  news_item item;
  item.title = one_line(rss_text(first(item_node, ns, "title")));
  item.link = usable_link(trimmed_text(first(item_node, ns, "link")), limits);
  auto guid = first(item_node, ns, "guid");
  item.id = trimmed_text(guid);
  if (item.id.empty()) item.id = std::string(trim(item_node.attribute("rdf:about").value()));
  // A permalink guid is the link when the item has none.
  if (item.link.empty() && guid && attr(guid, "isPermaLink") != "false") item.link = usable_link(item.id, limits);
  auto body = rss_text(first(item_node, ns, "description"));
  if (body.empty()) body = rss_text(first(item_node, content_ns, "encoded"));
  item.summary = std::move(body);
  if (auto d = first(item_node, ns, "pubDate")) item.published_ms = parse_rfc822_date(trimmed_text(d));
  if (!item.published_ms)
    if (auto d = first(item_node, dc_ns, "date")) item.published_ms = domain::parse_rfc3339(trimmed_text(d));
  return item;
}

void keep(news_parse_result& out, std::unordered_set<std::string>& seen, news_item item,
          const news_limits& limits) {
  if (out.items.size() >= limits.max_items) return;
  item.title = cut_at_word(item.title, limits.title_chars);
  item.summary = cut_at_word(item.summary, limits.summary_chars);
  if (item.id.empty()) item.id = item.link;
  if (item.id.empty()) item.id = item.title;
  // Nothing to show a person: no title and no text.
  if (item.id.empty() || (item.title.empty() && item.summary.empty())) return;
  if (!seen.insert(item.id).second) return;
  out.items.push_back(std::move(item));
}

int month_number(std::string_view name) {
  // English as RFC 822 writes them, and the Italian ones some sites write.
  static constexpr std::array<std::array<std::string_view, 2>, 12> months{{{"jan", "gen"},
                                                                          {"feb", "feb"},
                                                                          {"mar", "mar"},
                                                                          {"apr", "apr"},
                                                                          {"may", "mag"},
                                                                          {"jun", "giu"},
                                                                          {"jul", "lug"},
                                                                          {"aug", "ago"},
                                                                          {"sep", "set"},
                                                                          {"oct", "ott"},
                                                                          {"nov", "nov"},
                                                                          {"dec", "dic"}}};
  if (name.size() < 3) return 0;
  const auto three = name.substr(0, 3);
  for (std::size_t i = 0; i < months.size(); ++i)
    if (equal_nocase(three, months[i][0]) || equal_nocase(three, months[i][1])) return static_cast<int>(i) + 1;
  return 0;
}

std::optional<int> zone_minutes(std::string_view z) {
  if (z.size() == 5 && (z[0] == '+' || z[0] == '-')) {
    int v = 0;
    for (char c : z.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    const int hh = v / 100, mm = v % 100;
    if (hh > 14 || mm > 59) return std::nullopt;
    return (z[0] == '-' ? -1 : 1) * (hh * 60 + mm);
  }
  static constexpr std::array<std::pair<std::string_view, int>, 15> named{{{"GMT", 0},
                                                                          {"UT", 0},
                                                                          {"UTC", 0},
                                                                          {"Z", 0},
                                                                          {"EST", -300},
                                                                          {"EDT", -240},
                                                                          {"CST", -360},
                                                                          {"CDT", -300},
                                                                          {"MST", -420},
                                                                          {"MDT", -360},
                                                                          {"PST", -480},
                                                                          {"PDT", -420},
                                                                          {"CET", 60},
                                                                          {"CEST", 120},
                                                                          {"BST", 60}}};
  for (const auto& [name, minutes] : named)
    if (equal_nocase(z, name)) return minutes;
  return std::nullopt;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_space(s[i]) || s[i] == ',')) ++i;
    const auto start = i;
    while (i < s.size() && !is_space(s[i]) && s[i] != ',') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<int> number(std::string_view s, std::size_t min_digits, std::size_t max_digits) {
  if (s.size() < min_digits || s.size() > max_digits) return std::nullopt;
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string html_to_text(std::string_view html) {
  std::string raw;
  raw.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      if (html.compare(i, 4, "<!--") == 0) {
        const auto end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      const auto end = html.find('>', i);
      if (end == std::string_view::npos) {
        // A lone "<" in text ("temperature < 0"): keep it.
        raw.push_back(c);
        ++i;
        continue;
      }
      const auto tag = read_tag(html.substr(i, end - i + 1));
      if (tag.name.empty()) {
        raw.push_back(c);
        ++i;
        continue;
      }
      i = end + 1;
      if (!tag.closing && (tag.name == "script" || tag.name == "style")) {
        // Skip to the matching close tag; its content is not text.
        std::size_t close = i;
        while ((close = html.find("</", close)) != std::string_view::npos) {
          if (read_tag(html.substr(close, 2 + tag.name.size())).name == tag.name) break;
          close += 2;
        }
        if (close == std::string_view::npos) break;
        const auto close_end = html.find('>', close);
        i = close_end == std::string_view::npos ? html.size() : close_end + 1;
        continue;
      }
      if (tag.name == "br") {
        raw.push_back('\n');
      } else if (breaks_line(tag.name)) {
        // A block ends its line once: "</li><li>" is one break, and a
        // paragraph leaves one blank line however many tags close at once.
        const bool paragraph = tag.name == "p" || (tag.name.size() == 2 && tag.name[0] == 'h');
        std::size_t trailing = 0;
        for (auto r = raw.rbegin(); r != raw.rend() && (*r == '\n' || *r == ' '); ++r)
          if (*r == '\n') ++trailing;
        for (std::size_t want = paragraph ? 2 : 1; trailing < want; ++trailing) raw.push_back('\n');
      } else if (tag.name == "td" || tag.name == "th") {
        raw.push_back(' ');
      }
      continue;
    }
    if (c == '&') {
      if (const auto used = decode_reference(html, i, raw); used > 0) {
        i += used;
        continue;
      }
    }
    // Line ends in the source are spaces, as in a browser.
    raw.push_back(c == '\n' || c == '\r' ? ' ' : c);
    ++i;
  }
  return tidy(raw);
}

std::string cut_at_word(std::string_view text, std::size_t max_chars) {
  std::size_t pos = 0, chars = 0;
  std::size_t last_space = std::string_view::npos;  // byte offset of a space within the limit
  while (pos < text.size()) {
    if (chars == max_chars) break;
    const auto at = pos;
    char32_t cp = 0;
    domain::utf8::next_code_point(text, pos, cp);
    if (cp == U' ' || cp == U'\n') last_space = at;
    ++chars;
  }
  if (pos >= text.size()) return std::string(text);
  // One character is kept for the ellipsis.
  if (max_chars == 0) return {};
  std::size_t cut = last_space != std::string_view::npos && last_space > 0 ? last_space : 0;
  if (cut == 0) {
    // One long word: cut inside it, on a character boundary.
    std::size_t p = 0;
    for (std::size_t n = 0; n + 1 < max_chars && p < text.size(); ++n) {
      char32_t cp = 0;
      domain::utf8::next_code_point(text, p, cp);
    }
    cut = p;
  }
  std::string out(text.substr(0, cut));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == ',' || out.back() == ';' ||
                          out.back() == ':'))
    out.pop_back();
  out.append("…");
  return out;
}

std::optional<std::int64_t> parse_rfc822_date(std::string_view text) {
  auto w = words(trim(text));
  std::size_t k = 0;
  // The weekday is optional and not checked: a wrong one is common.
  if (!w.empty() && !w[0].empty() && std::isalpha(static_cast<unsigned char>(w[0][0])) != 0) ++k;
  if (w.size() < k + 4) return std::nullopt;
  const auto day = number(w[k], 1, 2);
  const int month = month_number(w[k + 1]);
  auto year = number(w[k + 2], 2, 4);
  if (!day || month == 0 || !year || w[k + 2].size() == 3) return std::nullopt;
  if (w[k + 2].size() == 2) *year += *year < 50 ? 2000 : 1900;  // RFC 2822 §4.3
  const auto clock = w[k + 3];
  int hh = 0, mm = 0, ss = 0;
  {
    auto h = number(clock.substr(0, 2), 2, 2);
    if (!h || clock.size() < 5 || clock[2] != ':') return std::nullopt;
    auto m = number(clock.substr(3, 2), 2, 2);
    if (!m) return std::nullopt;
    hh = *h;
    mm = *m;
    if (clock.size() == 8 && clock[5] == ':') {
      auto s = number(clock.substr(6, 2), 2, 2);
      if (!s) return std::nullopt;
      ss = *s;
    } else if (clock.size() != 5) {
      return std::nullopt;
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  if (ss == 60) ss = 59;
  int offset = 0;
  if (w.size() > k + 4) {
    auto z = zone_minutes(w[k + 4]);
    if (!z) return std::nullopt;
    offset = *z;
  }
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  const auto t = sys_days(ymd) + hours(hh) + minutes(mm) + seconds(ss) - minutes(offset);
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

news_parse_result parse_news_feed(std::string_view xml, const news_limits& limits) {
  news_parse_result out;
  pugi::xml_document doc;
  if (auto refusal = cap::load_untrusted_xml(doc, xml, limits.max_bytes)) {
    out.element = std::move(refusal->element);
    out.reason = std::move(refusal->reason);
    return out;
  }
  std::unordered_set<std::string> seen;
  const auto root = doc.document_element();
  const auto name = local_name(root);
  const auto ns = namespace_uri(root);
  if (name == "feed" && ns == atom_ns) {
    for (const auto& entry : children_in(root, atom_ns, "entry")) keep(out, seen, atom_item(entry, limits), limits);
  } else if (name == "rss" && ns.empty()) {
    for (const auto& channel : children_in(root, "", "channel"))
      for (const auto& item : children_in(channel, "", "item")) keep(out, seen, rss_item(item, "", limits), limits);
  } else if (name == "RDF" && ns == rdf_ns) {
    for (const auto& item : children_in(root, rss1_ns, "item")) keep(out, seen, rss_item(item, rss1_ns, limits), limits);
  } else {
    out.element = "feed";
    out.reason = "root element <" + std::string(root.name()) + "> is not an Atom <feed>, an RSS 2.0 <rss> or an RSS 1.0 <rdf:RDF>";
  }
  return out;
}

}  // namespace banditore::web

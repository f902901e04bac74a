// Reading a town website's news feed (RSS 2.0, Atom 1.0 or RSS 1.0 / RDF,
// as WordPress, Drupal, Joomla and the "Comuni" site themes publish them),
// so that each news item can become a draft alert that a person decides
// on: nothing read here is ever sent by itself.
//
// The feed is untrusted input, loaded under the CAP reader's rules (size
// bound, no DTD, UTF-8 only). Item texts are often HTML, escaped or in
// CDATA: they come back as plain text, paragraphs kept, entities decoded,
// cut at a word to the length a WhatsApp alert can carry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::web {

struct news_item {
  // What names the item for good: Atom <id>, RSS <guid>, else its link,
  // else its title. Never empty.
  std::string id;
  std::string title;    // plain text, one line
  std::string summary;  // plain text, at most the summary limit
  std::string link;     // absolute http(s) URL, or empty
  std::optional<std::int64_t> published_ms;  // updated / published / pubDate
};

struct news_parse_result {
  std::vector<news_item> items;  // in feed order, each id once
  std::string element;           // on refusal: "document", "feed"
  std::string reason;
  bool ok() const { return reason.empty(); }
};

struct news_limits {
  std::size_t max_bytes = std::size_t{2} << 20;
  std::size_t max_items = 200;     // a feed lists the latest 10-50
  std::size_t title_chars = 120;   // domain::max_title
  std::size_t summary_chars = 700; // leaves room in a 4096-character message
  std::size_t link_chars = 300;    // domain::max_link; longer links are dropped
};

news_parse_result parse_news_feed(std::string_view xml, const news_limits& limits = {});

// HTML (or plain text) as a person reads it: tags dropped, <script> and
// <style> with their content, block ends (p, br, li, h1-h6, div) as line
// breaks, HTML's named entities of Italian text and numeric references
// decoded, runs of spaces collapsed, at most one blank line in a row.
std::string html_to_text(std::string_view html);

// At most max_chars code points, cut after the last whole word that fits
// and ended with "…" when anything was cut.
std::string cut_at_word(std::string_view text, std::size_t max_chars);

// RFC 822 / RFC 1123 dates as RSS writes them ("Tue, 10 Jun 2003 04:00:00
// GMT", "+0200", the weekday optional, seconds optional); nullopt when not
// one.
std::optional<std::int64_t> parse_rfc822_date(std::string_view text);

}  // namespace banditore::web

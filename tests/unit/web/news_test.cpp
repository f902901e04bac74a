#include <banditore/web/news.hpp>

#include <banditore/domain/rfc3339.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace banditore;
using namespace banditore::web;

namespace {

std::string news_fixture(const std::string& name) {
  const std::string path = std::string(BANDITORE_FIXTURES) + "/news/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::int64_t at(const char* rfc3339) { return *domain::parse_rfc3339(rfc3339); }

}  // namespace

TEST_CASE("a WordPress feed: CDATA descriptions, typographic references, the permalink-less guid") {
  const auto r = parse_news_feed(news_fixture("wordpress.rss"));
  REQUIRE(r.ok());
  REQUIRE(r.items.size() == 2);
  const auto& first = r.items[0];
  CHECK(first.id == "https://www.comune.lugo.example/?p=48213");
  CHECK(first.title == "Chiusura di via Mazzini per lavori alla rete idrica");
  CHECK(first.link == "https://www.comune.lugo.example/2026/12/01/chiusura-via-mazzini/");
  CHECK(first.summary.find("condotta dell’acqua") != std::string::npos);
  CHECK(first.summary.ends_with("… […]"));
  CHECK(first.published_ms == at("2026-12-01T15:30:00Z"));
  CHECK(r.items[1].title == "Mercato straordinario “Natale a Lugo”");
}

TEST_CASE("a Drupal feed: escaped HTML in the description becomes lines of text") {
  const auto r = parse_news_feed(news_fixture("drupal.rss"));
  REQUIRE(r.ok());
  REQUIRE(r.items.size() == 1);
  const auto& item = r.items[0];
  CHECK(item.id == "1523 at https://www.comune.cotignola.example");
  CHECK(item.link == "https://www.comune.cotignola.example/notizie/allerta-meteo-arancione");
  CHECK(item.summary ==
        "L'Agenzia regionale ha emesso un'allerta arancione per vento forte dalle 12 di domani.\n\n"
        "Parchi chiusi\nCimitero chiuso");
  CHECK(item.published_ms == at("2026-12-02T07:15:00Z"));
}

TEST_CASE("a Joomla Atom feed: html summary, the updated time with its offset") {
  const auto r = parse_news_feed(news_fixture("joomla.atom"));
  REQUIRE(r.ok());
  REQUIRE(r.items.size() == 1);
  const auto& item = r.items[0];
  CHECK(item.id == "https://www.comune.bagnacavallo.example/notizie/sospensione-idrica-villanova");
  CHECK(item.title == "Sospensione dell'erogazione idrica in frazione Villanova");
  CHECK(item.summary == "Venerdì 4 dicembre dalle 8.30 alle 13 l’acqua sarà sospesa in via Glorie e nelle vie laterali.");
  CHECK(item.published_ms == at("2026-12-02T08:35:00Z"));
}

TEST_CASE("an RSS 1.0 feed with dc:date") {
  const auto r = parse_news_feed(news_fixture("rss1.rdf"));
  REQUIRE(r.ok());
  REQUIRE(r.items.size() == 1);
  CHECK(r.items[0].id == "https://www.comune.fusignano.example/avvisi/42");
  CHECK(r.items[0].summary == "Dal 1° gennaio cambia il giorno della carta.");
  CHECK(r.items[0].published_ms == at("2026-12-01T09:00:00Z"));
}

TEST_CASE("what a feed may not be is refused with the reason") {
  CHECK_FALSE(parse_news_feed("").ok());
  CHECK_FALSE(parse_news_feed("<html><body>Pagina non trovata</body></html>").ok());
  CHECK(parse_news_feed("<html/>").reason.find("<html>") != std::string::npos);
  CHECK_FALSE(parse_news_feed("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"b\">]><rss/>").ok());
  CHECK_FALSE(parse_news_feed("<rss><channel><item><title>\xff</title></item></channel></rss>").ok());
  news_limits small;
  small.max_bytes = 10;
  CHECK_FALSE(parse_news_feed("<rss version=\"2.0\"></rss>", small).ok());
}

TEST_CASE("items are kept once, only with something to show, and only http links") {
  const auto r = parse_news_feed(
      "<rss version=\"2.0\"><channel>"
      "<item><title>A</title><guid>x</guid></item>"
      "<item><title>A again</title><guid>x</guid></item>"
      "<item><guid>empty</guid></item>"
      "<item><title>B</title><link>javascript:alert(1)</link></item>"
      "<item><title>C</title><link>https://example.org/a b</link></item>"
      "</channel></rss>");
  REQUIRE(r.ok());
  REQUIRE(r.items.size() == 3);
  CHECK(r.items[0].title == "A");
  CHECK(r.items[1].title == "B");
  CHECK(r.items[1].link.empty());
  CHECK(r.items[1].id == "B");
  CHECK(r.items[2].link.empty());
}

TEST_CASE("long titles and summaries are cut at a word, within the limits") {
  news_limits limits;
  limits.title_chars = 20;
  limits.summary_chars = 30;
  const auto r = parse_news_feed(
      "<rss version=\"2.0\"><channel><item><guid>1</guid>"
      "<title>Interruzione dell'acqua in tutto il centro storico</title>"
      "<description>Venerdì mattina l'erogazione sarà sospesa per lavori urgenti alla rete.</description>"
      "</item></channel></rss>",
      limits);
  REQUIRE(r.items.size() == 1);
  CHECK(r.items[0].title == "Interruzione…");
  CHECK(r.items[0].summary == "Venerdì mattina l'erogazione…");
}

TEST_CASE("HTML as text: tags, scripts, comments, entities, spaces") {
  CHECK(html_to_text("<p>Uno</p><p>Due<br>tre</p>") == "Uno\n\nDue\ntre");
  CHECK(html_to_text("a <script type=\"x\">alert('<p>')</script>b<style>p{}</style>c") == "a bc");
  CHECK(html_to_text("x<!-- <p>nascosto</p> -->y") == "xy");
  CHECK(html_to_text("caff&egrave; &amp; citt&agrave;&nbsp;vecchia &#8364;5 &#x20AC;6") == "caffè & città vecchia €5 €6");
  CHECK(html_to_text("&unknown; &#0; &#xD800; &#1114112; & fine") == "&unknown; & fine");
  CHECK(html_to_text("temperatura < 0 e > -5") == "temperatura < 0 e > -5");
  CHECK(html_to_text("  molti    spazi \t qui  ") == "molti spazi qui");
  CHECK(html_to_text("<ul><li>a</li><li>b</li></ul>") == "a\nb");
  CHECK(html_to_text("<table><tr><td>a</td><td>b</td></tr></table>") == "a b");
  CHECK(html_to_text("senza chiusura <script>tutto il resto") == "senza chiusura");
  CHECK(html_to_text("a\x01z\x7f") == "az");
  // Source line ends are spaces, as a browser shows them; <br> is a line.
  CHECK(html_to_text("<p>una riga\nspezzata</p>") == "una riga spezzata");
  CHECK(html_to_text("uno<br><br>due<br/>tre") == "uno\n\ndue\ntre");
}

TEST_CASE("cut at a word keeps whole characters and marks the cut") {
  CHECK(cut_at_word("breve", 10) == "breve");
  CHECK(cut_at_word("uno due tre", 7) == "uno…");
  CHECK(cut_at_word("àààààààààà", 4) == "ààà…");
  CHECK(cut_at_word("uno, due", 6) == "uno…");
  CHECK(cut_at_word("", 0).empty());
  CHECK(cut_at_word("abc", 0).empty());
}

TEST_CASE("RSS dates as sites write them") {
  CHECK(parse_rfc822_date("Tue, 01 Dec 2026 15:30:00 +0000") == at("2026-12-01T15:30:00Z"));
  CHECK(parse_rfc822_date("1 Dec 2026 15:30 GMT") == at("2026-12-01T15:30:00Z"));
  CHECK(parse_rfc822_date("Wed, 02 Dec 2026 08:15:00 +0100") == at("2026-12-02T07:15:00Z"));
  CHECK(parse_rfc822_date("Wed, 02 Dec 2026 08:15:00 CET") == at("2026-12-02T07:15:00Z"));
  CHECK(parse_rfc822_date("mer, 02 dic 2026 08:15:00 +0100") == at("2026-12-02T07:15:00Z"));
  CHECK(parse_rfc822_date("Sat, 01 Jan 99 00:00:00 EST") == at("1999-01-01T05:00:00Z"));
  CHECK(parse_rfc822_date("Sat, 31 Dec 2016 23:59:60 GMT") == at("2016-12-31T23:59:59Z"));
  CHECK_FALSE(parse_rfc822_date("2026-12-01T15:30:00Z"));
  CHECK_FALSE(parse_rfc822_date("Tue, 31 Feb 2026 10:00:00 GMT"));
  CHECK_FALSE(parse_rfc822_date("Tue, 01 Foo 2026 10:00:00 GMT"));
  CHECK_FALSE(parse_rfc822_date("Tue, 01 Dec 2026 24:00:00 GMT"));
  CHECK_FALSE(parse_rfc822_date("Tue, 01 Dec 2026 10:00:00 +2500"));
  CHECK_FALSE(parse_rfc822_date("Tue, 01 Dec 2026 10:00:00 Mars"));
  CHECK_FALSE(parse_rfc822_date(""));
}

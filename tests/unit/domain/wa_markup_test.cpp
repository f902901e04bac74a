#include <banditore/domain/wa_markup.hpp>

#include <doctest/doctest.h>

#include <string>

using banditore::domain::wa_markup_to_html;

TEST_CASE("WhatsApp's four inline styles become strong, em, del and pre") {
  CHECK(wa_markup_to_html("*Attenzione*") == "<strong>Attenzione</strong>");
  CHECK(wa_markup_to_html("acqua _non potabile_ oggi") == "acqua <em>non potabile</em> oggi");
  CHECK(wa_markup_to_html("~ore 10~ ore 11") == "<del>ore 10</del> ore 11");
  CHECK(wa_markup_to_html("codice ```AB-12``` fine") == "codice <pre>AB-12</pre> fine");
  CHECK(wa_markup_to_html("usa `Disattiva`") == "usa <code>Disattiva</code>");
}

TEST_CASE("every character of the text is escaped and no tag of the text survives") {
  CHECK(wa_markup_to_html("<script>alert('x')</script> & \"y\"") ==
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;");
  CHECK(wa_markup_to_html("*<b>*") == "<strong>&lt;b&gt;</strong>");
  CHECK(wa_markup_to_html("```<i>```") == "<pre>&lt;i&gt;</pre>");
  CHECK(wa_markup_to_html("`&amp;`") == "<code>&amp;amp;</code>");
}

TEST_CASE("a link stays text") {
  CHECK(wa_markup_to_html("https://comune.example.it/avvisi?a=1&b=2") ==
        "https://comune.example.it/avvisi?a=1&amp;b=2");
}

TEST_CASE("a marker without its closing twin is shown as typed") {
  CHECK(wa_markup_to_html("*grassetto") == "*grassetto");
  CHECK(wa_markup_to_html("_corsivo") == "_corsivo");
  CHECK(wa_markup_to_html("```mono") == "```mono");
  CHECK(wa_markup_to_html("`code") == "`code");
  CHECK(wa_markup_to_html("*") == "*");
  CHECK(wa_markup_to_html("**") == "**");
  CHECK(wa_markup_to_html("a * b * c") == "a * b * c");
}

TEST_CASE("markers inside words format nothing") {
  CHECK(wa_markup_to_html("via_roma_12") == "via_roma_12");
  CHECK(wa_markup_to_html("2*3*4") == "2*3*4");
  CHECK(wa_markup_to_html("città*bella*") == "città*bella*");
  CHECK(wa_markup_to_html("*a*b") == "*a*b");
  // A closing marker must follow a non-space, an opening one precede one.
  CHECK(wa_markup_to_html("x * a*") == "x * a*");
  CHECK(wa_markup_to_html("*a *") == "*a *");
}

TEST_CASE("punctuation around markers does not stop them") {
  CHECK(wa_markup_to_html("(*chiusa*).") == "(<strong>chiusa</strong>).");
  CHECK(wa_markup_to_html("\"_oggi_\"") == "&quot;<em>oggi</em>&quot;");
}

TEST_CASE("styles nest, but not inside themselves, and nothing is styled inside code") {
  CHECK(wa_markup_to_html("*_entrambi_*") == "<strong><em>entrambi</em></strong>");
  CHECK(wa_markup_to_html("_*~tre~*_") == "<em><strong><del>tre</del></strong></em>");
  CHECK(wa_markup_to_html("*a _b* c_") == "<strong>a _b</strong> c_");
  CHECK(wa_markup_to_html("```*no*```") == "<pre>*no*</pre>");
  CHECK(wa_markup_to_html("`_no_`") == "<code>_no_</code>");
}

TEST_CASE("inline styles end at a line break; monospace goes on across lines") {
  CHECK(wa_markup_to_html("*inizio\nfine*") == "*inizio<br>fine*");
  CHECK(wa_markup_to_html("```riga 1\nriga 2```") == "<pre>riga 1\nriga 2</pre>");
  CHECK(wa_markup_to_html("```\n- non lista\n```") == "<pre>\n- non lista\n</pre>");
}

TEST_CASE("line breaks become br, and CR LF is one break") {
  CHECK(wa_markup_to_html("a\nb") == "a<br>b");
  CHECK(wa_markup_to_html("a\r\nb\rc") == "a<br>b<br>c");
  CHECK(wa_markup_to_html("a\n\nb") == "a<br><br>b");
}

TEST_CASE("a quote, a bulleted and a numbered list at the start of lines") {
  CHECK(wa_markup_to_html("> citazione\n> seconda") == "<blockquote>citazione<br>seconda</blockquote>");
  CHECK(wa_markup_to_html("Strade chiuse:\n* via Roma\n- via *Garibaldi*\nFine") ==
        "Strade chiuse:<ul><li>via Roma</li><li>via <strong>Garibaldi</strong></li></ul>Fine");
  CHECK(wa_markup_to_html("1. primo\n2. secondo") == "<ol><li>primo</li><li>secondo</li></ol>");
  CHECK(wa_markup_to_html("- a\n1. b\n> c") ==
        "<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>c</blockquote>");
}

TEST_CASE("list and quote marks count only at the start of a line and with their space") {
  CHECK(wa_markup_to_html("a - b") == "a - b");
  CHECK(wa_markup_to_html("-a") == "-a");
  CHECK(wa_markup_to_html(">a") == "&gt;a");
  CHECK(wa_markup_to_html("1.5 litri") == "1.5 litri");
  CHECK(wa_markup_to_html(" - a") == " - a");
}

TEST_CASE("emoji and other UTF-8 pass through, and glue no marker") {
  CHECK(wa_markup_to_html("⚠️*Allerta*🌧️") == "⚠️<strong>Allerta</strong>🌧️");
  CHECK(wa_markup_to_html("*perché è così*") == "<strong>perché è così</strong>");
  CHECK(wa_markup_to_html("_Ελλάδα_ *Москва*") == "<em>Ελλάδα</em> <strong>Москва</strong>");
}

TEST_CASE("bytes that are not UTF-8 become U+FFFD and control characters go") {
  CHECK(wa_markup_to_html("a\xff" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(wa_markup_to_html("*\xc3*") == "<strong>\xEF\xBF\xBD</strong>");
  CHECK(wa_markup_to_html(std::string("a\0b\x07" "c\td", 7)) == "abc\td");
}

TEST_CASE("the empty text is empty") { CHECK(wa_markup_to_html("").empty()); }

TEST_CASE("a long run of unclosed markers renders in linear time") {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "*a _b ~c `d ";
  const auto html = wa_markup_to_html(text);
  CHECK(html.size() == text.size());
}

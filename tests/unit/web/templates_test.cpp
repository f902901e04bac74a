#include <banditore/web/templates.hpp>

#include <banditore/web/embedded.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

using namespace banditore::web;
using json = nlohmann::json;

TEST_CASE("a value is HTML-escaped: a title with a script tag shows as text") {
  const auto html = render("error", {{"title", "<script>alert('x')</script> & \"co\""}, {"detail", "ok"}});
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;co&quot;") != std::string::npos);
  CHECK(html_escape("<a href=\"x\">") == "&lt;a href=&quot;x&quot;&gt;");
}

TEST_CASE("a page sits in the layout: lang it, landmarks, the style sheet and no script") {
  const auto html = render_page("error", {{"title", "Avviso non trovato"}, {"detail", "d"}, {"site_name", "Avvisi"}});
  CHECK(html.rfind("<!doctype html>", 0) == 0);
  CHECK(html.find("<html lang=\"it\">") != std::string::npos);
  CHECK(html.find("<main id=\"contenuto\">") != std::string::npos);
  CHECK(html.find("<nav aria-label=") != std::string::npos);
  CHECK(html.find("<footer") != std::string::npos);
  CHECK(html.find("href=\"/static/public.css\"") != std::string::npos);
  CHECK(html.find("<h1>Avviso non trovato</h1>") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("style=") == std::string::npos);  // the policy allows no inline style
}

TEST_CASE("every embedded template renders with empty data, partials included") {
  int templates = 0;
  for (const auto& f : embedded_files()) {
    if (f.name.rfind("templates/", 0) != 0) continue;
    const auto name = std::string(f.name.substr(10, f.name.size() - 10 - 9));
    CAPTURE(name);
    CHECK_NOTHROW(render(name, json::object()));
    // Only the console's layout loads a script, console.js from the
    // console's own origin (its policy allows no inline script).
    if (name == "console_layout")
      CHECK(std::string(f.content).find("<script>") == std::string::npos);
    else
      CHECK(std::string(f.content).find("<script") == std::string::npos);
    ++templates;
  }
  CHECK(templates >= 8);
  // The alert list uses its partial: an item's title is escaped there too.
  const auto html = render("alerts", {{"alerts", json::array({{{"title", "<b>x</b>"}, {"url", "/avvisi/1"}}})}});
  CHECK(html.find("&lt;b&gt;x&lt;/b&gt;") != std::string::npos);
}

TEST_CASE("an unknown template is an error, and static files are looked up by plain name") {
  CHECK_THROWS_AS(render("no-such-page", json::object()), std::out_of_range);
  REQUIRE(static_file("public.css"));
  CHECK(static_file("public.css")->find("@media print") != std::string_view::npos);
  CHECK_FALSE(static_file("../templates/layout.mustache"));
  CHECK_FALSE(static_file("missing.css"));
}

#include <banditore/domain/phone_preview.hpp>

#include <banditore/domain/utf8.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::domain;

namespace {

// 24 November 2026, 18:05 in Rome.
constexpr std::int64_t issued = 1'795'539'900'000;

alert_content water(std::string_view text = "Acqua sospesa in *via Roma* dalle 9 alle 13.") {
  alert_content a;
  a.level = severity::severe;
  a.title = "Interruzione idrica";
  a.text = text;
  a.issued_at_ms = issued;
  return a;
}

phone_forms lodi() {
  phone_forms f;
  f.town = "Lodi";
  return f;
}

}  // namespace

TEST_CASE("the free text shown is the one the sender sends, rendered with WhatsApp's markup") {
  const auto a = water();
  const auto view = phone_preview(a, "water", lodi());
  CHECK(view.free_text.text == alert_free_text(a, "Lodi", severity_labels{}));
  CHECK(view.free_text.text.find("*Interruzione idrica*") != std::string::npos);
  CHECK(view.free_text.html.find("<strong>Interruzione idrica</strong>") != std::string::npos);
  CHECK(view.free_text.html.find("<strong>via Roma</strong>") != std::string::npos);
  CHECK(view.free_text.html.find("<strong>ALLERTA ARANCIONE</strong> · Comune di Lodi") != std::string::npos);
  CHECK(view.free_text.html.find("<em>Emesso il 24/11/2026 alle 18:05</em>") != std::string::npos);
  CHECK(view.free_text.limit == 4096);
  CHECK(view.free_text.fits());
  CHECK_FALSE(view.caption);
  CHECK_FALSE(view.templ);
}

TEST_CASE("characters are counted as WhatsApp counts them, in code points, against 4096") {
  const auto view = phone_preview(water("Città 🌧️ è"), "water", lodi());
  CHECK(view.free_text.chars == *utf8::count_code_points(view.free_text.text));
  CHECK(view.free_text.chars < view.free_text.text.size());

  const std::string long_text(4096, 'a');
  const auto too_long = phone_preview(water(long_text), "water", lodi());
  CHECK(too_long.free_text.chars > 4096);
  CHECK_FALSE(too_long.free_text.fits());
}

TEST_CASE("with an attachment the free text is a caption, held to 1024 characters") {
  const std::string text(1000, 'a');
  const auto plain = phone_preview(water(text), "water", lodi());
  const auto media = phone_preview(water(text), "water", lodi(), "image/jpeg");
  CHECK(media.caption);
  CHECK(media.free_text.limit == 1024);
  CHECK(plain.free_text.fits());
  CHECK_FALSE(media.free_text.fits());
}

TEST_CASE("with an attachment the template is its twin with a header of its kind, or leaves without it") {
  auto forms = lodi();
  forms.template_name = "avviso_comune";
  forms.template_image_name = "avviso_comune_immagine";
  const auto plain = phone_preview(water("Testo"), "water", forms);
  REQUIRE(plain.templ);
  CHECK(plain.templ->name == "avviso_comune");
  CHECK_FALSE(plain.templ->with_attachment.has_value());

  const auto image = phone_preview(water("Testo"), "water", forms, "image/png");
  REQUIRE(image.templ);
  CHECK(image.templ->name == "avviso_comune_immagine");
  CHECK(image.templ->with_attachment == true);

  // No twin with a DOCUMENT header: the PDF does not reach those outside
  // the window, who get the plain template.
  const auto pdf = phone_preview(water("Testo"), "water", forms, "application/pdf");
  REQUIRE(pdf.templ);
  CHECK(pdf.templ->name == "avviso_comune");
  CHECK(pdf.templ->with_attachment == false);
}

TEST_CASE("the template form fills the approved body with the parameters the sender sends") {
  auto forms = lodi();
  forms.template_name = "avviso_comune";
  forms.template_params = {"severity", "title", "text", "town"};
  forms.template_body = "{{1}} *{{2}}*\n{{3}}\n_{{4}}_";
  const auto a = water("Acqua sospesa.\n\nRiapre alle 13.");
  const auto view = phone_preview(a, "water", forms);
  REQUIRE(view.templ);
  const auto& t = *view.templ;
  CHECK(t.name == "avviso_comune");
  CHECK(t.language == "it");
  CHECK(t.body_known);
  alert_content sent = a;
  sent.town = "Lodi";
  const auto values = template_parameters(forms.template_params, sent, "water", forms.labels);
  REQUIRE(t.parameters.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(t.parameters[i].name == forms.template_params[i]);
    CHECK(t.parameters[i].value == values[i]);
    CHECK(t.parameters[i].valid);
  }
  // The paragraphs are folded, as Meta requires of a parameter.
  CHECK(t.parameters[2].value == "Acqua sospesa. — Riapre alle 13.");
  CHECK(t.body.text == "🟠 ALLERTA ARANCIONE *Interruzione idrica*\nAcqua sospesa. — Riapre alle 13.\n_Comune di Lodi_");
  CHECK(t.body.html ==
        "🟠 ALLERTA ARANCIONE <strong>Interruzione idrica</strong><br>Acqua sospesa. — Riapre alle 13.<br>"
        "<em>Comune di Lodi</em>");
  CHECK(t.body.limit == 1024);
  CHECK(t.body.fits());
}

TEST_CASE("a template whose body is not configured shows its parameters, one a line") {
  auto forms = lodi();
  forms.template_name = "avviso";
  const auto view = phone_preview(water("Testo"), "water", forms);
  REQUIRE(view.templ);
  CHECK_FALSE(view.templ->body_known);
  CHECK(view.templ->body.text == "Interruzione idrica\nTesto");
}

TEST_CASE("a filled template body past 1024 characters does not fit") {
  auto forms = lodi();
  forms.template_name = "avviso";
  forms.template_body = "Avviso: {{1}} {{2}}";
  const auto view = phone_preview(water(std::string(1020, 'x')), "water", forms);
  REQUIRE(view.templ);
  CHECK(view.templ->body.chars > 1024);
  CHECK_FALSE(view.templ->body.fits());
}

TEST_CASE("an alert's own town is named, and the deployment's when its own would pass 4096") {
  auto a = water("breve");
  a.town = "Lugo";
  CHECK(phone_preview(a, "water", lodi()).free_text.text.find("Comune di Lugo") != std::string::npos);
  const std::string town(200, 'T');
  a.town = town;
  const std::string text(4096 - alert_text_framing("Lodi", severity_labels{}) - 19, 'a');
  a.text = text;
  const auto view = phone_preview(a, "water", lodi());
  CHECK(view.free_text.text.find("Comune di Lodi") != std::string::npos);
  CHECK(view.free_text.fits());
}

TEST_CASE("template placeholders are filled by number, and unknown ones stay as written") {
  CHECK(fill_template_body("{{2}} e {{1}}", {"a", "b"}) == "b e a");
  CHECK(fill_template_body("{{3}} {{x}} {{1", {"a"}) == "{{3}} {{x}} {{1");
  CHECK(fill_template_body("", {"a"}).empty());
  CHECK(fill_template_body("{{1}}{{1}}", {"<b>"}) == "<b><b>");
}

TEST_CASE("what the press office writes is escaped in both forms") {
  auto forms = lodi();
  forms.template_name = "avviso";
  const auto view = phone_preview(water("<script>x</script>"), "water", forms);
  CHECK(view.free_text.html.find("<script>") == std::string::npos);
  CHECK(view.free_text.html.find("&lt;script&gt;") != std::string::npos);
  CHECK(view.templ->body.html.find("<script>") == std::string::npos);
}

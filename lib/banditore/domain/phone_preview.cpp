#include <banditore/domain/phone_preview.hpp>

#include <banditore/domain/utf8.hpp>
#include <banditore/domain/wa_markup.hpp>

#include <charconv>

namespace banditore::domain {
namespace {

std::size_t chars_of(std::string_view text) { return utf8::count_code_points(text).value_or(text.size()); }

counted_text counted(std::string text, std::size_t limit) {
  counted_text c;
  c.html = wa_markup_to_html(text);
  c.chars = chars_of(text);
  c.limit = limit;
  c.text = std::move(text);
  return c;
}

}  // namespace

std::string fill_template_body(std::string_view body, const std::vector<std::string>& values) {
  std::string out;
  while (!body.empty()) {
    const auto open = body.find("{{");
    if (open == std::string_view::npos) break;
    out.append(body.substr(0, open));
    const auto close = body.find("}}", open + 2);
    if (close == std::string_view::npos) {
      body = body.substr(open);
      break;
    }
    const auto digits = body.substr(open + 2, close - open - 2);
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc{} && end == digits.data() + digits.size() && n >= 1 && n <= values.size())
      out.append(values[n - 1]);
    else
      out.append(body.substr(open, close + 2 - open));
    body = body.substr(close + 2);
  }
  out.append(body);
  return out;
}

phone_view phone_preview(const alert_content& alert, std::string_view category, const phone_forms& forms,
                         std::string_view media_mime_type) {
  const bool with_media = !media_mime_type.empty();
  phone_view view;
  view.caption = with_media;
  view.free_text = counted(alert_free_text(alert, forms.town, forms.labels), with_media ? max_caption : max_text_body);
  if (forms.template_name.empty()) return view;

  // As the sender fills it: the alert's town, or the deployment's.
  alert_content content = alert;
  if (content.town.empty()) content.town = forms.town;
  const auto values = template_parameters(forms.template_params, content, category, forms.labels);
  template_form t;
  t.name = forms.template_name;
  t.language = forms.template_language;
  for (std::size_t i = 0; i < values.size() && i < forms.template_params.size(); ++i)
    t.parameters.push_back({forms.template_params[i], values[i], chars_of(values[i]),
                            valid_template_parameter(values[i])});
  t.body_known = !forms.template_body.empty();
  std::string body;
  if (t.body_known) {
    body = fill_template_body(forms.template_body, values);
  } else {
    for (const auto& v : values) body += (body.empty() ? "" : "\n") + v;
  }
  t.body = counted(std::move(body), max_template_body);
  // Outside the window the attachment goes only in a template approved
  // with a header of its kind; without one, the plain template leaves
  // without it (as the sender does).
  if (with_media) {
    const auto& twin = media_mime_type == "application/pdf" ? forms.template_document_name : forms.template_image_name;
    t.with_attachment = !twin.empty();
    if (!twin.empty()) t.name = twin;
  }
  view.templ = std::move(t);
  return view;
}

}  // namespace banditore::domain

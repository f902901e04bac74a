#include <banditore/config/alert_form.hpp>

#include <banditore/domain/utf8.hpp>

namespace banditore::config {

domain::severity_labels severity_labels_for(const settings& s) { return domain::parse_severity_labels(s.severity_labels); }

domain::alert_limits alert_limits_for(const settings& s) {
  const auto labels = severity_labels_for(s);
  domain::alert_limits limits;
  limits.text_framing = domain::alert_text_framing(s.town, labels);
  if (s.wa_template_name.empty()) return limits;
  limits.template_form = true;
  limits.template_params = s.wa_template_params;
  // The template's fixed text: its body without the placeholders.
  std::string fixed;
  std::string_view body = s.wa_template_body;
  for (auto open = body.find("{{"); open != std::string_view::npos; open = body.find("{{")) {
    fixed.append(body.substr(0, open));
    const auto close = body.find("}}", open);
    body = close == std::string_view::npos ? std::string_view{} : body.substr(close + 2);
  }
  fixed.append(body);
  const auto used = domain::utf8::count_code_points(fixed).value_or(fixed.size()) +
                    domain::template_parameter_overhead(s.wa_template_params, s.town, labels);
  limits.template_room = used >= domain::max_template_body ? 0 : domain::max_template_body - used;
  return limits;
}

}  // namespace banditore::config

#include <banditore/http/form.hpp>

#include <banditore/http/message.hpp>

namespace banditore::http {

std::string form::get(std::string_view name) const {
  for (const auto& [k, v] : fields)
    if (k == name) return v;
  return {};
}

bool form::has(std::string_view name) const {
  for (const auto& f : fields)
    if (f.first == name) return true;
  return false;
}

std::vector<std::string> form::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields)
    if (k == name) out.push_back(v);
  return out;
}

std::optional<form> parse_form(std::string_view body) {
  form out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    if (out.fields.size() >= max_form_fields) return std::nullopt;
    const auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    out.fields.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

}  // namespace banditore::http

#include <banditore/web/templates.hpp>

#include <banditore/web/embedded.hpp>

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace banditore::web {

namespace {

using mdata = kainjow::mustache::data;

std::optional<std::string_view> embedded(std::string_view name) {
  for (const auto& f : embedded_files())
    if (f.name == name) return f.content;
  return std::nullopt;
}

std::string_view template_text(std::string_view name) {
  auto text = embedded("templates/" + std::string(name) + ".mustache");
  if (!text) throw std::out_of_range("no template named " + std::string(name));
  return *text;
}

// JSON to Mustache: objects and arrays as they are, null and false falsy,
// numbers as their JSON text.
mdata to_data(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mdata d{mdata::type::object};
      for (const auto& [key, value] : j.items()) d.set(key, to_data(value));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mdata d{mdata::type::list};
      for (const auto& value : j) d.push_back(to_data(value));
      return d;
    }
    case nlohmann::json::value_t::string:
      return mdata{j.get<std::string>()};
    case nlohmann::json::value_t::boolean:
      return mdata{j.get<bool>()};
    case nlohmann::json::value_t::null:
      return mdata{false};
    default:
      return mdata{j.dump()};
  }
}

}  // namespace

std::string render(std::string_view name, const nlohmann::json& data) {
  // Parsed at each call: kainjow's render is not const, and pages are
  // cached by their callers, so this runs once per change, not per request.
  kainjow::mustache::mustache tmpl{std::string(template_text(name))};
  if (!tmpl.is_valid())
    throw std::runtime_error("template " + std::string(name) + ": " + tmpl.error_message());
  auto d = to_data(data.is_object() ? data : nlohmann::json::object());
  for (const auto& f : embedded_files()) {
    constexpr std::string_view prefix = "templates/_";
    if (f.name.substr(0, prefix.size()) != prefix) continue;
    std::string partial_name(f.name.substr(10, f.name.size() - 10 - std::string_view(".mustache").size()));
    std::string partial_text(f.content);
    d.set(partial_name, kainjow::mustache::partial([partial_text] { return partial_text; }));
  }
  auto out = tmpl.render(d);
  if (!tmpl.is_valid())
    throw std::runtime_error("template " + std::string(name) + ": " + tmpl.error_message());
  return out;
}

std::string render_page(std::string_view name, const nlohmann::json& data, std::string_view layout) {
  auto page = data.is_object() ? data : nlohmann::json::object();
  page["content"] = render(name, data);
  return render(layout, page);
}

std::optional<std::string_view> static_file(std::string_view name) {
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  return embedded("static/" + std::string(name));
}

std::string html_escape(std::string_view text) { return kainjow::mustache::html_escape(std::string(text)); }

}  // namespace banditore::web

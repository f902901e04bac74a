// HTML pages from Mustache templates (kainjow's mustache.hpp), the
// templates embedded in the binary (web/embedded.hpp). Every {{value}} is
// HTML-escaped; {{{value}}} is for HTML this program made itself (a page
// inside its layout, a QR code's SVG). Data is JSON, so callers need no
// template library; the staff console renders its pages the same way.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace banditore::web {

// templates/<name>.mustache with data. Templates whose name starts with
// "_" ("_alert_item") are partials any template includes as
// {{> _alert_item}}. Throws std::out_of_range for an unknown template and
// std::runtime_error for one Mustache cannot read (a test renders them all).
std::string render(std::string_view name, const nlohmann::json& data);

// A whole page: render(name, data), then the layout template around it,
// which reads the same data and the page as {{{content}}}. The layout
// sets lang="it", the landmarks, the style sheet and no script.
std::string render_page(std::string_view name, const nlohmann::json& data, std::string_view layout = "layout");

// The text of static/<name> ("public.css"); nullopt when there is none.
std::optional<std::string_view> static_file(std::string_view name);

// &, <, >, " and ' as entities, as {{value}} writes them.
std::string html_escape(std::string_view text);

}  // namespace banditore::web

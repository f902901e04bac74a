#include "multipart_form.hpp"

#include <algorithm>
#include <cctype>

namespace banditore::testing {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter name in "type; a=b; name="v"" (quoted or a token).
std::optional<std::string> parameter(std::string_view header_value, std::string_view name) {
  std::size_t pos = header_value.find(';');
  while (pos != std::string_view::npos) {
    auto rest = header_value.substr(pos + 1);
    auto eq = rest.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const auto key = lower(trim(rest.substr(0, eq)));
    rest = rest.substr(eq + 1);
    std::string value;
    std::size_t used = 0;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        value.push_back(rest[i]);
      }
      if (i >= rest.size()) return std::nullopt;  // unterminated quote
      used = i + 1;
    } else {
      used = std::min(rest.find(';'), rest.size());
      value = std::string(trim(rest.substr(0, used)));
    }
    if (key == name) return value;
    const auto next = rest.find(';', used);
    pos = next == std::string_view::npos ? next : static_cast<std::size_t>(rest.data() + next - header_value.data());
  }
  return std::nullopt;
}

}  // namespace

std::string form_boundary(std::string_view content_type) {
  const auto type = lower(trim(content_type.substr(0, content_type.find(';'))));
  if (type != "multipart/form-data") return {};
  auto b = parameter(content_type, "boundary");
  if (!b || b->empty() || b->size() > 70 || b->back() == ' ') return {};
  return *b;
}

form_reading read_form(std::string_view body, std::string_view boundary) {
  form_reading out;
  const std::string delimiter = "--" + std::string(boundary);
  // The body starts with the first delimiter (a preamble is allowed
  // before it by RFC 2046; form-data senders write none, and none is taken).
  if (!body.starts_with(delimiter)) {
    out.error = "the body does not start with the boundary";
    return out;
  }
  std::vector<form_part> parts;
  std::size_t pos = delimiter.size();
  const std::string next_delimiter = "\r\n" + delimiter;
  while (true) {
    if (body.substr(pos, 2) == "--") break;  // the close delimiter
    if (body.substr(pos, 2) != "\r\n") {
      out.error = "a boundary line is not followed by CRLF";
      return out;
    }
    pos += 2;
    const auto head_end = body.find("\r\n\r\n", pos);
    // A part with no header fields has its empty line at once.
    const bool no_fields = body.substr(pos, 2) == "\r\n";
    if (!no_fields && head_end == std::string_view::npos) {
      out.error = "a part's header fields never end";
      return out;
    }
    form_part part;
    bool form_data = false;
    if (!no_fields) {
      auto head = body.substr(pos, head_end - pos);
      while (!head.empty()) {
        const auto eol = head.find("\r\n");
        const auto line = head.substr(0, eol);
        head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
          out.error = "a part's header line has no colon";
          return out;
        }
        const auto field = lower(trim(line.substr(0, colon)));
        const auto value = trim(line.substr(colon + 1));
        if (field == "content-disposition") {
          if (lower(trim(value.substr(0, value.find(';')))) != "form-data") {
            out.error = "a part's Content-Disposition is not form-data";
            return out;
          }
          form_data = true;
          part.name = parameter(value, "name").value_or("");
          part.filename = parameter(value, "filename").value_or("");
        } else if (field == "content-type") {
          part.content_type = std::string(value);
        }
      }
      pos = head_end + 4;
    } else {
      pos += 2;
    }
    if (!form_data || part.name.empty()) {
      out.error = "a part has no Content-Disposition: form-data with a name";
      return out;
    }
    const auto end = body.find(next_delimiter, pos);
    if (end == std::string_view::npos) {
      out.error = "a part is not closed by the boundary";
      return out;
    }
    part.body = std::string(body.substr(pos, end - pos));
    parts.push_back(std::move(part));
    pos = end + next_delimiter.size();
  }
  if (parts.empty()) {
    out.error = "no parts";
    return out;
  }
  out.parts = std::move(parts);
  return out;
}

}  // namespace banditore::testing

#include <banditore/http/multipart.hpp>

#include <algorithm>

namespace banditore::http {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool token_char(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(c)) == std::string_view::npos;
}

// RFC 2046 5.1.1's bcharsnospace and space.
bool boundary_char(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("'()+_,-./:=? ").find(static_cast<char>(c)) != std::string_view::npos;
}

struct parameter {
  std::string name, value;
};

// "; name=value; name="value"" after a media type or a disposition. A
// quoted value takes no backslash escapes: browsers percent-encode '"'
// instead (WHATWG HTML, "multipart/form-data encoding algorithm"). No
// control character is taken in a value; a name given twice is refused.
std::optional<std::vector<parameter>> parameters(std::string_view rest) {
  std::vector<parameter> out;
  while (true) {
    rest = trim(rest);
    if (rest.empty()) return out;
    if (rest.front() != ';') return std::nullopt;
    rest = trim(rest.substr(1));
    std::size_t i = 0;
    while (i < rest.size() && token_char(static_cast<unsigned char>(rest[i]))) ++i;
    if (i == 0 || i >= rest.size() || rest[i] != '=') return std::nullopt;
    parameter p{lower(rest.substr(0, i)), {}};
    rest = rest.substr(i + 1);
    if (!rest.empty() && rest.front() == '"') {
      const auto close = rest.find('"', 1);
      if (close == std::string_view::npos) return std::nullopt;
      p.value = std::string(rest.substr(1, close - 1));
      rest = rest.substr(close + 1);
    } else {
      std::size_t j = 0;
      while (j < rest.size() && token_char(static_cast<unsigned char>(rest[j]))) ++j;
      if (j == 0) return std::nullopt;
      p.value = std::string(rest.substr(0, j));
      rest = rest.substr(j);
    }
    for (unsigned char c : p.value)
      if (c < 0x20 || c == 0x7f) return std::nullopt;
    for (const auto& q : out)
      if (q.name == p.name) return std::nullopt;
    out.push_back(std::move(p));
  }
}

std::optional<std::string> find(const std::vector<parameter>& ps, std::string_view name) {
  for (const auto& p : ps)
    if (p.name == name) return p.value;
  return std::nullopt;
}

multipart_reading refuse(std::string why) {
  multipart_reading out;
  out.error = std::move(why);
  return out;
}

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
  const auto semi = content_type.find(';');
  if (lower(trim(content_type.substr(0, semi))) != "multipart/form-data" || semi == std::string_view::npos) return {};
  const auto ps = parameters(content_type.substr(semi));
  if (!ps) return {};
  auto b = find(*ps, "boundary");
  if (!b || b->empty() || b->size() > 70 || b->back() == ' ') return {};
  for (unsigned char c : *b)
    if (!boundary_char(c)) return {};
  return *b;
}

multipart_reading parse_multipart(std::string_view body, std::string_view boundary, const multipart_limits& limits) {
  if (boundary.empty() || boundary.size() > 70) return refuse("the boundary is not 1 to 70 characters");
  const std::string delimiter = "--" + std::string(boundary);
  const std::string next_delimiter = "\r\n" + delimiter;
  // No preamble: RFC 2046 allows one, browsers write none.
  if (!body.starts_with(delimiter)) return refuse("the body does not start with the boundary");
  form fields;
  std::vector<form_file> files;
  std::size_t text_bytes = 0, parts = 0;
  std::size_t pos = delimiter.size();
  while (true) {
    const auto after = body.substr(pos, 2);
    if (after == "--") {
      // The close delimiter, then at most a CRLF.
      const auto epilogue = body.substr(pos + 2);
      if (!epilogue.empty() && epilogue != "\r\n") return refuse("bytes follow the closing boundary");
      break;
    }
    if (after != "\r\n") return refuse("a boundary line is not followed by CRLF");
    pos += 2;
    if (++parts > limits.max_parts) return refuse("too many parts");
    const auto head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string_view::npos || head_end - pos > limits.max_head_bytes)
      return refuse("a part's header fields never end or are too long");
    auto head = body.substr(pos, head_end - pos);
    std::optional<std::vector<parameter>> disposition;
    std::optional<std::string> content_type;
    while (!head.empty()) {
      const auto eol = head.find("\r\n");
      const auto line = head.substr(0, eol);
      head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) return refuse("a part's header line has no field name");
      for (unsigned char c : line.substr(0, colon))
        if (!token_char(c)) return refuse("a part's header field name is not a token");
      for (unsigned char c : line.substr(colon + 1))
        if ((c < 0x20 && c != '\t') || c == 0x7f) return refuse("a part's header field holds a control character");
      const auto field = lower(line.substr(0, colon));
      const auto value = trim(line.substr(colon + 1));
      if (field == "content-disposition") {
        if (disposition) return refuse("a part has two Content-Disposition fields");
        const auto semi = value.find(';');
        if (lower(trim(value.substr(0, semi))) != "form-data") return refuse("a part's Content-Disposition is not form-data");
        disposition = semi == std::string_view::npos ? std::optional<std::vector<parameter>>(std::vector<parameter>{})
                                                     : parameters(value.substr(semi));
        if (!disposition) return refuse("a part's Content-Disposition cannot be read");
      } else if (field == "content-type") {
        if (content_type) return refuse("a part has two Content-Type fields");
        content_type = std::string(value);
      } else {
        return refuse("a part has a header field browsers do not send: " + field);
      }
    }
    if (!disposition) return refuse("a part has no Content-Disposition");
    const auto name = find(*disposition, "name");
    if (!name || name->empty()) return refuse("a part has no name");
    for (const auto& p : *disposition)
      if (p.name != "name" && p.name != "filename") return refuse("a part's Content-Disposition has the parameter " + p.name);
    pos = head_end + 4;
    const auto end = body.find(next_delimiter, pos);
    if (end == std::string_view::npos) return refuse("a part is not closed by the boundary");
    const auto content = body.substr(pos, end - pos);
    pos = end + next_delimiter.size();
    if (const auto filename = find(*disposition, "filename")) {
      if (filename->size() > limits.max_filename_bytes) return refuse("a file's name is too long");
      if (files.size() >= limits.max_files) return refuse("too many files");
      files.push_back({*name, *filename, content_type.value_or(""), std::string(content)});
      continue;
    }
    // A text field: no Content-Type, or text/plain (RFC 7578 4.4).
    if (content_type && lower(trim(std::string_view(*content_type).substr(0, content_type->find(';')))) != "text/plain")
      return refuse("a text field has a Content-Type other than text/plain");
    text_bytes += name->size() + content.size();
    if (text_bytes > limits.max_text_bytes) return refuse("the text fields are too long");
    fields.fields.emplace_back(*name, std::string(content));
  }
  multipart_reading out;
  out.fields = std::move(fields);
  out.files = std::move(files);
  return out;
}

}  // namespace banditore::http

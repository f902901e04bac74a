// A console form with a file as a browser posts it (http::multipart_boundary
// on a Content-Type, then http::parse_multipart): the input's first line is
// the Content-Type, the rest the body. Either a form or a reason, never
// both; the limits hold; and what was read, written again as a browser
// writes it, reads back the same.
#include "check.hpp"

#include <banditore/http/multipart.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

std::string encode(const banditore::http::multipart_reading& r, const std::string& boundary) {
  std::string out;
  for (const auto& [name, value] : r.fields->fields)
    out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  for (const auto& f : r.files) {
    out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.field + "\"; filename=\"" + f.filename + "\"\r\n";
    if (!f.content_type.empty()) out += "Content-Type: " + f.content_type + "\r\n";
    out += "\r\n" + f.bytes + "\r\n";
  }
  return out + "--" + boundary + "--\r\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto input = fuzz::bytes(data, size);
  const auto nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  const auto content_type = input.substr(0, nl);
  const auto body = input.substr(nl + 1);
  const auto boundary = http::multipart_boundary(content_type);
  require(boundary.size() <= 70, "a boundary has at most 70 characters");
  require(boundary.empty() || boundary.back() != ' ', "a boundary does not end in a space");
  // The body is read with the boundary found, or with a fixed one.
  const std::string b = boundary.empty() ? std::string("xYz") : boundary;
  const http::multipart_limits limits;
  const auto r = http::parse_multipart(body, b, limits);
  require(r.fields.has_value() == r.error.empty(), "either a form, or refused with a reason");
  if (!r.fields) return 0;
  require(r.fields->fields.size() + r.files.size() <= limits.max_parts, "at most max_parts parts");
  require(r.files.size() <= limits.max_files, "at most max_files files");
  std::size_t text = 0;
  for (const auto& [name, value] : r.fields->fields) {
    require(!name.empty(), "a field has a name");
    text += name.size() + value.size();
  }
  require(text <= limits.max_text_bytes, "the text fields keep their bound");
  for (const auto& f : r.files) {
    require(!f.field.empty(), "a file has a field name");
    require(f.filename.size() <= limits.max_filename_bytes, "a file name keeps its bound");
  }
  // Written again (text fields first, then files, as the order of each
  // kind is what a reader keeps), it reads back the same.
  http::multipart_limits wider = limits;
  wider.max_head_bytes = 2 * limits.max_head_bytes + 256;
  const auto again = http::parse_multipart(encode(r, b), b, wider);
  require(again.fields.has_value(), "what was read, written again, is read again");
  require(again.fields->fields == r.fields->fields, "the text fields read back the same");
  require(again.files.size() == r.files.size(), "the files read back");
  for (std::size_t i = 0; i < r.files.size(); ++i) {
    require(again.files[i].field == r.files[i].field && again.files[i].filename == r.files[i].filename,
            "a file's names read back the same");
    require(again.files[i].content_type == r.files[i].content_type, "a file's type reads back the same");
    require(again.files[i].bytes == r.files[i].bytes, "a file's bytes read back the same");
  }
  return 0;
}

// multipart/form-data as a browser posts a form with a file (RFC 7578, on
// the multipart syntax of RFC 2046 section 5.1.1, with the WHATWG HTML
// standard's encoding of names: '"', CR and LF percent-encoded). Strict and
// bounded, since the bytes come from outside: no preamble, only the header
// fields browsers write (Content-Disposition: form-data with a name and
// perhaps a filename; Content-Type), bounded part count, header size,
// text size and file count. The console's compose form, which carries an
// attachment, is read with it.
#pragma once

#include <banditore/http/form.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::http {

struct form_file {
  std::string field;         // the input's name
  std::string filename;      // as sent; empty when the input held no file
  std::string content_type;  // as declared; empty when none
  std::string bytes;
};

struct multipart_limits {
  std::size_t max_parts = max_form_fields;
  std::size_t max_files = 1;
  std::size_t max_text_bytes = 64 * 1024;   // all text fields' names and values together
  std::size_t max_head_bytes = 2 * 1024;    // one part's header fields
  std::size_t max_filename_bytes = 1024;
};

struct multipart_reading {
  std::optional<form> fields;  // the text fields in order; none: not well formed
  std::vector<form_file> files;
  std::string error;           // why not, when not
};

// The boundary of a Content-Type of multipart/form-data: 1 to 70 of RFC
// 2046's bchars, not ending in a space; empty for another type or a
// missing or invalid boundary.
std::string multipart_boundary(std::string_view content_type);

multipart_reading parse_multipart(std::string_view body, std::string_view boundary, const multipart_limits& limits = {});

}  // namespace banditore::http

// multipart/form-data read as a server reads it (RFC 7578, on the
// multipart syntax of RFC 2046 section 5.1.1): wa-sim takes media uploads
// with it. Written from the RFCs, not from banditore's writer, so a test
// fails when banditore writes what a strict server would not read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::testing {

struct form_part {
  std::string name;          // Content-Disposition: form-data; name="..."
  std::string filename;      // its filename parameter, if any
  std::string content_type;  // the part's Content-Type; empty when absent (text/plain by RFC 7578 4.4)
  std::string body;
};

struct form_reading {
  std::optional<std::vector<form_part>> parts;  // none: not well formed
  std::string error;                            // why, when not
};

// The boundary parameter of a Content-Type of multipart/form-data; empty
// when the type is another or the boundary is missing or invalid (1 to 70
// characters, RFC 2046 5.1.1).
std::string form_boundary(std::string_view content_type);

// The parts of body, delimited by "--boundary" lines with CRLF line ends
// and closed by "--boundary--". Each part needs a Content-Disposition of
// form-data with a name.
form_reading read_form(std::string_view body, std::string_view boundary);

}  // namespace banditore::testing

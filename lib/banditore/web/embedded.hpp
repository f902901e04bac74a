// The files of web/templates/ and web/static/, embedded into the binary at
// build time (cmake/embed_files.cmake): the pages a binary serves are the
// ones it was built with, and nothing is read from disk at run time.
#pragma once

#include <string_view>
#include <vector>

namespace banditore::web {

struct embedded_file {
  std::string_view name;     // "templates/home.mustache", "static/public.css"
  std::string_view content;
};

const std::vector<embedded_file>& embedded_files();

}  // namespace banditore::web

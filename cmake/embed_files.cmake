# Writes files into a C++ source as raw string literals, each named by its
# path under BASE: the public pages' templates and styles travel inside the
# binary, like schema.sql, so what runs is what was built.
# -DBASE=dir -DOUT=file.cpp -DFILES="a|b|..." (absolute paths under BASE)
string(REPLACE "|" ";" FILES "${FILES}")
set(body "// Generated from the files under ${BASE}; do not edit.\n#include <banditore/web/embedded.hpp>\nnamespace banditore::web {\nconst std::vector<embedded_file>& embedded_files() {\n  static const std::vector<embedded_file> files = {\n")
foreach(f IN LISTS FILES)
  file(READ "${f}" content)
  file(RELATIVE_PATH name "${BASE}" "${f}")
  string(FIND "${content}" ")embedded\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} contains the raw string delimiter )embedded\"")
  endif()
  string(APPEND body "      {\"${name}\", R\"embedded(${content})embedded\"},\n")
endforeach()
string(APPEND body "  };\n  return files;\n}\n}  // namespace banditore::web\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)

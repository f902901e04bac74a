# Writes schema.sql into a C++ source as a raw string literal.
file(READ "${IN}" sql)
file(WRITE "${OUT}.tmp" "// Generated from schema.sql; do not edit.\n#include <string_view>\nnamespace banditore::store::sqlite {\nextern const std::string_view schema_sql;\nconst std::string_view schema_sql = R\"schema_sql(${sql})schema_sql\";\n}\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)

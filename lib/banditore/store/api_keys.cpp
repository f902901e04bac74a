#include <banditore/store/api_keys.hpp>

#include <banditore/domain/comma_list.hpp>
#include <banditore/domain/utf8.hpp>

#include <algorithm>

namespace banditore::store {

bool valid_scope(std::string_view scope) {
  return std::find(api_scopes.begin(), api_scopes.end(), scope) != api_scopes.end();
}

std::vector<std::string> split_scopes(std::string_view text) { return domain::split_comma_list(text); }

bool key_info::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

key_problem check_key_name(std::string_view name) {
  if (name.empty()) return key_problem::no_name;
  const auto length = domain::utf8::count_code_points(name);
  if (!length) return key_problem::bad_name;
  if (*length > max_key_name_length) return key_problem::name_too_long;
  if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) return key_problem::name_digits;
  if (name.starts_with(token_scheme)) return key_problem::name_token;
  if (std::any_of(name.begin(), name.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
      }))
    return key_problem::bad_name;
  return key_problem::none;
}

key_problem check_key_scopes(const std::vector<std::string>& scopes) {
  if (scopes.empty()) return key_problem::no_scope;
  for (const auto& s : scopes)
    if (!valid_scope(s)) return key_problem::bad_scope;
  return key_problem::none;
}

bool well_formed_token(std::string_view text) {
  if (text.size() != token_length || !text.starts_with(token_scheme)) return false;
  return std::all_of(text.begin() + token_scheme.size(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace banditore::store

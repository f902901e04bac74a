#include <banditore/store/api_keys.hpp>

#include <banditore/domain/comma_list.hpp>

#include <algorithm>

namespace banditore::store {

bool valid_scope(std::string_view scope) {
  return std::find(api_scopes.begin(), api_scopes.end(), scope) != api_scopes.end();
}

std::vector<std::string> split_scopes(std::string_view text) { return domain::split_comma_list(text); }

bool key_info::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

bool well_formed_token(std::string_view text) {
  if (text.size() != token_length || !text.starts_with(token_scheme)) return false;
  return std::all_of(text.begin() + token_scheme.size(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace banditore::store

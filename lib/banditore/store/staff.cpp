#include <banditore/store/staff.hpp>

#include <banditore/domain/utf8.hpp>

#include <algorithm>

namespace banditore::store {

bool valid_staff_role(std::string_view role) {
  return std::find(staff_roles.begin(), staff_roles.end(), role) != staff_roles.end();
}

std::optional<std::string> normalise_staff_email(std::string_view email) {
  while (!email.empty() && (email.front() == ' ' || email.front() == '\t')) email.remove_prefix(1);
  while (!email.empty() && (email.back() == ' ' || email.back() == '\t')) email.remove_suffix(1);
  if (email.empty() || email.size() > max_staff_email_length) return std::nullopt;
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return std::nullopt;
  const auto domain = email.substr(at + 1);
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.')
    return std::nullopt;
  std::string out;
  for (char c : email) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u == 0x7f || c == ',' || c == '<' || c == '>' || c == '"') return std::nullopt;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

staff_problem check_staff_name(std::string_view name) {
  if (name.find_first_not_of(" \t") == std::string_view::npos) return staff_problem::no_name;
  const auto n = domain::utf8::count_code_points(name);
  if (!n) return staff_problem::bad_name;
  if (*n > max_staff_name_length) return staff_problem::name_too_long;
  if (std::any_of(name.begin(), name.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
      }))
    return staff_problem::bad_name;
  return staff_problem::none;
}

bool well_formed_session_token(std::string_view text) {
  return text.size() == session_token_length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_';
         });
}

std::string_view to_string(login_failure f) {
  switch (f) {
    case login_failure::unknown_account: return "unknown_account";
    case login_failure::wrong_password: return "wrong_password";
    case login_failure::disabled: return "disabled";
    case login_failure::wrong_code: return "wrong_code";
    case login_failure::throttled: return "throttled";
  }
  return "unknown";
}

}  // namespace banditore::store

#include <banditore/config/effective_settings.hpp>

#include <banditore/config/approval_settings.hpp>
#include <banditore/config/cap_settings.hpp>
#include <banditore/config/console_settings.hpp>
#include <banditore/config/ops_settings.hpp>
#include <banditore/config/public_settings.hpp>

namespace banditore::config {

std::vector<setting_doc> all_documented_settings() {
  std::vector<setting_doc> all = documented_settings();
  for (const auto* more : {&cap_setting_docs(), &documented_ops_settings(), &documented_console_settings(),
                           &documented_approval_settings(), &documented_public_settings()})
    all.insert(all.end(), more->begin(), more->end());
  return all;
}

std::string mask_url_credentials(std::string_view value) {
  std::string out;
  std::size_t from = 0;
  // Each "scheme://userinfo@" in the value (a list may hold several URLs).
  for (auto scheme = value.find("://"); scheme != std::string_view::npos; scheme = value.find("://", from)) {
    const auto start = scheme + 3;
    const auto end = value.find_first_of("/,; ", start);
    const auto host_part = value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const auto at = host_part.rfind('@');
    out.append(value.substr(from, start - from));
    if (at != std::string_view::npos) {
      out += "***";
      from = start + at;
    } else {
      from = start;
    }
  }
  out.append(value.substr(from));
  return out;
}

std::vector<effective_setting> effective_settings(const env_lookup& env) {
  std::vector<effective_setting> out;
  for (const auto& d : all_documented_settings()) {
    effective_setting e{d.name, {}, d.meaning, d.secret, false};
    const auto value = env(d.name);
    if (d.secret) {
      const auto file = env(d.name + "_FILE");
      e.from_environment = (value && !value->empty()) || (file && !file->empty());
    } else {
      e.from_environment = value.has_value();
      e.value = mask_url_credentials(value ? *value : d.default_value);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace banditore::config

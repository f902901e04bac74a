// Every setting the service reads, with the value it runs with: for the
// console's settings page and `banditore --help`'s list. A secret's value
// never leaves here, only whether it is set; a URL's credentials neither.
#pragma once

#include <banditore/config/settings.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace banditore::config {

// The documented settings of every part (settings, CAP, operations,
// console, approval, public pages), in that order.
std::vector<setting_doc> all_documented_settings();

struct effective_setting {
  std::string name;
  std::string value;  // as the service reads it; empty for a secret
  std::string meaning;
  bool secret = false;
  bool from_environment = false;  // set (or NAME_FILE for a secret); otherwise the default
};
std::vector<effective_setting> effective_settings(const env_lookup& env);

// "https://user:pass@host/x" reads "https://***@host/x": a feed's URL may
// carry a password.
std::string mask_url_credentials(std::string_view value);

}  // namespace banditore::config

#include <banditore/config/public_settings.hpp>

#include <algorithm>
#include <stdexcept>

namespace banditore::config {

namespace {

bool printable_without_spaces(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f && c != '"' && c != '<' && c != '>' && c != '\\';
  });
}

}  // namespace

public_settings public_from_environment(const env_lookup& env) {
  public_settings s;
  if (auto n = env("BANDITORE_PUBLIC_NUMBER"); n && !n->empty()) {
    // Citizens copy it from the page: digits in international form, with
    // the spaces, dashes and dots people write numbers with.
    std::size_t digits = 0;
    for (std::size_t i = 0; i < n->size(); ++i) {
      const char c = (*n)[i];
      if (c >= '0' && c <= '9') ++digits;
      else if (!(c == ' ' || c == '-' || c == '.' || (c == '+' && i == 0)))
        throw std::invalid_argument("BANDITORE_PUBLIC_NUMBER may hold only digits, spaces, dashes, dots and a "
                                    "leading +, got '" + *n + "'");
    }
    if (digits < 8 || digits > 15)
      throw std::invalid_argument("BANDITORE_PUBLIC_NUMBER must have 8 to 15 digits with the country code "
                                  "(e.g. +39 0545 123456), got '" + *n + "'");
    if (n->front() != '+' && (*n)[0] == '0')
      throw std::invalid_argument("BANDITORE_PUBLIC_NUMBER must start with the country code (e.g. +39), got '" + *n +
                                  "'");
    s.number = *n;
  }
  if (auto u = env("BANDITORE_PUBLIC_URL"); u && !u->empty()) {
    std::string url = *u;
    while (!url.empty() && url.back() == '/') url.pop_back();
    const bool scheme = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
    const auto host_at = url.find("://") + 3;
    if (!scheme || url.size() <= host_at || !printable_without_spaces(url) || url.find('?') != std::string::npos ||
        url.find('#') != std::string::npos)
      throw std::invalid_argument("BANDITORE_PUBLIC_URL must be an http(s) URL without query, e.g. "
                                  "https://avvisi.comune.example.it, got '" + *u + "'");
    s.base_url = url;
  }
  if (auto c = env("BANDITORE_PUBLIC_CAP_SENDER"); c && !c->empty()) {
    // CAP 1.2: sender has no spaces, commas or restricted characters (& <).
    if (!printable_without_spaces(*c) || c->find(',') != std::string::npos || c->find('&') != std::string::npos)
      throw std::invalid_argument("BANDITORE_PUBLIC_CAP_SENDER must have no spaces, commas, & or <, got '" + *c +
                                  "'");
    s.cap_sender = *c;
  }
  return s;
}

const std::vector<setting_doc>& documented_public_settings() {
  static const std::vector<setting_doc> docs = {
      {"BANDITORE_PUBLIC_NUMBER", "",
       "the business number as citizens write to it (+39 0545 123456), shown on the public pages with its "
       "click-to-chat link and QR code; unset, the pages say it is not published yet"},
      {"BANDITORE_PUBLIC_URL", "",
       "the address the public pages are reached at (https://avvisi.comune.example.it), used for the links of the "
       "Atom and CAP feeds and the poster; unset, http://<listen address>"},
      {"BANDITORE_PUBLIC_CAP_SENDER", "",
       "the CAP <sender> of the documents published at /cap/ (no spaces or commas); unset, the host of "
       "BANDITORE_PUBLIC_URL"},
  };
  return docs;
}

}  // namespace banditore::config

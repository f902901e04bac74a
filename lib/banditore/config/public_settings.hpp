// Settings of the public pages (/, /avvisi, the Atom and CAP feeds): the
// business number shown to citizens, and the address the pages are
// reached at, which absolute links (feeds, CAP documents, the poster)
// are written with.
#pragma once

#include <banditore/config/settings.hpp>

#include <string>
#include <vector>

namespace banditore::config {

struct public_settings {
  // The business number as citizens write to it ("+39 0545 123456"),
  // shown on the pages with its click-to-chat link and QR code. Empty:
  // the pages say it is not published yet.
  std::string number;
  // "https://avvisi.comune.example.it" (no trailing slash). Empty: the
  // service's own address, http://<listen address>, good for a test only.
  std::string base_url;
  // CAP <sender> of the documents published; empty: the host of base_url.
  std::string cap_sender;
};

// Throws std::invalid_argument naming the variable and the problem.
public_settings public_from_environment(const env_lookup& env);

// The entries for `banditore --help` and docs/configuration.md.
const std::vector<setting_doc>& documented_public_settings();

}  // namespace banditore::config

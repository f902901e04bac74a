// `banditore keys`: creating, listing and revoking the API keys of the REST
// API from the command line. `keys create` prints the new token alone on
// the last line of stdout (a stable interface: scripts read that line).
#pragma once

#include <banditore/config/settings.hpp>

#include <string>
#include <vector>

// args are what follows `keys` on the command line. Returns the exit code:
// 0 ok, 1 failure, 2 usage error, 3 configuration error.
int run_keys_command(const banditore::config::settings& settings, const std::vector<std::string>& args);

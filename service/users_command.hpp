// `banditore users`: the staff accounts of the console, from the command
// line (the first admin of a deployment is created here). A temporary
// password, the TOTP secret and the recovery codes are printed once and
// never stored in clear.
#pragma once

#include <banditore/config/settings.hpp>

#include <string>
#include <vector>

// args are what follows `users` on the command line. Returns the exit code:
// 0 ok, 1 failure, 2 usage error, 3 configuration error.
int run_users_command(const banditore::config::settings& settings, const std::vector<std::string>& args);

// `banditore alerts` and `banditore send`: the operator's hand on alerts
// straight on the local database, for when the REST API and its keys are not
// at hand. The running service's planner picks up what `send` writes.
#pragma once

#include <banditore/config/settings.hpp>

#include <string>
#include <vector>

// args are what follows `alerts` on the command line (list, show, cancel).
// Returns the exit code: 0 ok, 1 failure, 2 usage error, 3 configuration error.
int run_alerts_command(const banditore::config::settings& settings, const std::vector<std::string>& args);

// args are what follows `send`. Prints the new alert's id on stdout and,
// unless --no-wait, follows its broadcast on stderr until it ends.
int run_send_command(const banditore::config::settings& settings, const std::vector<std::string>& args);

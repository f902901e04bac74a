// `banditore backup PATH`: a consistent copy of the live database, taken
// while the service runs. Restoring it needs the key file as well: without
// the keys the numbers in it cannot be read (docs/operations.md).
#pragma once

#include <banditore/config/settings.hpp>

#include <string>
#include <vector>

// args are what follows `backup` on the command line. Returns the exit
// code: 0 ok, 1 failure, 2 usage error, 3 configuration error.
int run_backup_command(const banditore::config::settings& settings, const std::vector<std::string>& args);

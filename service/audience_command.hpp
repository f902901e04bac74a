// `banditore towns|topics|areas`: the deployment's audience from the
// command line (list, add, update, remove), by the same rules as the REST
// API's /v1/towns, /v1/topics and /v1/areas.
#pragma once

#include <banditore/config/settings.hpp>

#include <string>
#include <vector>

// command is "towns", "topics" or "areas"; args what follows it. Returns
// the exit code: 0 ok, 1 failure (unknown id, id taken, a town with areas),
// 2 usage error (arguments, a value that breaks a rule), 3 configuration.
int run_audience_command(const banditore::config::settings& settings, const std::string& command,
                         const std::vector<std::string>& args);

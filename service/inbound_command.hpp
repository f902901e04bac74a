// `banditore inbound`: what citizens wrote, for the operator. `unknown`
// lists the most frequent texts that were not understood (answered with
// the help text or the reply buttons), digits masked, so the words the
// service understands can grow from real use.
#pragma once

#include <banditore/config/settings.hpp>

#include <string>
#include <vector>

// args are what follows `inbound`. Returns the exit code: 0 ok, 1 failure,
// 2 usage error, 3 configuration error.
int run_inbound_command(const banditore::config::settings& settings, const std::vector<std::string>& args);

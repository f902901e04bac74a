// `banditore subscribers`: the operator's side of the subscriber list.
// lookup and forget answer GDPR access and erasure requests for one number,
// count gives the size of the list, import brings in a town's existing
// WhatsApp Business broadcast list from CSV. Output never contains a
// number other than the one the operator typed.
#pragma once

#include <banditore/config/settings.hpp>

#include <string>
#include <vector>

// args are what follows `subscribers` on the command line. Returns the exit
// code: 0 ok, 1 failure, 2 usage error, 3 configuration error.
int run_subscribers_command(const banditore::config::settings& settings, const std::vector<std::string>& args);

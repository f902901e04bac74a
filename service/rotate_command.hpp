// `banditore rotate-keys`: seals every stored phone number again under a new
// encryption key while the service keeps running on the same database
// (app/key_rotation.hpp). Prints counts and the new key fingerprint, never
// a key or a number.
#pragma once

#include <banditore/config/settings.hpp>

#include <string>
#include <vector>

// args are what follows `rotate-keys` on the command line. Returns the exit
// code: 0 ok, 1 failure, 2 usage error, 3 configuration error.
int run_rotate_keys_command(const banditore::config::settings& settings, const std::vector<std::string>& args);

// A configuration error: what stops the service at start-up because a
// setting is wrong, with the variable that is. The command line turns it
// into exit code 3 (a restart cannot mend it) and names the variable.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace banditore::config {

class config_error : public std::invalid_argument {
 public:
  // what() reads "VARIABLE: problem".
  config_error(std::string variable, const std::string& problem)
      : std::invalid_argument(variable + ": " + problem), variable_(std::move(variable)) {}

  const std::string& variable() const noexcept { return variable_; }

 private:
  std::string variable_;
};

// The first BANDITORE_* name in a message ("BANDITORE_LANGUAGE must be ..."),
// which is how the settings readers name the variable; empty when none.
std::string variable_named_in(std::string_view message);

}  // namespace banditore::config

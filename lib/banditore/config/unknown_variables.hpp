// Misspelt settings: every BANDITORE_* variable in the environment that the
// service does not read, with the known name closest to it, so an operator
// who wrote BANDITORE_WA_TOKKEN learns it at start-up instead of wondering
// why the default is in force.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace banditore::config {

struct unknown_variable {
  std::string name;
  std::string closest;  // empty when no known name is near enough to suggest
};

// Every name the service reads: the documented settings (--help), the
// NAME_FILE form of each secret, and the variables of the project's own
// scripts that may be exported around it (BANDITORE_PRESET ...).
std::vector<std::string> known_variable_names();

// The names in `present` that start with BANDITORE_ and are not in
// `known`, in the order given. A suggestion is made when the closest known
// name is at most a third of the name's length away in edits (insert,
// delete, replace or swap two neighbours), and at least one edit.
std::vector<unknown_variable> find_unknown_variables(const std::vector<std::string>& present,
                                                     const std::vector<std::string>& known);

// Edits from a to b: insertions, deletions, replacements and swaps of two
// neighbouring characters (optimal string alignment distance).
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace banditore::config

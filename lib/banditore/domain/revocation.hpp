// A CAP Cancel of alerts broadcast here: a revocation is owed only if one
// of them may have reached a phone, and the most severe of them sets its
// severity (and so its priority).
#pragma once

#include <banditore/domain/alert.hpp>

#include <optional>
#include <string>
#include <vector>

namespace banditore::domain {

struct cancelled_broadcast {
  std::string severity;      // as stored ("severe", ...)
  bool may_have_reached = false;  // a delivery sending, sent, delivered or read
};

struct revocation {
  bool owed = false;
  std::optional<severity> level;  // the most severe of the originals, if any is known
};

revocation revocation_for(const std::vector<cancelled_broadcast>& originals);

}  // namespace banditore::domain

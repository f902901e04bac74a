#include <banditore/domain/revocation.hpp>

namespace banditore::domain {

revocation revocation_for(const std::vector<cancelled_broadcast>& originals) {
  revocation out;
  for (const auto& o : originals) {
    out.owed = out.owed || o.may_have_reached;
    auto s = parse_severity(o.severity);
    if (s && (!out.level || priority_of(*s) < priority_of(*out.level))) out.level = s;
  }
  return out;
}

}  // namespace banditore::domain

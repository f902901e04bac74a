// Wall-clock time for the people reading an alert built from CAP: the same
// clock as the rest of the service, domain/local_time.hpp (the system's
// time-zone database), under the names CAP code has always used.
#pragma once

#include <banditore/domain/local_time.hpp>

namespace banditore::cap {

using domain::is_known_zone;
using domain::to_local;
using domain::utc_offset;

}  // namespace banditore::cap

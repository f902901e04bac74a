// The text of a JSON answer. Bytes that are not UTF-8 (text stored before
// input was checked, a detail quoting a peer) come out as U+FFFD: nlohmann's
// plain dump() throws on them, and the answer would be a 500 for reading
// what was stored.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace banditore::http {

std::string json_text(const nlohmann::json& value);

}  // namespace banditore::http

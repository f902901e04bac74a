// What a deployment's catalogue of towns, topics and areas may hold, and
// whether a change to it is allowed: the rules the REST API, the command
// line and every store apply alike. Pure functions of the catalogue as it
// is; the store applies them inside the transaction that writes.
#pragma once

#include <banditore/domain/audience.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace banditore::domain {

inline constexpr std::size_t max_audience_id_length = 40;
inline constexpr std::size_t max_audience_name_length = 80;  // characters
inline constexpr std::size_t max_keywords = 20;
inline constexpr std::size_t max_keyword_length = 40;  // characters

enum class catalogue_kind { town, topic, area };
std::string_view to_string(catalogue_kind);  // "town", "topic", "area"

using catalogue_entry = std::variant<town, topic, area>;
catalogue_kind kind_of(const catalogue_entry&);
const std::string& id_of(const catalogue_entry&);

// Lowercase ASCII letters, digits and dashes, 1 to 40 of them: ids appear
// in URLs, in WhatsApp button payloads and in the consent log.
bool valid_audience_id(std::string_view id);

enum class catalogue_outcome {
  done,
  not_found,  // no entry of that kind with that id
  duplicate,  // the id is taken (by an entry of the same kind)
  invalid,    // a field breaks a rule: field and reason say which
  in_use,     // a town that still has areas: reason names them
};

struct catalogue_verdict {
  catalogue_outcome outcome = catalogue_outcome::done;
  std::string field;   // for invalid: "id", "name", "keywords", "istat_code", "town", "polygon"
  std::string reason;  // for invalid and in_use, a phrase after the field
  std::int64_t chosen_by = 0;  // for in_use by subscribers: how many chose the entry
  bool ok() const { return outcome == catalogue_outcome::done; }
};

// The fields of one entry alone (ids, lengths, keywords, the ISTAT code).
std::optional<catalogue_verdict> check_fields(const catalogue_entry& entry);

// Whether the change may be made to the catalogue as it is.
catalogue_verdict check_add(const audience_catalogue& current, const catalogue_entry& entry);
catalogue_verdict check_update(const audience_catalogue& current, const catalogue_entry& entry);
catalogue_verdict check_remove(const audience_catalogue& current, catalogue_kind kind, std::string_view id);

// Makes a checked change to an in-memory catalogue (what check_* allowed).
void apply_add(audience_catalogue& catalogue, const catalogue_entry& entry);
void apply_update(audience_catalogue& catalogue, const catalogue_entry& entry);
void apply_remove(audience_catalogue& catalogue, catalogue_kind kind, std::string_view id);

// The one town of a deployment configured before towns were stored:
// BANDITORE_TOWN ("Lugo", "Comune di Lugo") gives its name and an id
// made of it ("lugo"); without a setting, "comune" named "Comune".
town configured_town(std::string_view town_setting);

}  // namespace banditore::domain

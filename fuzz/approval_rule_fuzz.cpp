// BANDITORE_APPROVAL_RULE as an operator types it: any text is refused with
// a reason or read into a rule, and a rule read back from its own text is
// the same rule (it decides every category and severity alike).
#include "check.hpp"

#include <banditore/domain/approval_rule.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto text = fuzz::bytes(data, size);
  const auto parsed = domain::parse_approval_rule(text);
  require(parsed.rule.has_value() != !parsed.error.empty(), "a rule, or a reason, never both");
  if (!parsed.rule) {
    require(parsed.error.size() < 2 * text.size() + 400, "a refusal quotes at most the rule");
    return 0;
  }
  const auto again = domain::parse_approval_rule(parsed.rule->text());
  require(again.rule.has_value(), "a rule's own text reads back");
  require(again.rule->text() == parsed.rule->text(), "a rule's text is stable");
  for (auto category : domain::categories)
    for (auto level : {domain::severity::minor, domain::severity::moderate, domain::severity::severe,
                       domain::severity::extreme})
      require(again.rule->needs_approval(category, level) == parsed.rule->needs_approval(category, level),
              "the text decides as the rule does");
  return 0;
}

// The published feeds and CAP documents checked by tools nobody here
// wrote: xmllint against the schemas of the tests (tests/fixtures/schemas:
// CAP 1.2 and Atom as their standards' texts define them, docs/testing.md).
#pragma once

#include <filesystem>
#include <string>
#include <utility>

namespace harness {

// xmllint's verdict on a file: a ".xml" file against the CAP 1.2 schema,
// any other against Atom's; its exit status (0: valid) and what it said.
// Where an operator has the official files, BANDITORE_TEST_CAP_XSD and
// BANDITORE_TEST_ATOM_RNG point the check at them instead.
std::pair<int, std::string> validate_xml(const std::filesystem::path& file);

// The rules of RFC 4287 that RELAX NG cannot say (the RFC writes them as
// Schematron in its Appendix B): a feed has an author unless every entry
// has one; an entry without content has an alternate link; a feed or
// entry has at most one alternate link per type and hreflang (4.1.1,
// 4.1.2). The first rule broken, or "" when none is.
std::string atom_rule_broken(const std::string& feed_text);

}  // namespace harness

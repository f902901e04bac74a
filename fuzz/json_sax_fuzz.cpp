// The JSON event adapter (json/sax.hpp) reads every Cloud API send answer
// and wa-sim's send requests; nlohmann::json reads everything else. For any
// text the two must agree: the same verdict, and the same events in the
// same order (RFC 8259 for what is JSON).
#include "check.hpp"

#include <banditore/json/sax.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using json = nlohmann::json;
using banditore::fuzz::require;

// Every event written down; numbers apart, so doubles can be compared
// with the tolerance of Boost.JSON 1.81's (not always correctly rounded)
// number parser.
struct recorder {
  std::vector<std::string> events;
  std::vector<double> floats;
  std::size_t depth = 0, max_depth = 0;
  bool non_finite = false;

  bool null() { return note("null"); }
  bool boolean(bool b) { return note(b ? "true" : "false"); }
  // nlohmann reports a non-negative integer as unsigned, Boost.JSON as
  // int64 when it fits: the same number either way.
  bool number_integer(json::number_integer_t i) { return note("int " + std::to_string(i)); }
  bool number_unsigned(json::number_unsigned_t u) {
    if (u <= static_cast<std::uint64_t>(INT64_MAX)) return note("int " + std::to_string(u));
    return note("uint " + std::to_string(u));
  }
  bool number_float(json::number_float_t d, const json::string_t&) {
    if (!std::isfinite(d)) non_finite = true;
    floats.push_back(d);
    return note("float");
  }
  bool binary(json::binary_t&) { return note("binary"); }
  bool string(json::string_t& s) { return note("string " + s); }
  bool key(json::string_t& k) { return note("key " + k); }
  bool start_object(std::size_t) { return open("{"); }
  bool end_object() { return close("}"); }
  bool start_array(std::size_t) { return open("["); }
  bool end_array() { return close("]"); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

  bool open(const char* e) {
    max_depth = std::max(max_depth, ++depth);
    return note(e);
  }
  bool close(const char* e) {
    --depth;
    return note(e);
  }
  bool note(std::string e) {
    events.push_back(std::move(e));
    return true;
  }
};

// A number whose exponent has four or more significant digits ("5e486"
// has three but overflows, see below): Boost.JSON refuses an exponent it
// cannot hold ("0e99999999999") where nlohmann reads 0.
bool has_huge_exponent(std::string_view text) {
  for (std::size_t i = 1; i < text.size(); ++i) {
    if ((text[i] != 'e' && text[i] != 'E') || !((text[i - 1] >= '0' && text[i - 1] <= '9') || text[i - 1] == '.'))
      continue;
    std::size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    while (j < text.size() && text[j] == '0') ++j;
    std::size_t digits = 0;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++digits, ++j;
    if (digits >= 4) return true;
  }
  return false;
}

bool same_double(double a, double b) {
  if (a == b) return true;
  const double scale = std::max(std::fabs(a), std::fabs(b));
  if (scale < 1e-300) return true;  // underflow: both next to zero
  return std::fabs(a - b) <= scale * 1e-14;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = banditore::fuzz::bytes(data, size);
  recorder ours;
  const bool ours_ok = banditore::json_events::parse(text, ours);
  recorder theirs;
  const bool theirs_ok = json::sax_parse(text.begin(), text.end(), &theirs);

  // Where the two differ by design or by a known fault, only the absence of
  // crashes is checked:
  // - nlohmann stops at a NUL after the value; the adapter refuses it, and
  //   every caller of nlohmann refuses a NUL before parsing;
  // - a number beyond double's range: both refuse 5e486, but the two
  //   disagree on exponents too long to read (0e99999999999 is 0 to
  //   nlohmann, an error to Boost.JSON), which no sender writes;
  // - the adapter refuses more than 32 levels of nesting; nlohmann has no
  //   limit.
  if (text.find('\0') != std::string_view::npos) return 0;
  if (theirs.non_finite || ours.non_finite || has_huge_exponent(text)) return 0;
  if (theirs.max_depth > 32) {
    require(!ours_ok, "more than 32 levels are refused");
    return 0;
  }

  require(ours_ok == theirs_ok, "both parsers accept and refuse the same texts");
  if (!ours_ok) return 0;
  require(ours.events == theirs.events, "both parsers report the same events");
  require(ours.floats.size() == theirs.floats.size(), "both parsers read the same numbers");
  for (std::size_t i = 0; i < ours.floats.size(); ++i)
    require(same_double(ours.floats[i], theirs.floats[i]), "both parsers read a number as the same double");
  return 0;
}

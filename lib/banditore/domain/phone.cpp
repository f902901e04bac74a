#include <banditore/domain/phone.hpp>

#include <algorithm>
#include <stdexcept>

namespace banditore::domain {

namespace {

// E.164 allows at most 15 digits; below 8 no real subscriber number exists.
constexpr std::size_t min_digits = 8;
constexpr std::size_t max_digits = 15;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_spacer(char c) {
  return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')';
}

struct written_number {
  std::string digits;
  bool international = false;  // written with "+" or "00"
};

// Keeps the digits of a written number, noting an international prefix.
// nullopt when anything but digits and spacers appears, or a "+" anywhere
// but first.
std::optional<written_number> read_number(std::string_view text) {
  written_number n;
  bool seen_anything = false;
  for (char c : text) {
    if (is_digit(c)) {
      n.digits.push_back(c);
      seen_anything = true;
    } else if (c == '+' && !seen_anything && !n.international) {
      n.international = true;
      seen_anything = true;
    } else if (is_spacer(c)) {
      continue;
    } else {
      return std::nullopt;
    }
  }
  if (!n.international && n.digits.starts_with("00")) {
    n.international = true;
    n.digits.erase(0, 2);
  }
  return n;
}

std::optional<std::string> valid_e164(std::string digits) {
  if (digits.size() < min_digits || digits.size() > max_digits || digits.front() == '0')
    return std::nullopt;
  return digits;
}

// Italian national numbers: mobiles start with 3, landlines with 0 (which
// stays after the country code, unlike most of Europe).
bool is_italian_national(const std::string& d) {
  if (d.starts_with('3')) return d.size() >= 9 && d.size() <= 10;
  if (d.starts_with('0')) return d.size() >= 6 && d.size() <= 11;
  return false;
}

}  // namespace

std::optional<std::string> normalise_wa_id(std::string_view text) {
  auto n = read_number(text);
  if (!n || n->digits.empty()) return std::nullopt;
  return valid_e164(std::move(n->digits));
}

std::optional<std::string> normalise_phone(std::string_view text,
                                           std::string_view default_country) {
  if (default_country.empty() || default_country.size() > 3 || default_country.front() == '0' ||
      !std::all_of(default_country.begin(), default_country.end(), is_digit))
    throw std::invalid_argument("default country code must be 1 to 3 digits, not starting with 0");
  auto n = read_number(text);
  if (!n || n->digits.empty()) return std::nullopt;
  if (!n->international && default_country == "39" && is_italian_national(n->digits))
    return valid_e164(std::string(default_country) + n->digits);
  return valid_e164(std::move(n->digits));
}

}  // namespace banditore::domain

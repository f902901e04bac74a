#include <banditore/domain/approval_rule.hpp>

#include <algorithm>

namespace banditore::domain {

namespace {

// minor 0 ... extreme 3: the enum lists them most severe first.
int rank(severity s) { return 3 - static_cast<int>(s); }

bool holds(const approval_test& t, std::string_view category, severity level) {
  switch (t.what) {
    case approval_test::kind::severity_equal: return level == t.level;
    case approval_test::kind::severity_at_least: return rank(level) >= rank(t.level);
    case approval_test::kind::severity_at_most: return rank(level) <= rank(t.level);
    case approval_test::kind::category_in:
      return std::find(t.categories.begin(), t.categories.end(), category) != t.categories.end();
  }
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string severity_names() { return "minor, moderate, severe or extreme"; }

std::string category_names() {
  std::string out;
  for (auto c : categories) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

// One test, e.g. "severity>=severe" or "category=water,roads".
std::optional<approval_test> read_test(std::string_view word, std::string& error) {
  const auto eq = word.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    error = quoted(word) + " is not a test: write severity>=LEVEL, severity=LEVEL, severity<=LEVEL or category=NAME,...";
    return std::nullopt;
  }
  auto name = word.substr(0, eq);
  auto value = word.substr(eq + 1);
  approval_test t;
  char op = '=';
  if (name.back() == '>' || name.back() == '<') {
    op = name.back();
    name.remove_suffix(1);
  }
  if (name == "severity") {
    t.what = op == '>' ? approval_test::kind::severity_at_least
             : op == '<' ? approval_test::kind::severity_at_most
                         : approval_test::kind::severity_equal;
    auto level = parse_severity(value);
    if (!level) {
      error = quoted(word) + ": the severity must be " + severity_names();
      return std::nullopt;
    }
    t.level = *level;
    return t;
  }
  if (name == "category") {
    if (op != '=') {
      error = quoted(word) + ": a category is compared with = only";
      return std::nullopt;
    }
    t.what = approval_test::kind::category_in;
    while (true) {
      const auto comma = value.find(',');
      const auto item = value.substr(0, comma);
      if (!valid_category(item)) {
        error = quoted(word) + ": " + (item.empty() ? std::string("an empty category") : quoted(item) + " is not a category") +
                " (categories: " + category_names() + ")";
        return std::nullopt;
      }
      if (std::find(t.categories.begin(), t.categories.end(), item) == t.categories.end())
        t.categories.emplace_back(item);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
    return t;
  }
  error = quoted(word) + ": only severity and category can be tested";
  return std::nullopt;
}

}  // namespace

bool approval_rule::needs_approval(std::string_view category, severity level) const {
  for (const auto& condition : conditions)
    if (std::all_of(condition.begin(), condition.end(), [&](const auto& t) { return holds(t, category, level); }))
      return true;
  return false;
}

std::string approval_rule::text() const {
  if (conditions.empty()) return "none";
  std::string out;
  for (const auto& condition : conditions) {
    if (condition.empty()) return "all";
    if (!out.empty()) out += "; ";
    std::string tests;
    for (const auto& t : condition) {
      if (!tests.empty()) tests += ' ';
      switch (t.what) {
        case approval_test::kind::severity_equal: tests += "severity="; break;
        case approval_test::kind::severity_at_least: tests += "severity>="; break;
        case approval_test::kind::severity_at_most: tests += "severity<="; break;
        case approval_test::kind::category_in: {
          tests += "category=";
          for (std::size_t i = 0; i < t.categories.size(); ++i) tests += (i ? "," : "") + t.categories[i];
          continue;
        }
      }
      tests += to_string(t.level);
    }
    out += tests;
  }
  return out;
}

approval_rule_parse parse_approval_rule(std::string_view text) {
  approval_rule_parse out;
  if (text.size() > 1000) {
    out.error = "the rule is longer than 1000 characters";
    return out;
  }
  for (unsigned char c : text)
    if (c < 0x20 && c != '\t') {
      out.error = "the rule holds a control character";
      return out;
    }
  const auto whole = trim(text);
  if (whole.empty()) {
    out.error = "the rule is empty: write all, none, or conditions such as severity>=severe";
    return out;
  }
  if (whole == "all") {
    out.rule = approval_rule{};
    return out;
  }
  if (whole == "none") {
    out.rule = approval_rule{{}};
    out.rule->conditions.clear();
    return out;
  }
  approval_rule rule;
  rule.conditions.clear();
  std::string_view rest = whole;
  std::size_t number = 0;
  while (true) {
    ++number;
    const auto semi = rest.find(';');
    auto part = trim(rest.substr(0, semi));
    if (part.empty()) {
      out.error = "condition " + std::to_string(number) + " is empty (two ';' in a row, or one at an end)";
      return out;
    }
    std::vector<approval_test> condition;
    while (!part.empty()) {
      std::size_t end = 0;
      while (end < part.size() && !is_space(part[end])) ++end;
      const auto word = part.substr(0, end);
      if (word == "all" || word == "none") {
        out.error = quoted(word) + " stands alone: it cannot be combined with tests";
        return out;
      }
      std::string error;
      auto t = read_test(word, error);
      if (!t) {
        out.error = "condition " + std::to_string(number) + ": " + error;
        return out;
      }
      condition.push_back(std::move(*t));
      part = trim(part.substr(end));
    }
    rule.conditions.push_back(std::move(condition));
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  out.rule = std::move(rule);
  return out;
}

}  // namespace banditore::domain

#include <banditore/metrics/registry.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace banditore::metrics {

namespace {

bool name_char(char c, bool first, bool colon_allowed) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon_allowed && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

void check_metric_name(std::string_view name) {
  bool ok = !name.empty();
  for (std::size_t i = 0; ok && i < name.size(); ++i) ok = name_char(name[i], i == 0, true);
  if (!ok) throw std::invalid_argument(fmt::format("'{}' is not a valid metric name", name));
}

// A phone number is 8 to 15 digits (domain/phone.hpp); WhatsApp error codes,
// HTTP statuses and counts of states are shorter. A run of 8 digits in a
// label value means a number got where a vocabulary word belongs.
constexpr std::size_t max_digit_run = 7;
constexpr std::size_t max_label_value = 64;

void check_labels(const label_set& labels) {
  for (const auto& [name, value] : labels) {
    bool ok = !name.empty() && name.rfind("__", 0) != 0 && name != "le";
    for (std::size_t i = 0; ok && i < name.size(); ++i) ok = name_char(name[i], i == 0, false);
    if (!ok) throw std::invalid_argument(fmt::format("'{}' is not a valid label name", name));
    std::size_t run = 0, longest = 0;
    for (char c : value) {
      run = (c >= '0' && c <= '9') ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    // The value itself is not repeated: it may be the number.
    if (longest > max_digit_run || value.size() > max_label_value)
      throw std::invalid_argument(fmt::format(
          "the value of label '{}' is not from a fixed vocabulary (too long, or a run of digits)", name));
  }
  for (std::size_t i = 0; i < labels.size(); ++i)
    for (std::size_t j = i + 1; j < labels.size(); ++j)
      if (labels[i].first == labels[j].first)
        throw std::invalid_argument(fmt::format("label '{}' is given twice", labels[i].first));
}

std::string render_labels(const label_set& labels, std::string_view extra_name = {},
                          std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += fmt::format("{}=\"{}\"", name, escape_label_value(value));
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += fmt::format("{}=\"{}\"", extra_name, extra_value);
  }
  out += '}';
  return out;
}

std::string_view type_name(int k) {
  switch (k) {
    case 0: return "counter";
    case 1: return "gauge";
    default: return "histogram";
  }
}

}  // namespace

void counter::inc(double by) {
  if (!(by >= 0)) throw std::invalid_argument("a counter cannot go down");
  value_.fetch_add(by, std::memory_order_relaxed);
}

histogram::histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1]))
      throw std::invalid_argument("histogram bounds must be finite and strictly increasing");
  }
}

void histogram::observe(double v) {
  // Buckets are "less than or equal": v lands in the first bound >= v.
  const auto index = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  std::lock_guard lock(mutex_);
  ++counts_[index];
  sum_ += v;
}

histogram::snapshot histogram::read() const {
  snapshot s;
  s.bounds = bounds_;
  std::lock_guard lock(mutex_);
  std::uint64_t running = 0;
  for (auto c : counts_) {
    running += c;
    s.cumulative.push_back(running);
  }
  s.sum = sum_;
  s.count = running;
  return s;
}

std::vector<double> default_seconds_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

registry::family& registry::family_for(std::string_view name, std::string_view help, kind type,
                                       const label_set& labels) {
  check_metric_name(name);
  check_labels(labels);
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(std::string(name), family{type, std::string(help), {}, {}, {}, {}}).first;
  if (it->second.type != type)
    throw std::invalid_argument(fmt::format("metric '{}' is already a {}", name, type_name(static_cast<int>(it->second.type))));
  return it->second;
}

counter& registry::counter_for(std::string_view name, std::string_view help, const label_set& labels) {
  std::lock_guard lock(mutex_);
  auto& f = family_for(name, help, kind::counter, labels);
  auto& slot = f.counters[labels];
  if (!slot) slot = std::make_unique<counter>();
  return *slot;
}

gauge& registry::gauge_for(std::string_view name, std::string_view help, const label_set& labels) {
  std::lock_guard lock(mutex_);
  auto& f = family_for(name, help, kind::gauge, labels);
  auto& slot = f.gauges[labels];
  if (!slot) slot = std::make_unique<gauge>();
  return *slot;
}

histogram& registry::histogram_for(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                                   const label_set& labels) {
  std::lock_guard lock(mutex_);
  const bool is_new = families_.find(name) == families_.end();
  auto& f = family_for(name, help, kind::histogram, labels);
  if (is_new) f.bounds = bounds;
  if (f.bounds != bounds)
    throw std::invalid_argument(fmt::format("histogram '{}' already has other bucket bounds", name));
  auto& slot = f.histograms[labels];
  if (!slot) slot = std::make_unique<histogram>(bounds);
  return *slot;
}

std::string registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(f.help), name,
                       type_name(static_cast<int>(f.type)));
    for (const auto& [labels, c] : f.counters)
      out += fmt::format("{}{} {}\n", name, render_labels(labels), format_value(c->value()));
    for (const auto& [labels, g] : f.gauges)
      out += fmt::format("{}{} {}\n", name, render_labels(labels), format_value(g->value()));
    for (const auto& [labels, h] : f.histograms) {
      const auto s = h->read();
      for (std::size_t i = 0; i < s.bounds.size(); ++i)
        out += fmt::format("{}_bucket{} {}\n", name, render_labels(labels, "le", format_value(s.bounds[i])),
                           s.cumulative[i]);
      out += fmt::format("{}_bucket{} {}\n", name, render_labels(labels, "le", "+Inf"), s.cumulative.back());
      out += fmt::format("{}_sum{} {}\n", name, render_labels(labels), format_value(s.sum));
      out += fmt::format("{}_count{} {}\n", name, render_labels(labels), s.count);
    }
  }
  return out;
}

registry& default_registry() {
  static registry r;
  return r;
}

std::string escape_help(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Whole numbers up to 2^53 print exactly, without a fraction or exponent.
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) return fmt::format("{}", static_cast<std::int64_t>(v));
  return fmt::format("{}", v);
}

}  // namespace banditore::metrics

// A small Prometheus registry: counters, gauges and histograms with label
// sets, rendered in the text exposition format (version 0.0.4) for
// GET /metrics. Labels come from fixed vocabularies (type, kind, state,
// code); a value that looks like a phone number is refused, so no metric
// can ever carry one.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace banditore::metrics {

// Label name/value pairs, in the order they are rendered.
using label_set = std::vector<std::pair<std::string, std::string>>;

class counter {
 public:
  // by must not be negative: a counter only goes up (std::invalid_argument).
  void inc(double by = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class histogram {
 public:
  // Upper bounds, strictly increasing and finite; +Inf is implied.
  explicit histogram(std::vector<double> bounds);
  void observe(double v);

  struct snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  snapshot read() const;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> counts_;  // per bucket (not cumulative), last is +Inf
  double sum_ = 0;
};

// Buckets for durations in seconds, from 5 ms to 10 s.
std::vector<double> default_seconds_buckets();

// Thread-safe: metrics are found or created under a lock, and the
// references returned stay valid as long as the registry lives, so hot
// paths keep them and update without the lock.
class registry {
 public:
  // The first call for a name fixes its help and type; asking for the same
  // name as another type, or a histogram with other bounds, is a
  // programming error (std::invalid_argument), as are invalid names and
  // label values that could be phone numbers.
  counter& counter_for(std::string_view name, std::string_view help, const label_set& labels = {});
  gauge& gauge_for(std::string_view name, std::string_view help, const label_set& labels = {});
  histogram& histogram_for(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                           const label_set& labels = {});

  // Families sorted by name, series by their labels; HELP and TYPE once per
  // family.
  std::string render() const;

 private:
  enum class kind { counter, gauge, histogram };
  struct family {
    kind type;
    std::string help;
    std::vector<double> bounds;  // histograms
    std::map<label_set, std::unique_ptr<counter>> counters;
    std::map<label_set, std::unique_ptr<gauge>> gauges;
    std::map<label_set, std::unique_ptr<histogram>> histograms;
  };
  family& family_for(std::string_view name, std::string_view help, kind type, const label_set& labels);

  mutable std::mutex mutex_;
  std::map<std::string, family, std::less<>> families_;
};

// The process-wide registry that GET /metrics renders.
registry& default_registry();

// Exposition-format escaping, exposed for tests: HELP text escapes '\' and
// newline; label values also escape '"'.
std::string escape_help(std::string_view text);
std::string escape_label_value(std::string_view text);
// A sample value: integers without a fraction, +Inf, -Inf, NaN.
std::string format_value(double v);

}  // namespace banditore::metrics

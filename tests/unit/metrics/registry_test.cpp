#include <banditore/metrics/registry.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace banditore::metrics;

TEST_CASE("a counter renders with its HELP and TYPE lines and its labels") {
  registry r;
  r.counter_for("banditore_messages_sent_total", "Messages accepted by the provider.", {{"kind", "reply"}}).inc();
  r.counter_for("banditore_messages_sent_total", "Messages accepted by the provider.", {{"kind", "alert"}}).inc(3);
  CHECK(r.render() ==
        "# HELP banditore_messages_sent_total Messages accepted by the provider.\n"
        "# TYPE banditore_messages_sent_total counter\n"
        "banditore_messages_sent_total{kind=\"alert\"} 3\n"
        "banditore_messages_sent_total{kind=\"reply\"} 1\n");
}

TEST_CASE("a gauge without labels renders its name and value alone") {
  registry r;
  r.gauge_for("banditore_subscribers", "Subscribers now.").set(42);
  CHECK(r.render() ==
        "# HELP banditore_subscribers Subscribers now.\n"
        "# TYPE banditore_subscribers gauge\n"
        "banditore_subscribers 42\n");
}

TEST_CASE("families are rendered in name order, each with HELP and TYPE once") {
  registry r;
  r.gauge_for("b_gauge", "B.", {{"state", "queued"}}).set(1);
  r.counter_for("a_total", "A.").inc();
  r.gauge_for("b_gauge", "B.", {{"state", "sent"}}).set(2);
  CHECK(r.render() ==
        "# HELP a_total A.\n"
        "# TYPE a_total counter\n"
        "a_total 1\n"
        "# HELP b_gauge B.\n"
        "# TYPE b_gauge gauge\n"
        "b_gauge{state=\"queued\"} 1\n"
        "b_gauge{state=\"sent\"} 2\n");
}

TEST_CASE("the same name and labels give the same counter") {
  registry r;
  auto& a = r.counter_for("x_total", "X.", {{"code", "131047"}});
  auto& b = r.counter_for("x_total", "X.", {{"code", "131047"}});
  CHECK(&a == &b);
}

TEST_CASE("a histogram renders cumulative buckets, +Inf, sum and count") {
  registry r;
  auto& h = r.histogram_for("send_seconds", "Send time.", {0.25, 1}, {{"type", "text"}});
  h.observe(0.125);
  h.observe(0.25);  // a bound is inclusive
  h.observe(0.5);
  h.observe(7);
  CHECK(r.render() ==
        "# HELP send_seconds Send time.\n"
        "# TYPE send_seconds histogram\n"
        "send_seconds_bucket{type=\"text\",le=\"0.25\"} 2\n"
        "send_seconds_bucket{type=\"text\",le=\"1\"} 3\n"
        "send_seconds_bucket{type=\"text\",le=\"+Inf\"} 4\n"
        "send_seconds_sum{type=\"text\"} 7.875\n"
        "send_seconds_count{type=\"text\"} 4\n");
}

TEST_CASE("a histogram without labels has only le on its buckets") {
  registry r;
  r.histogram_for("h", "H.", {1}).observe(2);
  CHECK(r.render() ==
        "# HELP h H.\n"
        "# TYPE h histogram\n"
        "h_bucket{le=\"1\"} 0\n"
        "h_bucket{le=\"+Inf\"} 1\n"
        "h_sum 2\n"
        "h_count 1\n");
}

TEST_CASE("label values escape backslash, quote and newline") {
  CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  registry r;
  r.gauge_for("g", "G.", {{"title", "say \"hi\""}}).set(1);
  CHECK(r.render().find("g{title=\"say \\\"hi\\\"\"} 1\n") != std::string::npos);
}

TEST_CASE("help text escapes backslash and newline but not quotes") {
  CHECK(escape_help("a\\b\n\"c\"") == "a\\\\b\\n\"c\"");
}

TEST_CASE("values print whole numbers without a fraction and special values by name") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(12345678901) == "12345678901");
  CHECK(format_value(0.25) == "0.25");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::nan("")) == "NaN");
}

TEST_CASE("a label value that could be a phone number is refused") {
  registry r;
  CHECK_THROWS_AS(r.counter_for("x_total", "X.", {{"to", "393331234567"}}), std::invalid_argument);
  CHECK_THROWS_AS(r.counter_for("x_total", "X.", {{"to", "+39 33312345678"}}), std::invalid_argument);
  CHECK_NOTHROW(r.counter_for("x_total", "X.", {{"code", "131047"}}));
}

TEST_CASE("the refusal of a label value does not repeat the value") {
  registry r;
  try {
    r.counter_for("x_total", "X.", {{"to", "393331234567"}});
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("393331234567") == std::string::npos);
  }
}

TEST_CASE("one name cannot be two types") {
  registry r;
  r.counter_for("x", "X.");
  CHECK_THROWS_AS(r.gauge_for("x", "X."), std::invalid_argument);
}

TEST_CASE("a histogram name keeps the bounds it was first given") {
  registry r;
  r.histogram_for("h", "H.", {1, 2});
  CHECK_THROWS_AS(r.histogram_for("h", "H.", {1, 3}, {{"type", "x"}}), std::invalid_argument);
}

TEST_CASE("invalid metric and label names are refused") {
  registry r;
  CHECK_THROWS_AS(r.counter_for("9lives", "X."), std::invalid_argument);
  CHECK_THROWS_AS(r.counter_for("a-b", "X."), std::invalid_argument);
  CHECK_THROWS_AS(r.counter_for("ok", "X.", {{"__reserved", "x"}}), std::invalid_argument);
  CHECK_THROWS_AS(r.counter_for("ok", "X.", {{"le", "x"}}), std::invalid_argument);
  CHECK_THROWS_AS(r.counter_for("ok", "X.", {{"a", "x"}, {"a", "y"}}), std::invalid_argument);
}

TEST_CASE("a counter refuses to go down") {
  counter c;
  CHECK_THROWS_AS(c.inc(-1), std::invalid_argument);
  CHECK(c.value() == 0);
}

TEST_CASE("histogram bounds must increase") {
  CHECK_THROWS_AS(histogram({1, 1}), std::invalid_argument);
}

TEST_CASE("counters updated from several threads lose no increment") {
  registry r;
  auto& c = r.counter_for("n_total", "N.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.inc();
    });
  for (auto& t : threads) t.join();
  CHECK(c.value() == 40000);
}

TEST_CASE("the default registry is one object") {
  CHECK(&default_registry() == &default_registry());
}

#include <banditore/log/log.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace banditore;
using nlohmann::json;

namespace {

std::vector<std::string> lines;
void keep(std::string_view line) { lines.emplace_back(line); }

// The lines written while f runs, each read back as JSON.
template <class F>
std::vector<json> written(F f) {
  lines.clear();
  log::set_sink(keep);
  f();
  log::set_sink(nullptr);
  std::vector<json> out;
  for (const auto& l : lines) out.push_back(json::parse(l));
  return out;
}

}  // namespace

TEST_CASE("a line given as a list of fields is one JSON object with the time, level, event and fields") {
  auto out = written([] {
    log::line(log::level::info, "http.request",
              {{"request_id", std::string("ab-1")}, {"method", "POST"}, {"status", 200}, {"ms", 0.42},
               {"bytes", std::size_t(61)}, {"duplicate", false}});
  });
  REQUIRE(out.size() == 1);
  const auto& l = out[0];
  CHECK(l["level"] == "info");
  CHECK(l["event"] == "http.request");
  CHECK(l["request_id"] == "ab-1");
  CHECK(l["method"] == "POST");
  CHECK(l["status"] == 200);
  CHECK(l["ms"] == 0.42);
  CHECK(l["bytes"] == 61);
  CHECK(l["duplicate"] == false);
  const auto time = l["time"].get<std::string>();
  CHECK(time.size() == 24);  // 2026-12-03T13:04:00.123Z
  CHECK(time[10] == 'T');
  CHECK(time.back() == 'Z');
}

TEST_CASE("a line's strings are escaped, and invalid UTF-8 from outside is replaced, not thrown on") {
  auto out = written([] {
    log::line(log::level::warn, "x", {{"path", std::string("/a\"b\\c\n\x01\xC3(")}, {"word", "perché"}});
    log::warn("y", {{"path", std::string("\xFF")}});
  });
  REQUIRE(out.size() == 2);
  CHECK(out[0]["path"] == "/a\"b\\c\n\x01\xEF\xBF\xBD(");
  CHECK(out[0]["word"] == "perché");
  CHECK(out[1]["path"] == "\xEF\xBF\xBD");
}

TEST_CASE("a decimal that is not finite is written as null, as a JSON object writes it") {
  auto out = written([] { log::line(log::level::info, "x", {{"ms", std::nan("")}, {"inf", HUGE_VAL}}); });
  REQUIRE(out.size() == 1);
  CHECK(out[0]["ms"].is_null());
  CHECK(out[0]["inf"].is_null());
}

TEST_CASE("a field named like the line's own keys takes their place, as it always has") {
  auto out = written([] {
    log::info("real.event", {{"event", "from a field"}, {"n", 1}});
    log::line(log::level::info, "real.event", {{"level", "custom"}});
  });
  REQUIRE(out.size() == 2);
  CHECK(out[0]["event"] == "from a field");
  CHECK(out[0]["n"] == 1);
  CHECK(out[1]["level"] == "custom");
  CHECK(out[1]["event"] == "real.event");
}

TEST_CASE("a line below the level set is not written; fields of an object come after the line's own") {
  auto out = written([] {
    log::set_level(log::level::warn);
    log::line(log::level::info, "quiet", {{"a", 1}});
    log::info("quiet", {{"a", 1}});
    log::set_level(log::level::info);
    log::info("loud", {{"b", "2"}, {"a", 1}});
    log::info("empty", json::object());
  });
  REQUIRE(out.size() == 2);
  CHECK(out[0]["event"] == "loud");
  CHECK(out[0]["a"] == 1);
  CHECK(out[0]["b"] == "2");
  CHECK(out[1]["event"] == "empty");
  CHECK(lines[0].starts_with("{\"time\":"));
}

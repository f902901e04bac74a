#include <banditore/json/sax.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace {

using json = nlohmann::json;

// Writes down every event, so the two parsers' readings can be compared.
struct recorder {
  std::vector<std::string> events;
  std::string refuse_string;  // a string value the handler refuses

  bool null() { return note("null"); }
  bool boolean(bool b) { return note(b ? "true" : "false"); }
  bool number_integer(json::number_integer_t i) { return note("int " + std::to_string(i)); }
  bool number_unsigned(json::number_unsigned_t u) { return note("uint " + std::to_string(u)); }
  bool number_float(json::number_float_t d, const json::string_t&) { return note("float " + std::to_string(d)); }
  bool binary(json::binary_t&) { return note("binary"); }
  bool string(json::string_t& s) {
    if (!refuse_string.empty() && s == refuse_string) return false;
    return note("string " + s);
  }
  bool key(json::string_t& k) { return note("key " + k); }
  bool start_object(std::size_t) { return note("{"); }
  bool end_object() { return note("}"); }
  bool start_array(std::size_t) { return note("["); }
  bool end_array() { return note("]"); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

  bool note(std::string e) {
    events.push_back(std::move(e));
    return true;
  }
};

std::vector<std::string> nlohmann_reading(const std::string& text) {
  recorder r;
  REQUIRE(json::sax_parse(text, &r));
  // nlohmann reports a positive integer as unsigned; Boost.JSON as int64
  // when it fits. Both mean the same number: compare them as one.
  for (auto& e : r.events)
    if (e.rfind("uint ", 0) == 0 && e.size() < 24) e = "int " + e.substr(5);
  return r.events;
}

}  // namespace

TEST_CASE("the events of a send answer and a send request are nlohmann's, in the same order") {
  const std::vector<std::string> texts = {
      R"({"messaging_product":"whatsapp","contacts":[{"input":"+393331234567","wa_id":"393331234567"}],)"
      R"("messages":[{"id":"wamid.HBgLMzkzMzMxMjM0NTY3FQIAERgSQzA4","message_status":"accepted"}]})",
      R"({"messaging_product":"whatsapp","to":"393331234567","type":"template","template":{"name":"allerta",)"
      R"("language":{"code":"it"},"components":[{"type":"body","parameters":[{"type":"text","text":"Acqua"}]}]},)"
      R"("biz_opaque_callback_data":"o:42"})",
      R"([1, -2, 3.5, 1e3, true, false, null, "", {}, [], 18446744073709551615, -9223372036854775808])",
      R"("just a string")",
      "  \t\r\n 7 \n"};
  for (const auto& text : texts) {
    CAPTURE(text);
    recorder r;
    REQUIRE(banditore::json_events::parse(text, r));
    CHECK(r.events == nlohmann_reading(text));
  }
}

TEST_CASE("escaped and long strings and keys arrive whole and unescaped") {
  const std::string long_text(5000, 'x');
  const std::string text = "{\"k\\u00e8y\\n\":\"\\\"Allerta\\\" \\u26a0\\ufe0f caf\\u00e9 \\ud83c\\udf0a " + long_text +
                           " \\\\ fine\",\"emoji\":\"🌊 già\"}";
  recorder r;
  REQUIRE(banditore::json_events::parse(text, r));
  CHECK(r.events == nlohmann_reading(text));
  REQUIRE(r.events.size() == 6);
  CHECK(r.events[1] == "key kèy\n");
  CHECK(r.events[2] == "string \"Allerta\" ⚠️ café 🌊 " + long_text + " \\ fine");
  CHECK(r.events[4] == "string 🌊 già");
}

TEST_CASE("anything but one strict JSON value is refused") {
  for (std::string text : {"", "   ", "{", "{\"a\":1", "{\"a\":1} x", "{\"a\":1}{}", "[1,]", "{\"a\" 1}",
                           "{'a':1}", "[1] // comment", "/* c */ [1]", "nan", "01", "\"\\x\"", "[\"\x01\"]",
                           "\"\xff\xfe\"", "\"\xc3\""}) {
    CAPTURE(text);
    recorder r;
    CHECK_FALSE(banditore::json_events::parse(text, r));
  }
  std::string deep(40, '[');
  deep += std::string(40, ']');
  recorder r;
  CHECK_FALSE(banditore::json_events::parse(deep, r));
}

TEST_CASE("a number beyond a double's range is refused by both readers") {
  for (std::string text : {"5e486", "[1, -5e486]", "{\"a\": 1e309}"}) {
    CAPTURE(text);
    recorder nl;
    CHECK_FALSE(json::sax_parse(text, &nl));
    recorder r;
    CHECK_FALSE(banditore::json_events::parse(text, r));
  }
  // The largest finite doubles still read the same, also written with the
  // 17 digits that round to DBL_MAX (Boost.JSON 1.81 alone reads that one
  // as infinity; found by the json_sax fuzzer).
  for (std::string largest : {"[1.7976931348623157e308, -1.7976931348623157e308]",
                              "[1.7976931348623158e308, -1.7976931348623158e308]"}) {
    CAPTURE(largest);
    recorder r;
    REQUIRE(banditore::json_events::parse(largest, r));
    CHECK(r.events == nlohmann_reading(largest));
  }
}

TEST_CASE("decimals read to the same double as nlohmann reads them") {
  // Boost.JSON 1.81 alone is not always correctly rounded; the webhook's
  // shared locations are read through this reader.
  const std::string text =
      "[43.7696, 11.2558, 44.417223456789012, -0.1, 0.30000000000000004, 2.2250738585072014e-308, "
      "9007199254740993.0, 123456789.987654321, 1.5e300]";
  struct doubles : recorder {
    std::vector<double> seen;
    bool number_float(json::number_float_t d, const json::string_t&) {
      seen.push_back(d);
      return true;
    }
  } r;
  REQUIRE(banditore::json_events::parse(text, r));
  const auto expected = json::parse(text).get<std::vector<double>>();
  REQUIRE(r.seen.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(r.seen[i] == expected[i]);
  }
}

TEST_CASE("a NUL after the value is refused") {
  recorder r;
  CHECK_FALSE(banditore::json_events::parse(std::string("{}\0garbage", 10), r));
}

TEST_CASE("a handler that refuses an event stops the parse") {
  recorder r;
  r.refuse_string = "stop";
  CHECK_FALSE(banditore::json_events::parse(R"(["go", "stop", "never"])", r));
  CHECK(r.events == std::vector<std::string>{"[", "string go"});
}

// The HTTP/1.1 heads banditore writes itself (http/head.cpp) for every
// Cloud API request and every answer: whatever fields a caller passes,
// either the head is refused or Beast's parser (what the peer runs, per
// RFC 9112) reads back exactly the start line and fields that were given.
#include "check.hpp"

#include <banditore/http/head.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace beast = boost::beast;
using namespace banditore;

// The head under test, printed with a broken property so a crash log shows it.
std::string written_head;

void require(bool holds, const char* property) {
  if (!holds) std::fprintf(stderr, "head as written:\n%s\n", written_head.c_str());
  fuzz::require(holds, property);
}

struct expected_field {
  std::string name, value;
};

std::string_view trimmed(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// Control characters other than HTAB in a value are refused by head.cpp
// (tests/unit/http/head_test.cpp); such inputs are skipped here.
bool has_other_control(const std::vector<http::header_field>& fields) {
  return std::any_of(fields.begin(), fields.end(), [](const http::header_field& f) {
    return std::any_of(f.value.begin(), f.value.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return (u < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != '\0') || u == 0x7f;
    });
  });
}

std::vector<expected_field> expected_fields(std::initializer_list<http::field_view> defaults,
                                            const std::vector<http::header_field>& fields) {
  std::vector<expected_field> out;
  for (const auto& d : defaults) {
    const bool replaced = std::any_of(fields.begin(), fields.end(), [&](const http::header_field& f) {
      return beast::iequals(f.name, d.name);
    });
    if (!replaced) out.push_back({std::string(d.name), std::string(d.value)});
  }
  for (const auto& f : fields) out.push_back({f.name, f.value});
  return out;
}

// Beast keeps fields of one name together (a repeated name is inserted
// after its earlier occurrences), so fields are compared name by name, each
// name's values in order.
using fields_by_name = std::map<std::string, std::vector<std::string>>;

template <bool is_request>
void check_fields(const beast::http::header<is_request>& h, std::vector<expected_field> want,
                  const std::vector<expected_field>& added) {
  want.insert(want.end(), added.begin(), added.end());
  fields_by_name read, written;
  for (const auto& f : h) read[std::string(f.name_string())].emplace_back(f.value());
  for (const auto& f : want) written[f.name].emplace_back(trimmed(f.value));
  require(read == written, "every field reads back as written, with only what the body needs added");
}

template <class Parser>
void parse_head(Parser& parser, const std::string& head) {
  written_head = head;
  parser.header_limit(1 << 20);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // the head alone is read
  parser.eager(false);
  beast::error_code ec;
  parser.put(boost::asio::buffer(head), ec);
  if (ec) std::fprintf(stderr, "beast: %s\n", ec.message().c_str());
  require(!ec && parser.is_header_done(), "Beast reads the head that was written");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const bool request = in.ConsumeBool();
  const auto method = in.ConsumeRandomLengthString(16);
  const auto target = in.ConsumeRandomLengthString(64);
  const int status = in.ConsumeIntegralInRange<int>(90, 1000);
  const unsigned version = in.ConsumeBool() ? 11 : 10;
  const bool keep_alive = in.ConsumeBool();
  const std::size_t body_size = in.ConsumeBool() ? 0 : in.ConsumeIntegral<std::uint32_t>();
  std::vector<http::header_field> fields(in.ConsumeIntegralInRange<std::size_t>(0, 8));
  for (auto& f : fields) {
    f.name = in.ConsumeRandomLengthString(24);
    f.value = in.ConsumeRandomLengthString(48);
  }
  if (has_other_control(fields)) return 0;

  if (request) {
    const std::initializer_list<http::field_view> defaults = {{"Host", "graph.facebook.com"},
                                                              {"User-Agent", "banditore"}};
    std::string head;
    try {
      head = http::request_head(method, target, defaults, fields, body_size);
    } catch (const std::invalid_argument&) {
      return 0;
    }
    beast::http::request_parser<beast::http::empty_body> parser;
    parse_head(parser, head);
    const auto& h = parser.get();
    require(h.method_string() == method && h.target() == target && h.version() == 11,
            "the request line reads back as written");
    const bool has_length = body_size > 0 || method == "POST" || method == "PUT" || method == "PATCH";
    std::vector<expected_field> added;
    if (has_length) added.push_back({"Content-Length", std::to_string(body_size)});
    check_fields(h, expected_fields(defaults, fields), added);
    if (has_length) require(parser.content_length() == body_size, "Content-Length is the body's size");
  } else {
    const std::initializer_list<http::field_view> defaults = {{"Content-Type", "application/json"}};
    std::string head;
    try {
      head = http::response_head(status, version, defaults, fields, body_size, keep_alive);
    } catch (const std::invalid_argument&) {
      return 0;
    }
    beast::http::response_parser<beast::http::empty_body> parser;
    parse_head(parser, head);
    const auto& h = parser.get();
    require(h.result_int() == static_cast<unsigned>(status) && h.version() == version,
            "the status line reads back as written");
    const bool bodiless = status < 200 || status == 204 || status == 304;
    const bool connection = (version == 10) == keep_alive;
    std::vector<expected_field> added;
    if (!bodiless) added.push_back({"Content-Length", std::to_string(body_size)});
    if (connection) added.push_back({"Connection", keep_alive ? "keep-alive" : "close"});
    check_fields(h, expected_fields(defaults, fields), added);
    if (!bodiless) require(parser.content_length() == body_size, "Content-Length is the body's size");
    // A Connection field given by the caller can contradict keep_alive; no
    // caller gives one (the server alone decides), so only heads without
    // one are held to it.
    const bool connection_given = std::any_of(fields.begin(), fields.end(), [](const http::header_field& f) {
      return beast::iequals(f.name, "Connection");
    });
    if (!connection_given)
      require(h.keep_alive() == keep_alive, "the peer keeps the connection exactly when asked to");
  }
  return 0;
}

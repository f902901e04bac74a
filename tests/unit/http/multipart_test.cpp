#include <banditore/http/multipart.hpp>

#include "multipart_form.hpp"

#include <doctest/doctest.h>

using namespace banditore;

namespace {

// A form as Chromium posts it (its boundary shape, CRLF, the close
// delimiter and a final CRLF).
const std::string boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
std::string chromium_body() {
  return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n" +
         "--" + boundary + "\r\nContent-Disposition: form-data; name=\"testo\"\r\n\r\nVia Roma\r\nchiusa\r\n" +
         "--" + boundary + "\r\nContent-Disposition: form-data; name=\"comuni\"\r\n\r\nlugo\r\n" +
         "--" + boundary + "\r\nContent-Disposition: form-data; name=\"comuni\"\r\n\r\nbagnara\r\n" +
         "--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"allegato\"; filename=\"ordinanza.pdf\"\r\nContent-Type: "
         "application/pdf\r\n\r\n%PDF-1.4\r\n--x\r\n%%EOF\r\n" +
         "--" + boundary + "--\r\n";
}

}  // namespace

TEST_CASE("the boundary of multipart/form-data is read from its Content-Type, and only a valid one") {
  CHECK(http::multipart_boundary("multipart/form-data; boundary=" + boundary) == boundary);
  CHECK(http::multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b");
  CHECK(http::multipart_boundary("multipart/form-data") == "");
  CHECK(http::multipart_boundary("multipart/mixed; boundary=x") == "");
  CHECK(http::multipart_boundary("application/x-www-form-urlencoded; boundary=x") == "");
  CHECK(http::multipart_boundary("multipart/form-data; boundary=\"a \"") == "");  // ends in a space
  CHECK(http::multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')) == "");
  CHECK(http::multipart_boundary("multipart/form-data; boundary=\"a\x01\"") == "");
  CHECK(http::multipart_boundary("multipart/form-data; boundary=a; boundary=b") == "");
}

TEST_CASE("a form with a file reads as its text fields in order and the file's name, type and bytes") {
  const auto r = http::parse_multipart(chromium_body(), boundary);
  REQUIRE_MESSAGE(r.fields.has_value(), r.error);
  CHECK(r.fields->get("csrf") == "abc");
  CHECK(r.fields->get("testo") == "Via Roma\r\nchiusa");
  CHECK(r.fields->all("comuni") == std::vector<std::string>{"lugo", "bagnara"});
  REQUIRE(r.files.size() == 1);
  CHECK(r.files[0].field == "allegato");
  CHECK(r.files[0].filename == "ordinanza.pdf");
  CHECK(r.files[0].content_type == "application/pdf");
  CHECK(r.files[0].bytes == "%PDF-1.4\r\n--x\r\n%%EOF");
}

TEST_CASE("the reader agrees with the tests' reader written from RFC 7578 on what a browser posts") {
  const auto body = chromium_body();
  const auto ours = http::parse_multipart(body, boundary);
  const auto theirs = testing::read_form(body, boundary);
  REQUIRE(ours.fields.has_value());
  REQUIRE(theirs.parts.has_value());
  std::size_t text = 0, files = 0;
  for (const auto& p : *theirs.parts) {
    if (p.filename.empty()) {
      CHECK(ours.fields->fields.at(text).first == p.name);
      CHECK(ours.fields->fields.at(text).second == p.body);
      ++text;
    } else {
      CHECK(ours.files.at(files).filename == p.filename);
      CHECK(ours.files.at(files).bytes == p.body);
      ++files;
    }
  }
  CHECK(text == ours.fields->fields.size());
  CHECK(files == ours.files.size());
}

TEST_CASE("a file input left empty is a file part with no name and no bytes") {
  const std::string body = "--b\r\nContent-Disposition: form-data; name=\"allegato\"; filename=\"\"\r\n"
                           "Content-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n";
  const auto r = http::parse_multipart(body, "b");
  REQUIRE(r.fields.has_value());
  REQUIRE(r.files.size() == 1);
  CHECK(r.files[0].filename.empty());
  CHECK(r.files[0].bytes.empty());
}

TEST_CASE("what a browser would not send is refused with a reason") {
  auto refused = [](std::string body, http::multipart_limits limits = {}) {
    const auto r = http::parse_multipart(body, "b", limits);
    CHECK_FALSE(r.fields.has_value());
    CHECK_FALSE(r.error.empty());
    return r.error;
  };
  const std::string part = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
  refused("preamble\r\n" + part + "--b--");                                   // a preamble
  refused(part);                                                               // never closed
  refused(part + "--b--\r\nepilogue");                                         // an epilogue
  refused("--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--");          // no name
  refused("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--");
  refused("--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--");  // unterminated quote
  refused("--b\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nx\r\n--b--");
  refused("--b\r\nContent-Disposition: form-data; name=\"a\"; filename*=UTF-8''x.pdf\r\n\r\nx\r\n--b--");
  refused("--b\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Transfer-Encoding: base64\r\n\r\neA==\r\n--b--");
  refused("--b\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: image/png\r\n\r\nx\r\n--b--");
  refused("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx");     // header never ends... then no close
  refused("--b\r\nContent-Disposition: form-data; name=\"a\"" + std::string(3000, ' ') + "\r\n\r\nx\r\n--b--");
  const std::string file = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.pdf\"\r\n\r\nx\r\n";
  refused(file + file + "--b--");                                              // two files
  http::multipart_limits small;
  small.max_parts = 2;
  refused(part + part + part + "--b--", small);
  small = {};
  small.max_text_bytes = 3;
  refused(part + part + "--b--", small);
}

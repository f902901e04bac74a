#include "multipart_form.hpp"

#include <doctest/doctest.h>

using namespace banditore::testing;

namespace {

// As curl -F 'messaging_product=whatsapp' -F 'type=image/png' -F 'file=@a.png;type=image/png' writes it.
const std::string body = "--XyZ\r\n"
                         "Content-Disposition: form-data; name=\"messaging_product\"\r\n\r\n"
                         "whatsapp\r\n"
                         "--XyZ\r\n"
                         "Content-Disposition: form-data; name=\"type\"\r\n\r\n"
                         "image/png\r\n"
                         "--XyZ\r\n"
                         "Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
                         "Content-Type: image/png\r\n\r\n"
                         "\x89PNG\r\n--X not the boundary\r\n"
                         "--XyZ--\r\n";

}  // namespace

TEST_CASE("a form's boundary is read from its Content-Type, quoted or not") {
  CHECK(form_boundary("multipart/form-data; boundary=XyZ") == "XyZ");
  CHECK(form_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\"") == "a b:c");
  CHECK(form_boundary("multipart/mixed; boundary=XyZ").empty());
  CHECK(form_boundary("multipart/form-data").empty());
  CHECK(form_boundary("multipart/form-data; boundary=" + std::string(71, 'a')).empty());
}

TEST_CASE("a form's parts keep their names, file name, type and bytes, CRLFs inside included") {
  const auto r = read_form(body, "XyZ");
  REQUIRE_MESSAGE(r.parts, r.error);
  REQUIRE(r.parts->size() == 3);
  CHECK((*r.parts)[0].name == "messaging_product");
  CHECK((*r.parts)[0].body == "whatsapp");
  CHECK((*r.parts)[0].content_type.empty());
  CHECK((*r.parts)[2].name == "file");
  CHECK((*r.parts)[2].filename == "a.png");
  CHECK((*r.parts)[2].content_type == "image/png");
  CHECK((*r.parts)[2].body == "\x89PNG\r\n--X not the boundary");
}

TEST_CASE("a form that is cut, unclosed, without names or of bare LFs is refused with a reason") {
  CHECK_FALSE(read_form(body.substr(0, body.size() - 10), "XyZ").parts);
  CHECK_FALSE(read_form(body, "Other").parts);
  CHECK_FALSE(read_form("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", "XyZ").parts);
  CHECK_FALSE(read_form("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nx\n--XyZ--", "XyZ").parts);
  CHECK_FALSE(read_form("--XyZ--", "XyZ").parts);
  CHECK(!read_form("", "XyZ").error.empty());
}

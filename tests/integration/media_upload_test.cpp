// An alert's attachment over the wire: the real binary takes a file
// larger than the JSON routes' body limit on POST /v1/media only, checks
// it by its bytes and keeps it.
#include "harness.hpp"
#include "raw_socket.hpp"

#include <doctest/doctest.h>

using namespace harness;

namespace {

// A JPEG's first bytes, padded past the 1 MB that other routes take.
std::string large_jpeg(std::size_t size) {
  std::string bytes("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
  bytes.resize(size - 2, '\0');
  bytes.append("\xFF\xD9");
  return bytes;
}

}  // namespace

TEST_CASE("POST /v1/media takes a 3 MB image that any other route refuses as too large, and stores it once") {
  alert_world w;
  const auto jpeg = large_jpeg(3 * 1024 * 1024);
  const std::vector<banditore::http::header_field> headers = {{"Authorization", "Bearer " + w.token},
                                                              {"Content-Type", "image/jpeg"}};
  auto stored = call(w.app.base, "POST", "/v1/media", jpeg, headers);
  REQUIRE(stored.status == 201);
  const auto j = json::parse(stored.body);
  CHECK(j["type"] == "image");
  CHECK(j["size"] == jpeg.size());
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM media WHERE length(bytes) = " + std::to_string(jpeg.size())) == 1);
  auto again = call(w.app.base, "POST", "/v1/media", jpeg, headers);
  CHECK(again.status == 200);
  CHECK(json::parse(again.body)["id"] == j["id"]);

  // The JSON routes keep their limit: the same length announced to
  // /v1/alerts is refused from the head alone.
  raw_socket s(port_of(w.app.base));
  REQUIRE(s.send_all("POST /v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + w.token +
                     "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(jpeg.size()) +
                     "\r\n\r\n"));
  CHECK(s.read_until("\r\n\r\n", std::chrono::seconds(10)).starts_with("HTTP/1.1 413"));
  // An image over Meta's 5 MB is refused by the rules, not by the server.
  auto too_big = call(w.app.base, "POST", "/v1/media", large_jpeg(5 * 1024 * 1024 + 1), headers);
  CHECK(too_big.status == 422);
  CHECK(count(w.app.db_file, "SELECT COUNT(*) FROM media") == 1);
}

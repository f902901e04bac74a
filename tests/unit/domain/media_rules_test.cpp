#include <banditore/domain/media_rules.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::domain;

namespace {

constexpr char jpeg_bytes[] = "\xFF\xD8\xFF\xE0\x00\x10" "JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";
const std::string jpeg(jpeg_bytes, sizeof jpeg_bytes - 1);
const std::string png = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0D" "IHDR", 16) + std::string(17, '\0');
const std::string pdf = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

}  // namespace

TEST_CASE("a file is known by its first bytes: JPEG, PNG and PDF are taken") {
  CHECK(check_media(jpeg).kind == media_kind::jpeg);
  CHECK(check_media(png).kind == media_kind::png);
  CHECK(check_media(pdf).kind == media_kind::pdf);
  CHECK(message_type(media_kind::png) == "image");
  CHECK(message_type(media_kind::pdf) == "document");
}

TEST_CASE("a declared Content-Type must agree with the bytes") {
  CHECK(check_media(jpeg, "image/jpeg").kind);
  CHECK(check_media(jpeg, "IMAGE/JPEG; charset=binary").kind);
  CHECK(check_media(pdf, "application/pdf").kind);
  const auto lying = check_media(pdf, "image/png");
  CHECK_FALSE(lying.kind);
  CHECK(lying.reason == "il file è application/pdf ma è stato dichiarato image/png");
  CHECK_FALSE(check_media(png, "image/jpeg").kind);
}

TEST_CASE("other files, empty files and near misses are refused") {
  CHECK(check_media("").reason == "il file è vuoto");
  CHECK_FALSE(check_media("GIF89a....").kind);
  CHECK_FALSE(check_media("<html><script>").kind);
  CHECK_FALSE(check_media("\xFF\xD8").kind);                                  // a JPEG cut short
  CHECK_FALSE(check_media(std::string("\x89PNG\r\n\x1A\n", 8)).kind);        // no IHDR
  CHECK_FALSE(check_media("%PDF-1.7\n1 0 obj\n").kind);                      // no %%EOF: truncated
  CHECK_FALSE(check_media("x%PDF-1.7\n%%EOF").kind);                         // not at the start
  CHECK_FALSE(check_media("MZ\x90\x00", "image/png").kind);                  // a program called an image
}

TEST_CASE("Meta's size limits: 5 MB for an image, 100 MB for a PDF") {
  std::string big = jpeg;
  big.resize(max_image_bytes, 'x');
  CHECK(check_media(big).kind);
  big.push_back('x');
  const auto refused = check_media(big);
  CHECK_FALSE(refused.kind);
  CHECK(refused.reason == "un'immagine può essere al massimo di 5 MB");
  std::string doc = pdf;
  doc.insert(10, max_image_bytes, ' ');  // a PDF may be larger than an image
  CHECK(check_media(doc).kind == media_kind::pdf);
}

TEST_CASE("a document's file name is shown to citizens, so it is checked") {
  CHECK(valid_document_filename("ordinanza_12.pdf"));
  CHECK(valid_document_filename("Ordinanza n. 12 città.PDF"));
  CHECK_FALSE(valid_document_filename(""));
  CHECK_FALSE(valid_document_filename(".pdf"));
  CHECK_FALSE(valid_document_filename("ordinanza.exe"));
  CHECK_FALSE(valid_document_filename("../etc/passwd.pdf"));
  CHECK_FALSE(valid_document_filename("a\nb.pdf"));
  CHECK_FALSE(valid_document_filename("\xff.pdf"));
  CHECK_FALSE(valid_document_filename(std::string(237, 'a') + ".pdf"));
}

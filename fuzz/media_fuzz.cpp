// An uploaded attachment (domain::check_media), with and without a
// declared Content-Type, and a document's file name: what is taken is a
// JPEG, PNG or PDF by its first bytes, within Meta's size limit, of the
// type declared; a refusal says why; an accepted file name is UTF-8 ending
// in .pdf without a path separator.
#include "check.hpp"

#include <banditore/domain/media_rules.hpp>
#include <banditore/domain/utf8.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace banditore;
  using fuzz::require;
  const auto bytes = fuzz::bytes(data, size);
  for (std::string_view declared : {"", "image/jpeg", "image/png", "application/pdf"}) {
    const auto r = domain::check_media(bytes, declared);
    require(r.kind.has_value() != !r.reason.empty(), "either taken, or refused with a reason");
    if (!r.kind) continue;
    require(bytes.size() <= domain::max_bytes(*r.kind), "a taken file is within Meta's limit");
    require(declared.empty() || declared == domain::mime_type(*r.kind), "a taken file is of the type declared");
    if (*r.kind == domain::media_kind::jpeg) require(bytes.starts_with("\xFF\xD8\xFF"), "a JPEG starts with SOI");
    if (*r.kind == domain::media_kind::pdf) require(bytes.starts_with("%PDF-"), "a PDF starts with %PDF-");
    if (*r.kind == domain::media_kind::png) require(bytes.starts_with("\x89PNG"), "a PNG starts with its signature");
  }
  if (domain::valid_document_filename(bytes)) {
    require(domain::utf8::count_code_points(bytes).has_value(), "a file name is UTF-8");
    require(bytes.find('/') == std::string_view::npos && bytes.find('\\') == std::string_view::npos,
            "a file name holds no path separator");
  }
  return 0;
}

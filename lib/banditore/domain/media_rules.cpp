#include <banditore/domain/media_rules.hpp>

#include <banditore/domain/utf8.hpp>

#include <algorithm>
#include <cctype>

namespace banditore::domain {
namespace {

std::string lower_media_type(std::string_view declared) {
  const auto semi = declared.find(';');
  if (semi != std::string_view::npos) declared = declared.substr(0, semi);
  while (!declared.empty() && (declared.back() == ' ' || declared.back() == '\t')) declared.remove_suffix(1);
  while (!declared.empty() && (declared.front() == ' ' || declared.front() == '\t')) declared.remove_prefix(1);
  std::string out(declared);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::optional<media_kind> sniff(std::string_view b) {
  // JPEG: SOI then the first marker (ISO/IEC 10918-1, B.1.1.2).
  if (b.size() >= 4 && b.starts_with("\xFF\xD8\xFF")) return media_kind::jpeg;
  // PNG: the 8-byte signature, then the IHDR chunk (RFC 2083, 3.1 and 4.1.1).
  if (b.size() >= 16 && b.starts_with(std::string_view("\x89PNG\r\n\x1A\n", 8)) && b.substr(12, 4) == "IHDR")
    return media_kind::png;
  // PDF: the header "%PDF-1.n" or "%PDF-2.n" and "%%EOF" near the end
  // (ISO 32000-1, 7.5.2 and 7.5.5).
  if ((b.starts_with("%PDF-1.") || b.starts_with("%PDF-2.")) &&
      b.substr(b.size() > 1024 ? b.size() - 1024 : 0).find("%%EOF") != std::string_view::npos)
    return media_kind::pdf;
  return std::nullopt;
}

}  // namespace

std::string_view mime_type(media_kind k) {
  switch (k) {
    case media_kind::jpeg: return "image/jpeg";
    case media_kind::png: return "image/png";
    case media_kind::pdf: return "application/pdf";
  }
  return "application/octet-stream";
}

std::string_view message_type(media_kind k) { return k == media_kind::pdf ? "document" : "image"; }

std::size_t max_bytes(media_kind k) { return k == media_kind::pdf ? max_document_bytes : max_image_bytes; }

media_check check_media(std::string_view bytes, std::string_view declared) {
  media_check out;
  if (bytes.empty()) {
    out.reason = "il file è vuoto";
    return out;
  }
  const auto kind = sniff(bytes);
  if (!kind) {
    out.reason = "sono ammessi solo immagini JPEG o PNG e documenti PDF";
    return out;
  }
  const auto type = lower_media_type(declared);
  if (!type.empty() && type != mime_type(*kind) && !(type == "image/jpg" && *kind == media_kind::jpeg)) {
    out.reason = "il file è " + std::string(mime_type(*kind)) + " ma è stato dichiarato " + type;
    return out;
  }
  if (bytes.size() > max_bytes(*kind)) {
    out.reason = *kind == media_kind::pdf ? "un PDF può essere al massimo di 100 MB"
                                          : "un'immagine può essere al massimo di 5 MB";
    return out;
  }
  out.kind = kind;
  return out;
}

bool valid_document_filename(std::string_view name) {
  const auto chars = utf8::count_code_points(name);
  if (!chars || *chars == 0 || *chars > max_media_filename) return false;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7F || c == '/' || c == '\\') return false;
  if (name.size() < 5) return false;
  return lower_media_type(name.substr(name.size() - 4)) == ".pdf";
}

}  // namespace banditore::domain

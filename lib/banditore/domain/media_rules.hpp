// The one attachment an alert may carry, checked as WhatsApp will check
// it, before anything is stored or uploaded. Meta's Cloud API takes, for
// the kinds banditore sends (developers.facebook.com/docs/whatsapp/
// cloud-api/reference/media, "Supported media types"):
// - images: image/jpeg and image/png, at most 5 MB;
// - documents: application/pdf (among others), at most 100 MB;
// and a caption of at most 1024 characters on an image or a document
// message (cloud-api/reference/messages, media object "caption").
// What a file is follows from its first bytes, never from the name or the
// Content-Type it came with: a declared type that disagrees is refused.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace banditore::domain {

enum class media_kind { jpeg, png, pdf };

inline constexpr std::size_t max_image_bytes = 5 * 1024 * 1024;
inline constexpr std::size_t max_document_bytes = 100 * 1024 * 1024;
inline constexpr std::size_t max_media_filename = 240;
// An image or document message's caption: at most 1024 characters.
inline constexpr std::size_t max_media_caption = 1024;

std::string_view mime_type(media_kind);
// "image" for JPEG and PNG, "document" for PDF: the Cloud API message type.
std::string_view message_type(media_kind);
std::size_t max_bytes(media_kind);

struct media_check {
  std::optional<media_kind> kind;  // none: refused
  std::string reason;              // Italian, for staff: why
};

// bytes: the whole file; declared: its Content-Type, empty when none was
// given (parameters such as "; charset" are ignored).
media_check check_media(std::string_view bytes, std::string_view declared = {});

// A document's file name as citizens see it: 1 to 240 characters of valid
// UTF-8, no path separator or control character, ending in ".pdf".
bool valid_document_filename(std::string_view name);

}  // namespace banditore::domain

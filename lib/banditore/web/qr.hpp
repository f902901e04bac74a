// The QR code and click-to-chat link a town prints on its posters and puts
// on its page: scanning opens WhatsApp on the town's number with "ATTIVA"
// already typed (WhatsApp's click-to-chat, faq.whatsapp.com/5913398998672934).
// Encoded by libqrencode (Debian's libqrencode-dev), drawn as SVG here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace banditore::web {

// The modules of a QR code, row by row; true is dark.
struct qr_matrix {
  int size = 0;
  std::vector<bool> dark;
  bool at(int x, int y) const { return dark[static_cast<std::size_t>(y * size + x)]; }
};

// Byte mode, error correction level M (15 % of the code may be lost to
// dirt or a fold), the smallest version that holds the text. Throws
// std::invalid_argument for an empty text or one too long for a QR code.
qr_matrix qr_encode(std::string_view text);

// One <path> of unit squares in a viewBox measured in modules, with the
// quiet zone of 4 modules ISO/IEC 18004 asks for: it scales to any size on
// screen or paper. `title` is its accessible name (XML-escaped here).
std::string qr_svg(const qr_matrix& code, std::string_view title);

// https://wa.me/<number>?text=<text>: the number in international form
// with its digits only ("+39 0545 123456" gives 390545123456), the text
// percent-encoded (RFC 3986). Throws std::invalid_argument for a number
// without digits.
std::string click_to_chat_url(std::string_view number, std::string_view text);

}  // namespace banditore::web

#include <banditore/web/qr.hpp>

#include <fmt/format.h>
#include <qrencode.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

namespace banditore::web {

qr_matrix qr_encode(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("a QR code needs a text");
  // encodeData, not encodeString: the text may hold any byte.
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeData(static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M),
      &QRcode_free);
  if (!code) {
    if (errno == ERANGE) throw std::invalid_argument("the text is too long for a QR code");
    throw std::runtime_error("libqrencode could not encode the text");
  }
  qr_matrix m;
  m.size = code->width;
  m.dark.resize(static_cast<std::size_t>(m.size) * static_cast<std::size_t>(m.size));
  // Bit 0 of each byte is the module's colour; the others say what it is.
  for (std::size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (code->data[i] & 1) != 0;
  return m;
}

namespace {

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

}  // namespace

std::string qr_svg(const qr_matrix& code, std::string_view title) {
  constexpr int quiet = 4;
  const int side = code.size + 2 * quiet;
  std::string out = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0} {0}" shape-rendering="crispEdges" role="img">)", side);
  out += "<title>";
  append_escaped(out, title);
  out += "</title>";
  out += fmt::format(R"(<rect width="{0}" height="{0}" fill="#fff"/><path fill="#000" d=")", side);
  // A run of dark modules in a row is one rectangle.
  for (int y = 0; y < code.size; ++y)
    for (int x = 0; x < code.size;) {
      if (!code.at(x, y)) {
        ++x;
        continue;
      }
      int end = x;
      while (end < code.size && code.at(end, y)) ++end;
      out += fmt::format("M{} {}h{}v1h-{}z", x + quiet, y + quiet, end - x, end - x);
      x = end;
    }
  out += R"("/></svg>)";
  return out;
}

std::string click_to_chat_url(std::string_view number, std::string_view text) {
  std::string digits;
  for (char c : number)
    if (c >= '0' && c <= '9') digits += c;
  if (digits.empty()) throw std::invalid_argument("a WhatsApp number needs digits");
  std::string url = "https://wa.me/" + digits;
  if (text.empty()) return url;
  url += "?text=";
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    if (unreserved) url += static_cast<char>(c);
    else url += fmt::format("%{:02X}", c);
  }
  return url;
}

}  // namespace banditore::web

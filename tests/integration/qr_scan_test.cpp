// The QR code as a phone reads it: drawn to an image with its quiet zone
// and read back by zbarimg (Debian's zbar-tools), a decoder nobody here
// wrote.
#include "harness.hpp"

#include <banditore/web/qr.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

using namespace harness;

namespace {

// A PGM image (netpbm), `scale` pixels a module, white quiet zone of 4.
void write_pgm(const banditore::web::qr_matrix& code, const fs::path& file, int scale) {
  const int side = (code.size + 8) * scale;
  std::ofstream out(file, std::ios::binary);
  out << "P5\n" << side << " " << side << "\n255\n";
  for (int py = 0; py < side; ++py)
    for (int px = 0; px < side; ++px) {
      const int x = px / scale - 4, y = py / scale - 4;
      const bool dark = x >= 0 && y >= 0 && x < code.size && y < code.size && code.at(x, y);
      out.put(static_cast<char>(dark ? 0 : 255));
    }
}

std::string zbar_read(const fs::path& file) {
  // stderr, kept for a failure's report, also holds zbar's complaints
  // about D-Bus on a machine without it (--nodbus is not in every zbar).
  const auto errors = fs::path(file.string() + ".stderr");
  const std::string command = "zbarimg --quiet --raw '" + file.string() + "' 2>'" + errors.string() + "'";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  const int status = ::pclose(pipe);
  INFO("zbarimg exit status " << status << ", stderr: " << read_file(errors));
  CHECK(status == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("zbarimg reads back the click-to-chat link and an accented text from the QR code") {
  temp_dir dir;
  for (const std::string& text : {banditore::web::click_to_chat_url("+39 0545 123456", "ATTIVA"),
                                 banditore::web::click_to_chat_url("390545123456", "Attiva Santa Maria in Fabriago")}) {
    CAPTURE(text);
    const auto file = dir.path / "code.pgm";
    write_pgm(banditore::web::qr_encode(text), file, 4);
    CHECK(zbar_read(file) == text);
  }
}

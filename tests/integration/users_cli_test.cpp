// `banditore users` as an operator runs it: the real binary on a database
// in a temporary directory. What it prints once (a temporary password, the
// TOTP secret, the recovery codes) must never be in the database files.
#include "harness.hpp"

#include <banditore/crypto/password.hpp>
#include <banditore/crypto/totp.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace harness;

namespace {

cli_result users(const temp_dir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), "users");
  return run_cli(dir.path, args, database_env(dir.path));
}

// `banditore users ARGS...` with stdin read from a file holding input.
cli_result users_with_stdin(const temp_dir& dir, std::vector<std::string> args, const std::string& input) {
  static int runs = 0;
  const auto name = "users-stdin-" + std::to_string(++runs);
  const auto in = dir.path / (name + ".stdin");
  const auto out = dir.path / (name + ".stdout");
  const auto err = dir.path / (name + ".stderr");
  std::ofstream(in, std::ios::binary) << input;
  std::vector<std::string> argv{"/bin/sh", "-c", "f=$1; shift; exec \"$@\" <\"$f\" 2>\"$0\"", err.string(),
                                in.string(), BANDITORE_BIN, "users"};
  argv.insert(argv.end(), args.begin(), args.end());
  child c(argv, database_env(dir.path), out);
  cli_result r;
  r.exit_code = c.stop(0);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Every byte of the database and its journal files, as a copy of them
// would hand over.
std::string database_bytes(const temp_dir& dir) {
  std::string all;
  for (const auto& e : fs::directory_iterator(dir.path))
    if (e.path().filename().string().rfind("banditore.db", 0) == 0) all += read_file(e.path());
  return all;
}

std::string stored_password_hash(const temp_dir& dir, const std::string& email) {
  SQLite::Database db((dir.path / "banditore.db").string(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT password_hash FROM staff_users WHERE email = ?");
  q.bind(1, email);
  REQUIRE(q.executeStep());
  return q.getColumn(0).getString();
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// The QR code of an SVG written by web::qr_svg (one "M x y h w v1 h-w z"
// run of dark modules after another) drawn as a PGM image, 6 pixels a
// module, and read back by zbarimg (Debian's zbar-tools), as a phone would.
std::string zbar_read_svg(const fs::path& svg, const fs::path& dir) {
  const auto text = read_file(svg);
  const auto view = text.find("viewBox=\"0 0 ");
  REQUIRE(view != std::string::npos);
  const int side = std::stoi(text.substr(view + 13));
  REQUIRE(side > 0);
  std::vector<unsigned char> pixels(static_cast<std::size_t>(side * side), 255);
  const auto d = text.find(" d=\"");
  REQUIRE(d != std::string::npos);
  int runs = 0;
  for (auto at = text.find('M', d); at != std::string::npos && at < text.find('"', d + 4); at = text.find('M', at + 1)) {
    int x = 0, y = 0, w = 0;
    REQUIRE(std::sscanf(text.c_str() + at, "M%d %dh%d", &x, &y, &w) == 3);
    REQUIRE(x >= 0);
    REQUIRE(y >= 0);
    REQUIRE(x + w <= side);
    REQUIRE(y < side);
    for (int i = 0; i < w; ++i) pixels[static_cast<std::size_t>(y * side + x + i)] = 0;
    ++runs;
  }
  CHECK(runs > 0);
  const int scale = 6;
  const auto pgm = dir / "totp.pgm";
  {
    std::ofstream out(pgm, std::ios::binary);
    out << "P5\n" << side * scale << " " << side * scale << "\n255\n";
    for (int py = 0; py < side * scale; ++py)
      for (int px = 0; px < side * scale; ++px)
        out.put(static_cast<char>(pixels[static_cast<std::size_t>((py / scale) * side + px / scale)]));
  }
  const std::string command = "zbarimg --quiet --raw '" + pgm.string() + "' 2>/dev/null";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  CHECK(::pclose(pipe) == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("users create prints a temporary password once, and only its Argon2id hash is stored") {
  temp_dir dir;
  const auto r = users(dir, {"create", "--email", "M.Rossi@Comune.Forli.it", "--name", "Maria Rossi", "--role",
                             "publisher"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const auto out = lines(r.out);
  REQUIRE(out.size() == 1);
  const auto password = out.back();
  CHECK(password.size() == 19);
  CHECK(r.err.find("shown only this once") != std::string::npos);

  const auto hash = stored_password_hash(dir, "m.rossi@comune.forli.it");
  CHECK(hash.rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0) == 0);
  CHECK(banditore::crypto::verify_password(hash, password));
  CHECK(database_bytes(dir).find(password) == std::string::npos);

  const auto list = users(dir, {"list"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("m.rossi@comune.forli.it") != std::string::npos);
  CHECK(list.out.find("publisher") != std::string::npos);
  CHECK(list.out.find(password) == std::string::npos);
}

TEST_CASE("a password from stdin is checked against the policy, and a refused one creates nobody") {
  temp_dir dir;
  auto weak = users_with_stdin(dir, {"create", "--email", "a@comune.it", "--name", "A", "--role", "editor",
                                     "--password-stdin"},
                               "forzanapoli1926\n");
  CHECK(weak.exit_code == 2);
  CHECK(weak.err.find("tra le più usate") != std::string::npos);
  CHECK(users(dir, {"list"}).out.find("a@comune.it") == std::string::npos);

  const std::string chosen = "il gatto di Ravenna beve tè";
  auto ok = users_with_stdin(dir, {"create", "--email", "a@comune.it", "--name", "A", "--role", "editor",
                                   "--password-stdin"},
                             chosen + "\n");
  INFO("stderr: " << ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK(ok.out.empty());  // nothing to show: the operator chose it
  CHECK(banditore::crypto::verify_password(stored_password_hash(dir, "a@comune.it"), chosen));
  CHECK(database_bytes(dir).find(chosen) == std::string::npos);
}

TEST_CASE("totp-enroll prints the otpauth URI and ten recovery codes, writes the QR code, stores none in clear") {
  temp_dir dir;
  REQUIRE(users(dir, {"create", "--email", "admin@comune.it", "--name", "Admin", "--role", "admin"}).exit_code == 0);
  const auto svg = dir.path / "totp.svg";
  const auto r = users(dir, {"totp-enroll", "admin@comune.it", "--qr-svg", svg.string()});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const auto out = lines(r.out);
  REQUIRE(out.size() == 11);
  const auto& uri = out.front();
  CHECK(uri.rfind("otpauth://totp/banditore:banditore%20%28admin%40comune.it%29?secret=", 0) == 0);
  CHECK(uri.find("&issuer=banditore&algorithm=SHA1&digits=6&period=30") != std::string::npos);

  // An authenticator app scanning the QR code gets the URI.
  CHECK(zbar_read_svg(svg, dir.path) == uri);

  const auto start = uri.find("secret=") + 7;
  const auto base32 = uri.substr(start, uri.find('&', start) - start);
  const auto secret = banditore::crypto::base32_decode(base32);
  REQUIRE(secret);
  CHECK(secret->size() == 20);

  const auto bytes = database_bytes(dir);
  REQUIRE(bytes.size() > 4096);
  CHECK(bytes.find(*secret) == std::string::npos);
  CHECK(bytes.find(base32) == std::string::npos);
  CHECK(bytes.find(lower(base32)) == std::string::npos);
  for (std::size_t i = 1; i < out.size(); ++i) {
    const auto& code = out[i];
    CAPTURE(code);
    CHECK(code.size() == 19);
    std::string bare;
    for (char c : code)
      if (c != '-') bare.push_back(c);
    CHECK(bytes.find(code) == std::string::npos);
    CHECK(bytes.find(bare) == std::string::npos);
  }
  CHECK(users(dir, {"list"}).out.find("yes (10 codes)") != std::string::npos);
}

TEST_CASE("users disable, enable, set-role and reset-password change the account and say so") {
  temp_dir dir;
  const auto created = users(dir, {"create", "--email", "e@comune.it", "--name", "E", "--role", "editor"});
  REQUIRE(created.exit_code == 0);
  const auto first_password = lines(created.out).back();

  CHECK(users(dir, {"set-role", "e@comune.it", "publisher"}).exit_code == 0);
  CHECK(users(dir, {"set-role", "e@comune.it", "mayor"}).exit_code == 2);
  CHECK(users(dir, {"disable", "E@comune.it"}).exit_code == 0);
  auto list = users(dir, {"list"}).out;
  CHECK(list.find("publisher") != std::string::npos);
  CHECK(list.find("yes") != std::string::npos);
  CHECK(users(dir, {"enable", "e@comune.it"}).exit_code == 0);
  CHECK(users(dir, {"disable", "nobody@comune.it"}).exit_code == 1);

  const auto reset = users(dir, {"reset-password", "e@comune.it"});
  REQUIRE(reset.exit_code == 0);
  const auto second_password = lines(reset.out).back();
  CHECK(second_password != first_password);
  const auto hash = stored_password_hash(dir, "e@comune.it");
  CHECK(banditore::crypto::verify_password(hash, second_password));
  CHECK_FALSE(banditore::crypto::verify_password(hash, first_password));
  CHECK(database_bytes(dir).find(second_password) == std::string::npos);
}

TEST_CASE("users create refuses a missing option, a bad role and a taken email with usage errors") {
  temp_dir dir;
  CHECK(users(dir, {"create", "--email", "x@comune.it", "--name", "X"}).exit_code == 2);
  CHECK(users(dir, {"create", "--email", "x@comune.it", "--name", "X", "--role", "boss"}).exit_code == 2);
  CHECK(users(dir, {"create", "--email", "not-an-email", "--name", "X", "--role", "editor"}).exit_code == 2);
  CHECK(users(dir, {"create", "--email", "x@comune.it", "--name", "X", "--role", "editor", "--towns", "atlantide"})
            .exit_code == 2);
  REQUIRE(users(dir, {"create", "--email", "x@comune.it", "--name", "X", "--role", "editor"}).exit_code == 0);
  const auto again = users(dir, {"create", "--email", "X@comune.it", "--name", "X", "--role", "editor"});
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("exists") != std::string::npos);
  CHECK(again.out.empty());
}

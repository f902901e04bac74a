#include <banditore/crypto/data_keys.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/crypto/sealed_box.hpp>

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

using namespace banditore::crypto;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp directory, removed at scope exit.
// Its name holds no long hex run, so messages can be searched for key hex.
struct temp_dir {
  fs::path path;
  temp_dir() {
    static std::atomic<int> counter{0};
    for (;;) {
      path = fs::temp_directory_path() /
             ("banditore-keys-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
      if (fs::create_directory(path)) break;
    }
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& p, const std::string& text, fs::perms mode) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  fs::permissions(p, mode);
}

bool same(const data_keys& a, const data_keys& b) {
  return a.encryption == b.encryption && a.lookup == b.lookup && a.retired == b.retired;
}

// The longest run of hex digits in s: key material would show as 64.
std::size_t longest_hex_run(std::string_view s) {
  std::size_t best = 0, run = 0;
  for (char c : s) {
    run = std::isxdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

std::string message_of(const auto& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

std::ptrdiff_t entries_in(const fs::path& dir) {
  return std::distance(fs::directory_iterator(dir), fs::directory_iterator{});
}

// parse_key_file refuses text with a message that says `expected` and
// shows no key material.
void check_refused_quietly(const std::string& text, const std::string& expected) {
  const auto msg = message_of([&] { parse_key_file(text); });
  CHECK(msg.find(expected) != std::string::npos);
  CHECK(longest_hex_run(msg) < 16);
}

const std::string enc_hex(64, 'a');
const std::string look_hex = std::string(32, 'b') + std::string(32, 'c');

}  // namespace

TEST_CASE("a formatted key file parses back to the same keys") {
  auto keys = generate_data_keys();
  CHECK(same(parse_key_file(format_key_file(keys)), keys));
}

TEST_CASE("generated keys are random and independent") {
  auto a = generate_data_keys();
  auto b = generate_data_keys();
  CHECK(a.encryption != a.lookup);
  CHECK(a.encryption != b.encryption);
  CHECK(a.lookup != b.lookup);
}

TEST_CASE("a key file may have comments, blank lines, CRLF and uppercase hex") {
  auto text = "# keys\r\n\r\n  encryption=" + std::string(64, 'A') + "\r\nlookup=" + look_hex + "\r\n";
  auto keys = parse_key_file(text);
  CHECK(to_hex(keys.encryption) == enc_hex);
  CHECK(to_hex(keys.lookup) == look_hex);
}

TEST_CASE("both keys may be given on one line, for an environment variable") {
  CHECK(to_hex(parse_key_material("encryption=" + enc_hex + ";lookup=" + look_hex).lookup) == look_hex);
  CHECK(to_hex(parse_key_material("encryption=" + enc_hex + " lookup=" + look_hex).lookup) == look_hex);
}

TEST_CASE("a key file without a lookup line is refused") {
  CHECK_THROWS_WITH_AS(parse_key_file("encryption=" + enc_hex + "\n"),
                       doctest::Contains("no lookup= entry"), std::runtime_error);
}

TEST_CASE("a key file without an encryption line is refused") {
  CHECK_THROWS_WITH_AS(parse_key_file("lookup=" + look_hex + "\n"),
                       doctest::Contains("no encryption= entry"), std::runtime_error);
}

TEST_CASE("a key file holding only comments is refused") {
  CHECK_THROWS_WITH_AS(parse_key_file("# nothing\n\n"), doctest::Contains("holds no keys"),
                       std::runtime_error);
}

TEST_CASE("a key given twice is refused") {
  auto text = "encryption=" + enc_hex + "\nlookup=" + look_hex + "\nlookup=" + look_hex + "\n";
  CHECK_THROWS_WITH_AS(parse_key_file(text), doctest::Contains("line 3: lookup given twice"),
                       std::runtime_error);
}

TEST_CASE("an unknown entry is refused without echoing it") {
  auto text = "encryption=" + enc_hex + "\nlookup=" + look_hex + "\nsecret=" + enc_hex + "\n";
  auto msg = message_of([&] { parse_key_file(text); });
  CHECK(msg.find("line 3: unknown entry") != std::string::npos);
  CHECK(msg.find("secret") == std::string::npos);
}

TEST_CASE("a line that is not name=value is refused without echoing it") {
  check_refused_quietly(enc_hex + "\nlookup=" + look_hex + "\n", "line 1: expected name=value");
}

TEST_CASE("a key of the wrong length is refused without echoing it") {
  check_refused_quietly("encryption=" + enc_hex.substr(1) + "\nlookup=" + look_hex,
                        "line 1: the encryption key must be 64 hex characters, found 63");
}

TEST_CASE("a key that is not hex is refused without echoing it") {
  auto bad = look_hex;
  bad[10] = 'x';
  check_refused_quietly("encryption=" + enc_hex + "\nlookup=" + bad, "line 2: the lookup key is not hexadecimal");
}

TEST_CASE("the same key for encryption and lookup is refused") {
  CHECK_THROWS_WITH_AS(parse_key_file("encryption=" + enc_hex + "\nlookup=" + enc_hex),
                       doctest::Contains("must differ"), std::runtime_error);
}

TEST_CASE("errors in configured key material say they come from configuration") {
  CHECK_THROWS_WITH_AS(parse_key_material("encryption=" + enc_hex),
                       doctest::Contains("key material from configuration"), std::runtime_error);
}

TEST_CASE("a missing key file is created with mode 0600 and fresh keys") {
  temp_dir dir;
  auto path = dir.path / "var" / "banditore.key";
  bool created = false;
  auto keys = load_or_create_key_file(path, created);
  CHECK(created);
  CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(same(parse_key_file(read_text(path)), keys));
}

TEST_CASE("creating a key file leaves no temporary file behind") {
  temp_dir dir;
  bool created = false;
  load_or_create_key_file(dir.path / "banditore.key", created);
  CHECK(entries_in(dir.path) == 1);  // no temporary file left
}

TEST_CASE("an existing key file is read, not replaced") {
  temp_dir dir;
  auto path = dir.path / "banditore.key";
  bool created = false;
  auto first = load_or_create_key_file(path, created);
  auto second = load_or_create_key_file(path, created);
  CHECK_FALSE(created);
  CHECK(same(first, second));
}

TEST_CASE("a key file readable by group or others is refused") {
  temp_dir dir;
  auto path = dir.path / "banditore.key";
  write_text(path, format_key_file(generate_data_keys()),
             fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  bool created = false;
  CHECK_THROWS_WITH_AS(load_or_create_key_file(path, created), doctest::Contains("has mode 0644"),
                       std::runtime_error);
}

TEST_CASE("a read-only key file (0400) is accepted") {
  temp_dir dir;
  auto path = dir.path / "banditore.key";
  auto keys = generate_data_keys();
  write_text(path, format_key_file(keys), fs::perms::owner_read);
  bool created = true;
  CHECK(same(load_or_create_key_file(path, created), keys));
}

TEST_CASE("a corrupted key file is refused, left as it is, and its keys are not echoed") {
  temp_dir dir;
  auto path = dir.path / "banditore.key";
  auto keys = generate_data_keys();
  auto text = format_key_file(keys);
  text.resize(text.size() - 10);  // cut inside the lookup key
  write_text(path, text, fs::perms::owner_read | fs::perms::owner_write);
  bool created = false;
  auto msg = message_of([&] { load_or_create_key_file(path, created); });
  CHECK(msg.find("the lookup key must be 64 hex characters") != std::string::npos);
  CHECK(msg.find(to_hex(keys.encryption).substr(0, 8)) == std::string::npos);
  CHECK(msg.find(to_hex(keys.lookup).substr(0, 8)) == std::string::npos);
  CHECK(longest_hex_run(msg) < 16);
  CHECK(read_text(path) == text);
}

TEST_CASE("an empty key file is refused and not replaced") {
  temp_dir dir;
  auto path = dir.path / "banditore.key";
  write_text(path, "", fs::perms::owner_read | fs::perms::owner_write);
  bool created = false;
  CHECK_THROWS_WITH_AS(load_or_create_key_file(path, created), doctest::Contains("is empty"),
                       std::runtime_error);
  CHECK(fs::file_size(path) == 0);
}

TEST_CASE("the fingerprint tells keys apart") {
  auto keys = generate_data_keys();
  auto other_lookup = keys;
  other_lookup.lookup[0] ^= 1;
  auto other_encryption = keys;
  other_encryption.encryption[0] ^= 1;
  CHECK(key_fingerprint(keys) == key_fingerprint(keys));
  CHECK(key_fingerprint(keys) != key_fingerprint(other_lookup));
  CHECK(key_fingerprint(keys) != key_fingerprint(other_encryption));
}

TEST_CASE("the fingerprint is 32 hex characters and shows no key") {
  auto keys = generate_data_keys();
  auto fp = key_fingerprint(keys);
  CHECK(fp.size() == 32);
  CHECK(from_hex(fp).has_value());
  CHECK(to_hex(keys.encryption).find(fp.substr(0, 16)) == std::string::npos);
  CHECK(to_hex(keys.lookup).find(fp.substr(16)) == std::string::npos);
}

TEST_CASE("a phone hash is the lookup-keyed HMAC of the digits, as 32 raw bytes") {
  auto keys = generate_data_keys();
  auto h = phone_hash(keys, "393331234567");
  CHECK(h.size() == 32);
  CHECK(to_hex(h) == to_hex(hmac_sha256(keys.lookup, "393331234567")));
  CHECK(h != phone_hash(keys, "393331234568"));
}

TEST_CASE("the same number hashes differently under another lookup key") {
  auto a = generate_data_keys();
  auto b = generate_data_keys();
  CHECK(phone_hash(a, "393331234567") != phone_hash(b, "393331234567"));
}

TEST_CASE("a phone tag is the first 8 hex characters of the hash") {
  auto h = phone_hash(generate_data_keys(), "393331234567");
  auto tag = phone_tag(h);
  CHECK(tag.size() == 8);
  CHECK(to_hex(h).starts_with(tag));
}

// --- rotation: retired keys ---------------------------------------------------

namespace {

const std::string old_hex = std::string(64, 'd');

}  // namespace

TEST_CASE("a rotation's keys: a new encryption key, the old ones retired newest first, the same lookup key") {
  const auto first = generate_data_keys();
  const auto second = with_new_encryption_key(first);
  const auto third = with_new_encryption_key(second);
  CHECK(third.lookup == first.lookup);
  CHECK(third.encryption != second.encryption);
  CHECK(third.encryption != first.encryption);
  CHECK(third.encryption != third.lookup);
  CHECK(third.retired == std::vector<key>{second.encryption, first.encryption});
}

TEST_CASE("a key file with retired keys formats and parses back with them, in order") {
  auto keys = with_new_encryption_key(with_new_encryption_key(generate_data_keys()));
  REQUIRE(keys.retired.size() == 2);
  CHECK(same(parse_key_file(format_key_file(keys)), keys));
}

TEST_CASE("a key file without retired keys says nothing of them") {
  CHECK(format_key_file(generate_data_keys()).find("retired") == std::string::npos);
}

TEST_CASE("retired keys may be given in configuration on one line") {
  auto keys = parse_key_material("encryption=" + enc_hex + ";retired=" + old_hex + ";lookup=" + look_hex);
  REQUIRE(keys.retired.size() == 1);
  CHECK(to_hex(keys.retired[0]) == old_hex);
}

TEST_CASE("a retired key that is the current encryption key is refused") {
  CHECK_THROWS_WITH_AS(parse_key_file("encryption=" + enc_hex + "\nretired=" + enc_hex + "\nlookup=" + look_hex),
                       doctest::Contains("a retired key is the current encryption key"), std::runtime_error);
}

TEST_CASE("a retired key that is the lookup key is refused") {
  CHECK_THROWS_WITH_AS(parse_key_file("encryption=" + enc_hex + "\nretired=" + look_hex + "\nlookup=" + look_hex),
                       doctest::Contains("a retired key is the lookup key"), std::runtime_error);
}

TEST_CASE("a retired key given twice is refused without echoing it") {
  check_refused_quietly("encryption=" + enc_hex + "\nretired=" + old_hex + "\nretired=" + old_hex + "\nlookup=" + look_hex,
                        "line 3: this retired key is given twice");
}

TEST_CASE("a malformed retired key is refused by name and line") {
  CHECK_THROWS_WITH_AS(parse_key_file("encryption=" + enc_hex + "\nretired=abc\nlookup=" + look_hex),
                       doctest::Contains("line 2: the retired key must be 64 hex characters"), std::runtime_error);
}

TEST_CASE("a number sealed under a retired key still opens") {
  auto old_keys = generate_data_keys();
  auto cipher = seal_phone(old_keys, "393331234567", "hash");
  CHECK(open_phone(with_new_encryption_key(old_keys), cipher, "hash") == "393331234567");
}

TEST_CASE("a number is sealed under the current key, never a retired one") {
  auto keys = with_new_encryption_key(generate_data_keys());
  auto cipher = seal_phone(keys, "393331234567", "hash");
  CHECK(sealed_box(keys.encryption).open(cipher, "hash") == "393331234567");
  CHECK_FALSE(sealed_box(keys.retired[0]).open(cipher, "hash").has_value());
}

TEST_CASE("a number sealed under a key no longer held opens with none") {
  auto old_keys = generate_data_keys();
  auto cipher = seal_phone(old_keys, "393331234567", "hash");
  auto dropped = with_new_encryption_key(old_keys);
  dropped.retired.clear();
  CHECK_FALSE(open_phone(dropped, cipher, "hash").has_value());
}

TEST_CASE("opening with the right keys but another row's hash fails") {
  auto keys = with_new_encryption_key(generate_data_keys());
  auto cipher = seal_phone(keys, "393331234567", "hash");
  CHECK_FALSE(open_phone(keys, cipher, "other hash").has_value());
}

TEST_CASE("keys answer to their own fingerprint and to a retired key's, not to others'") {
  auto old_keys = generate_data_keys();
  auto keys = with_new_encryption_key(old_keys);
  CHECK(answers_to(keys, key_fingerprint(keys)));
  CHECK(answers_to(keys, key_fingerprint(old_keys)));
  CHECK_FALSE(answers_to(old_keys, key_fingerprint(keys)));
  CHECK_FALSE(answers_to(keys, key_fingerprint(generate_data_keys())));
}

TEST_CASE("the fingerprint names the current keys only, whatever is retired") {
  auto keys = generate_data_keys();
  auto with_retired = keys;
  with_retired.retired.push_back(generate_data_keys().encryption);
  CHECK(key_fingerprint(keys) == key_fingerprint(with_retired));
}

TEST_CASE("replacing a key file writes the new keys with mode 0600 and leaves no temporary file") {
  temp_dir dir;
  auto path = dir.path / "banditore.key";
  bool created = false;
  auto keys = load_or_create_key_file(path, created);
  fs::permissions(path, fs::perms::owner_read);
  auto next = with_new_encryption_key(keys);
  replace_key_file(path, next);
  CHECK(same(read_key_file(path), next));
  CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(entries_in(dir.path) == 1);  // no temporary file left
}

TEST_CASE("a replaced key file keeps the owner of the file it replaces") {
  temp_dir dir;
  auto path = dir.path / "banditore.key";
  bool created = false;
  auto keys = load_or_create_key_file(path, created);
  // Another owner needs root: an operator runs rotate-keys as root beside a
  // service running under its own user.
  if (::geteuid() != 0) {
    MESSAGE("not root: the owner cannot be changed here");
    return;
  }
  REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
  replace_key_file(path, with_new_encryption_key(keys));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(st.st_uid == 65534);
  CHECK(st.st_gid == 65534);
}

TEST_CASE("replacing a key file that does not exist is an error and creates nothing") {
  temp_dir dir;
  CHECK_THROWS_AS(replace_key_file(dir.path / "banditore.key", generate_data_keys()), std::system_error);
  CHECK_FALSE(fs::exists(dir.path / "banditore.key"));
}

TEST_CASE("reading a missing key file is an error and creates nothing") {
  temp_dir dir;
  CHECK_THROWS_AS(read_key_file(dir.path / "banditore.key"), std::system_error);
  CHECK_FALSE(fs::exists(dir.path / "banditore.key"));
}

#include <banditore/crypto/data_keys.hpp>

#include <banditore/crypto/hash.hpp>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace banditore::crypto {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view check_label = "banditore key check";

// Wipes a string holding key material when it goes out of scope.
struct cleansed {
  std::string& s;
  ~cleansed() { OPENSSL_cleanse(s.data(), s.size()); }
};

struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

// Removes a temporary key file unless it became the key file.
struct temp_file_guard {
  fs::path path;
  bool armed = true;
  ~temp_file_guard() {
    if (armed) ::unlink(path.c_str());
  }
};

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

key random_key() {
  key k{};
  if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1)
    throw std::runtime_error("OpenSSL: RAND_bytes failed");
  return k;
}

void trim(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
}

// source names where the text came from in messages ("key file /x/y").
// Messages carry names and line numbers only: never a value.
data_keys parse_keys(std::string_view text, const std::string& source) {
  std::optional<key> encryption, lookup;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    trim(line);
    if (line.empty() || line.front() == '#') continue;

    std::size_t at = 0;
    while (at < line.size()) {
      auto stop = line.find_first_of(" \t;", at);
      if (stop == std::string_view::npos) stop = line.size();
      auto entry = line.substr(at, stop - at);
      at = stop + 1;
      if (entry.empty()) continue;

      auto eq = entry.find('=');
      if (eq == std::string_view::npos)
        throw std::runtime_error(fmt::format("{}, line {}: expected name=value", source, line_no));
      auto name = entry.substr(0, eq);
      auto value = entry.substr(eq + 1);
      std::optional<key>* target = nullptr;
      if (name == "encryption") target = &encryption;
      else if (name == "lookup") target = &lookup;
      else
        throw std::runtime_error(fmt::format(
            "{}, line {}: unknown entry (expected encryption= or lookup=)", source, line_no));
      if (*target)
        throw std::runtime_error(fmt::format("{}, line {}: {} given twice", source, line_no, name));
      if (value.size() != 64)
        throw std::runtime_error(fmt::format(
            "{}, line {}: the {} key must be 64 hex characters, found {}", source, line_no, name,
            value.size()));
      auto raw = from_hex(value);
      if (!raw)
        throw std::runtime_error(
            fmt::format("{}, line {}: the {} key is not hexadecimal", source, line_no, name));
      cleansed wipe{*raw};
      key k{};
      std::copy(raw->begin(), raw->end(), k.begin());
      *target = k;
    }
  }
  if (!encryption && !lookup) throw std::runtime_error(fmt::format("{} holds no keys", source));
  if (!encryption) throw std::runtime_error(fmt::format("{}: no encryption= entry", source));
  if (!lookup) throw std::runtime_error(fmt::format("{}: no lookup= entry", source));
  // One key in both roles would tie the lookup hashes to the ciphertexts'
  // key; it only happens by a copy-and-paste mistake.
  if (*encryption == *lookup)
    throw std::runtime_error(
        fmt::format("{}: the encryption and lookup keys are the same; they must differ", source));
  return {*encryption, *lookup};
}

std::string read_all(int fd, const fs::path& path) {
  std::string out;
  char buf[4096];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(errno, "cannot read key file " + path.string());
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return out;
}

data_keys read_key_file(int fd, const fs::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_errno(errno, "cannot stat key file " + path.string());
  if (!S_ISREG(st.st_mode))
    throw std::runtime_error(fmt::format("key file {} is not a regular file", path.string()));
  const unsigned mode = st.st_mode & 07777;
  if ((mode & ~0600u) != 0)
    throw std::runtime_error(fmt::format(
        "key file {} has mode {:04o}; it must be 0600 or stricter, since it unlocks every "
        "stored phone number (chmod 600 {})",
        path.string(), mode, path.string()));

  std::string text = read_all(fd, path);
  cleansed wipe{text};
  const std::string untouched =
      " The file was left as it is: restore it from a backup. Removing it starts with new keys "
      "and makes the stored phone numbers unreadable.";
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw std::runtime_error(fmt::format("key file {} is empty.{}", path.string(), untouched));
  try {
    return parse_keys(text, "key file " + path.string());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(e.what()) + "." + untouched);
  }
}

void write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(errno, "cannot write " + path.string());
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void fsync_directory(const fs::path& dir) {
  fd_guard d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0) throw_errno(errno, "cannot open directory " + dir.string());
  // Some filesystems cannot sync a directory (EINVAL); nothing more to do there.
  if (::fsync(d.fd) != 0 && errno != EINVAL)
    throw_errno(errno, "cannot sync directory " + dir.string());
}

// Writes keys to a new key file at path. Returns false, leaving nothing
// behind, if a key file appeared there meanwhile (another process starting):
// that file wins, so both processes end up with the same keys.
bool create_key_file(const fs::path& path, const data_keys& keys) {
  fs::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  fs::create_directories(dir);

  // Same directory, so the final step is a rename within one filesystem.
  temp_file_guard temp{dir / ("." + path.filename().string() + ".tmp-" + to_hex(random_bytes(8)))};
  fd_guard out{::open(temp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
  if (out.fd < 0) {
    temp.armed = false;
    throw_errno(errno, "cannot create " + temp.path.string());
  }
  std::string text = format_key_file(keys);
  cleansed wipe{text};
  write_all(out.fd, text, temp.path);
  if (::fsync(out.fd) != 0) throw_errno(errno, "cannot sync " + temp.path.string());
  if (::close(out.release()) != 0) throw_errno(errno, "cannot close " + temp.path.string());

  // Install without ever replacing an existing key file: RENAME_NOREPLACE,
  // or a hard link where the filesystem lacks it; both fail with EEXIST.
  bool renamed = true;
  int rc = ::renameat2(AT_FDCWD, temp.path.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP)) {
    renamed = false;
    rc = ::link(temp.path.c_str(), path.c_str());
  }
  if (rc != 0) {
    int err = errno;
    if (err == EEXIST) return false;
    throw_errno(err, "cannot install key file " + path.string());
  }
  if (renamed) temp.armed = false;
  fsync_directory(dir);
  return true;
}

}  // namespace

data_keys generate_data_keys() { return {random_key(), random_key()}; }

std::string format_key_file(const data_keys& keys) {
  return fmt::format(
      "# banditore data keys. Keep this file secret (mode 0600) and back it up:\n"
      "# without it the stored phone numbers can be neither read nor found.\n"
      "# encryption: AES-256-GCM of phone numbers; lookup: HMAC-SHA256 of phone numbers.\n"
      "encryption={}\n"
      "lookup={}\n",
      to_hex(keys.encryption), to_hex(keys.lookup));
}

data_keys parse_key_file(std::string_view text) { return parse_keys(text, "key file"); }

data_keys parse_key_material(std::string_view text) {
  return parse_keys(text, "key material from configuration");
}

data_keys load_or_create_key_file(const fs::path& path, bool& created) {
  created = false;
  // Two rounds: if another process creates the file between our open and
  // our create, the second round reads its keys.
  for (int round = 0; round < 2; ++round) {
    fd_guard in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd >= 0) return read_key_file(in.fd, path);
    if (errno != ENOENT) throw_errno(errno, "cannot open key file " + path.string());
    data_keys keys = generate_data_keys();
    if (create_key_file(path, keys)) {
      created = true;
      return keys;
    }
  }
  throw std::runtime_error(fmt::format("key file {} keeps changing under us", path.string()));
}

std::string key_fingerprint(const data_keys& keys) {
  // HMAC of a fixed label under each key, truncated to 64 bits: it tells
  // keys apart and reveals nothing that helps recover them.
  return to_hex(hmac_sha256(keys.encryption, check_label)).substr(0, 16) +
         to_hex(hmac_sha256(keys.lookup, check_label)).substr(0, 16);
}

std::string phone_hash(const data_keys& keys, std::string_view e164_digits) {
  auto d = hmac_sha256(keys.lookup, e164_digits);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string phone_tag(std::string_view phone_hash_bytes) {
  return to_hex(phone_hash_bytes.substr(0, 4));
}

}  // namespace banditore::crypto

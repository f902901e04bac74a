#include <banditore/crypto/data_keys.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/crypto/sealed_box.hpp>

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

// Removes a temporary key file unless it became the key file. Moving it
// hands the duty on.
struct temp_file_guard {
  fs::path path;
  bool armed = true;
  explicit temp_file_guard(fs::path p) : path(std::move(p)) {}
  temp_file_guard(temp_file_guard&& other) noexcept
      : path(std::move(other.path)), armed(std::exchange(other.armed, false)) {}
  temp_file_guard& operator=(temp_file_guard&&) = delete;
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

// Turns one name=value entry's value into a key; value errors name the
// entry and line, never the value.
key parse_key_value(std::string_view value, std::string_view name, const std::string& source, int line_no) {
  if (value.size() != 64)
    throw std::runtime_error(fmt::format("{}, line {}: the {} key must be 64 hex characters, found {}", source,
                                         line_no, name, value.size()));
  auto raw = from_hex(value);
  if (!raw) throw std::runtime_error(fmt::format("{}, line {}: the {} key is not hexadecimal", source, line_no, name));
  cleansed wipe{*raw};
  key k{};
  std::copy(raw->begin(), raw->end(), k.begin());
  return k;
}

// source names where the text came from in messages ("key file /x/y").
// Messages carry names and line numbers only: never a value.
data_keys parse_keys(std::string_view text, const std::string& source) {
  std::optional<key> encryption, lookup;
  std::vector<key> retired;
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
      if (name == "retired") {
        auto k = parse_key_value(value, name, source, line_no);
        if (std::find(retired.begin(), retired.end(), k) != retired.end())
          throw std::runtime_error(fmt::format("{}, line {}: this retired key is given twice", source, line_no));
        retired.push_back(k);
        continue;
      }
      std::optional<key>* target = nullptr;
      if (name == "encryption") target = &encryption;
      else if (name == "lookup") target = &lookup;
      else
        throw std::runtime_error(fmt::format(
            "{}, line {}: unknown entry (expected encryption=, retired= or lookup=)", source, line_no));
      if (*target)
        throw std::runtime_error(fmt::format("{}, line {}: {} given twice", source, line_no, name));
      *target = parse_key_value(value, name, source, line_no);
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
  for (const auto& r : retired) {
    if (r == *encryption)
      throw std::runtime_error(fmt::format("{}: a retired key is the current encryption key", source));
    if (r == *lookup) throw std::runtime_error(fmt::format("{}: a retired key is the lookup key", source));
  }
  return {*encryption, *lookup, std::move(retired)};
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

data_keys read_key_fd(int fd, const fs::path& path) {
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

fs::path directory_of(const fs::path& path) {
  fs::path dir = path.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

// Writes keys to a new temporary file (mode 0600, synced) beside path, so
// that installing it is a rename within one filesystem.
temp_file_guard write_temp_key_file(const fs::path& path, const data_keys& keys) {
  const fs::path dir = directory_of(path);
  fs::create_directories(dir);
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
  return temp;
}

// Writes keys to a new key file at path. Returns false, leaving nothing
// behind, if a key file appeared there meanwhile (another process starting):
// that file wins, so both processes end up with the same keys.
bool create_key_file(const fs::path& path, const data_keys& keys) {
  temp_file_guard temp = write_temp_key_file(path, keys);

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
  fsync_directory(directory_of(path));
  return true;
}

}  // namespace

data_keys generate_data_keys() { return {random_key(), random_key(), {}}; }

data_keys with_new_encryption_key(const data_keys& keys) {
  data_keys next = keys;
  do next.encryption = random_key();
  while (next.encryption == next.lookup || next.encryption == keys.encryption);
  next.retired.insert(next.retired.begin(), keys.encryption);
  return next;
}

std::string format_key_file(const data_keys& keys) {
  std::string retired;
  if (!keys.retired.empty()) {
    retired =
        "# retired: earlier encryption keys, kept only until `banditore rotate-keys` has\n"
        "# sealed every number again under the current one.\n";
    for (const auto& k : keys.retired) retired += fmt::format("retired={}\n", to_hex(k));
  }
  return fmt::format(
      "# banditore data keys. Keep this file secret (mode 0600) and back it up:\n"
      "# without it the stored phone numbers can be neither read nor found.\n"
      "# encryption: AES-256-GCM of phone numbers; lookup: HMAC-SHA256 of phone numbers.\n"
      "encryption={}\n"
      "{}"
      "lookup={}\n",
      to_hex(keys.encryption), retired, to_hex(keys.lookup));
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
    if (in.fd >= 0) return read_key_fd(in.fd, path);
    if (errno != ENOENT) throw_errno(errno, "cannot open key file " + path.string());
    data_keys keys = generate_data_keys();
    if (create_key_file(path, keys)) {
      created = true;
      return keys;
    }
  }
  throw std::runtime_error(fmt::format("key file {} keeps changing under us", path.string()));
}

data_keys read_key_file(const fs::path& path) {
  fd_guard in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) throw_errno(errno, "cannot open key file " + path.string());
  return read_key_fd(in.fd, path);
}

void replace_key_file(const fs::path& path, const data_keys& keys) {
  struct stat old {};
  if (::stat(path.c_str(), &old) != 0) throw_errno(errno, "cannot stat key file " + path.string());
  temp_file_guard temp = write_temp_key_file(path, keys);
  // The new file keeps the old one's owner: run as root beside a service
  // under its own user, it must stay readable by that service.
  if ((old.st_uid != ::geteuid() || old.st_gid != ::getegid()) &&
      ::fchownat(AT_FDCWD, temp.path.c_str(), old.st_uid, old.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
    throw_errno(errno, "cannot give " + temp.path.string() + " the key file's owner");
  if (::rename(temp.path.c_str(), path.c_str()) != 0)
    throw_errno(errno, "cannot replace key file " + path.string());
  temp.armed = false;
  fsync_directory(directory_of(path));
}

std::string key_fingerprint(const data_keys& keys) {
  // HMAC of a fixed label under each key, truncated to 64 bits: it tells
  // keys apart and reveals nothing that helps recover them.
  return to_hex(hmac_sha256(keys.encryption, check_label)).substr(0, 16) +
         to_hex(hmac_sha256(keys.lookup, check_label)).substr(0, 16);
}

bool answers_to(const data_keys& keys, std::string_view fingerprint) {
  if (key_fingerprint(keys) == fingerprint) return true;
  for (const auto& r : keys.retired)
    if (key_fingerprint({r, keys.lookup, {}}) == fingerprint) return true;
  return false;
}

std::string seal_phone(const data_keys& keys, std::string_view e164_digits, std::string_view phone_hash) {
  return sealed_box(keys.encryption).seal(e164_digits, phone_hash);
}

std::optional<std::string> open_phone(const data_keys& keys, std::string_view sealed, std::string_view phone_hash) {
  // A wrong key fails the GCM tag check, so trying each key in turn is safe.
  if (auto number = sealed_box(keys.encryption).open(sealed, phone_hash)) return number;
  for (const auto& r : keys.retired)
    if (auto number = sealed_box(r).open(sealed, phone_hash)) return number;
  return std::nullopt;
}

std::string phone_hash(const data_keys& keys, std::string_view e164_digits) {
  auto d = hmac_sha256(keys.lookup, e164_digits);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string phone_tag(std::string_view phone_hash_bytes) {
  return to_hex(phone_hash_bytes.substr(0, 4));
}

}  // namespace banditore::crypto

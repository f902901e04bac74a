#include <banditore/app/key_rotation.hpp>

#include <banditore/store/sqlite/open.hpp>
#include <banditore/crypto/data_keys.hpp>
#include <banditore/crypto/sealed_box.hpp>
#include <banditore/store/sqlite/key_rotation.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

using namespace banditore;
namespace fs = std::filesystem;

namespace {

std::string column_blob(const SQLite::Column& c) {
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
}

// A database and key file in a fresh directory, with subscribers sealed
// under the first keys.
struct deployment {
  fs::path dir;
  config::settings settings;
  crypto::data_keys first;
  deployment() {
    static std::atomic<int> n{0};
    dir = fs::temp_directory_path() / ("banditore_rotation_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::create_directories(dir);
    settings.db_path = (dir / "banditore.db").string();
    settings.key_file = (dir / "banditore.key").string();
    auto opened = store::sqlite::open_store(settings);
    first = opened.keys;
    for (int i = 0; i < 5; ++i) {
      const auto e164 = "39333000000" + std::to_string(i);
      const auto h = crypto::phone_hash(first, e164);
      const auto c = crypto::seal_phone(first, e164, h);
      SQLite::Statement st(*opened.db, "INSERT INTO subscribers (phone_hash, phone_cipher, language, source, "
                                       "subscribed_at) VALUES (:h, :c, 'it', 'whatsapp', 0)");
      st.bind(":h", h.data(), static_cast<int>(h.size()));
      st.bind(":c", c.data(), static_cast<int>(c.size()));
      st.exec();
    }
  }
  ~deployment() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  int opened_by(const crypto::key& k) {
    SQLite::Database db(settings.db_path);
    SQLite::Statement q(db, "SELECT phone_hash, phone_cipher FROM subscribers");
    crypto::sealed_box box(k);
    int n = 0;
    while (q.executeStep())
      if (box.open(column_blob(q.getColumn(1)), column_blob(q.getColumn(0)))) ++n;
    return n;
  }
  std::optional<std::string> stored_fingerprint() {
    SQLite::Database db(settings.db_path);
    return store::sqlite::stored_key_fingerprint(db);
  }
};

}  // namespace

TEST_CASE("a rotation seals every number under a new key and leaves only that key in the file") {
  deployment d;
  auto report = app::rotate_data_keys(d.settings);
  auto file = crypto::read_key_file(d.settings.key_file);
  CHECK(report.outcome == app::rotation_outcome::rotated);
  CHECK(report.resealed == 5);
  CHECK(report.passes == 2);
  CHECK_FALSE(report.resumed);
  CHECK(file.encryption != d.first.encryption);
  CHECK(file.retired.empty());
  CHECK(d.opened_by(file.encryption) == 5);
  CHECK(d.opened_by(d.first.encryption) == 0);
}

TEST_CASE("a rotation keeps the lookup key and records the new fingerprint") {
  deployment d;
  auto report = app::rotate_data_keys(d.settings);
  auto file = crypto::read_key_file(d.settings.key_file);
  CHECK(file.lookup == d.first.lookup);
  CHECK(report.fingerprint == crypto::key_fingerprint(file));
  CHECK(d.stored_fingerprint() == report.fingerprint);
}

TEST_CASE("a rotation interrupted after replacing the key file is finished by running it again") {
  deployment d;
  // The state a crash leaves between the file and the database.
  const auto next = crypto::with_new_encryption_key(d.first);
  crypto::replace_key_file(d.settings.key_file, next);
  CHECK_NOTHROW(store::sqlite::open_store(d.settings));  // the service still starts

  auto report = app::rotate_data_keys(d.settings);
  CHECK(report.resumed);
  auto file = crypto::read_key_file(d.settings.key_file);
  CHECK(file.encryption == next.encryption);  // no third key
  CHECK(file.retired.empty());
  CHECK(d.opened_by(next.encryption) == 5);
  CHECK(d.stored_fingerprint() == crypto::key_fingerprint(next));
}

TEST_CASE("a rotation interrupted while sealing again is finished by running it again") {
  deployment d;
  const auto next = crypto::with_new_encryption_key(d.first);
  crypto::replace_key_file(d.settings.key_file, next);
  {
    SQLite::Database db(d.settings.db_path, SQLite::OPEN_READWRITE);
    store::sqlite::store_key_fingerprint(db, crypto::key_fingerprint(next));
  }
  auto report = app::rotate_data_keys(d.settings);
  CHECK(report.resumed);
  CHECK(report.resealed == 5);
  CHECK(d.opened_by(next.encryption) == 5);
  CHECK(crypto::read_key_file(d.settings.key_file).retired.empty());
}

TEST_CASE("with keys from configuration and none retired, nothing is rotated") {
  deployment d;
  d.settings.data_keys = crypto::format_key_file(d.first);
  auto before = fs::last_write_time(d.settings.key_file);
  auto report = app::rotate_data_keys(d.settings);
  CHECK(report.outcome == app::rotation_outcome::keys_from_configuration);
  CHECK(d.opened_by(d.first.encryption) == 5);
  CHECK(fs::last_write_time(d.settings.key_file) == before);
}

TEST_CASE("with keys from configuration holding a new key and the old one retired, every number moves to the new key") {
  deployment d;
  const auto next = crypto::with_new_encryption_key(d.first);
  d.settings.data_keys = crypto::format_key_file(next);
  auto report = app::rotate_data_keys(d.settings);
  CHECK(report.from_configuration);
  CHECK(report.resealed == 5);
  CHECK(d.opened_by(next.encryption) == 5);
  CHECK(d.stored_fingerprint() == crypto::key_fingerprint(next));
}

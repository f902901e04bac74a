#include <banditore/store/sqlite/media.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/store/sqlite/database.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <memory>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000;
const actor press{"key:press-office", std::nullopt};
const std::string pdf = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";

std::unique_ptr<SQLite::Database> fresh() {
  auto d = open_database(":memory:");
  migrate(*d);
  return d;
}

}  // namespace

TEST_CASE("an attachment is stored whole with its type, name, size and SHA-256, and audited") {
  auto db = fresh();
  const auto stored = insert_media(*db, {domain::media_kind::pdf, pdf, "ordinanza.pdf"}, press, t0);
  CHECK(stored.created);
  CHECK(stored.media.mime_type == "application/pdf");
  CHECK(stored.media.filename == "ordinanza.pdf");
  CHECK(stored.media.size == static_cast<std::int64_t>(pdf.size()));
  CHECK(stored.media.sha256 == crypto::to_hex(crypto::sha256(pdf)));
  CHECK(stored.media.created_by == "key:press-office");
  CHECK(stored.media.created_at == t0);
  CHECK(media_bytes(*db, stored.media.id) == pdf);
  CHECK(media_record_of(*db, stored.media.id)->sha256 == stored.media.sha256);
  CHECK(db->execAndGet("SELECT COUNT(*) FROM audit_log WHERE action = 'media.upload'").getInt() == 1);
}

TEST_CASE("the same bytes uploaded again are the row they already have, not a second copy") {
  auto db = fresh();
  const auto first = insert_media(*db, {domain::media_kind::pdf, pdf, "a.pdf"}, press, t0);
  const auto again = insert_media(*db, {domain::media_kind::pdf, pdf, "b.pdf"}, press, t0 + 1);
  CHECK_FALSE(again.created);
  CHECK(again.media.id == first.media.id);
  CHECK(again.media.filename == "a.pdf");
  CHECK(db->execAndGet("SELECT COUNT(*) FROM media").getInt() == 1);
}

TEST_CASE("bytes with NULs survive the round trip, and an image has no file name") {
  auto db = fresh();
  const std::string png = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0D" "IHDR", 16) + std::string(17, '\0');
  const auto stored = insert_media(*db, {domain::media_kind::png, png, ""}, press, t0);
  CHECK(stored.media.mime_type == "image/png");
  CHECK(stored.media.filename.empty());
  CHECK(media_bytes(*db, stored.media.id) == png);
  CHECK_FALSE(media_record_of(*db, 999));
  CHECK_FALSE(media_bytes(*db, 999));
}

#include <banditore/store/sqlite/media.hpp>

#include <banditore/crypto/hash.hpp>
#include <banditore/store/sqlite/audit.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

namespace banditore::store::sqlite {

namespace {

constexpr const char* media_columns = "id, mime_type, filename, size, sha256, created_by, created_at";

media_record read_media(SQLite::Statement& q) {
  media_record m;
  m.id = q.getColumn(0).getInt64();
  m.mime_type = q.getColumn(1).getString();
  m.filename = q.getColumn(2).isNull() ? std::string() : q.getColumn(2).getString();
  m.size = q.getColumn(3).getInt64();
  const auto hash = q.getColumn(4);
  m.sha256 = crypto::to_hex(std::string_view(static_cast<const char*>(hash.getBlob()),
                                             static_cast<std::size_t>(hash.getBytes())));
  m.created_by = q.getColumn(5).getString();
  m.created_at = q.getColumn(6).getInt64();
  return m;
}

}  // namespace

stored_media insert_media(SQLite::Database& db, const new_media& upload, const actor& who, std::int64_t now_ms) {
  const auto hash = crypto::sha256(upload.bytes);
  SQLite::Statement find(db, fmt::format("SELECT {} FROM media WHERE sha256 = :hash", media_columns));
  find.bind(":hash", hash.data(), static_cast<int>(hash.size()));
  if (find.executeStep()) return {read_media(find), false};
  SQLite::Statement st(db, "INSERT INTO media (mime_type, filename, size, sha256, bytes, created_by, created_at) "
                           "VALUES (:type, :name, :size, :hash, :bytes, :by, :now)");
  st.bind(":type", std::string(domain::mime_type(upload.kind)));
  if (upload.filename.empty()) st.bind(":name");
  else st.bind(":name", upload.filename);
  st.bind(":size", static_cast<std::int64_t>(upload.bytes.size()));
  st.bind(":hash", hash.data(), static_cast<int>(hash.size()));
  st.bindNoCopy(":bytes", upload.bytes.data(), static_cast<int>(upload.bytes.size()));
  st.bind(":by", who.name);
  st.bind(":now", now_ms);
  st.exec();
  const auto id = db.getLastInsertRowid();
  record_audit(db, who.name, "media.upload", std::nullopt, who.api_key_id,
               fmt::format("media={} type={} size={}", id, domain::mime_type(upload.kind), upload.bytes.size()), now_ms);
  return {*media_record_of(db, id), true};
}

std::optional<media_record> media_record_of(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, fmt::format("SELECT {} FROM media WHERE id = :id", media_columns));
  q.bind(":id", id);
  if (!q.executeStep()) return std::nullopt;
  return read_media(q);
}

std::optional<std::string> media_bytes(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, "SELECT bytes FROM media WHERE id = :id");
  q.bind(":id", id);
  if (!q.executeStep()) return std::nullopt;
  const auto c = q.getColumn(0);
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
}

media_users users_of_media(SQLite::Database& db, std::int64_t id) {
  // Through the partial indexes alerts_media and drafts_media.
  media_users out;
  SQLite::Statement alerts(db, "SELECT id FROM alerts WHERE media_id = :id ORDER BY id DESC LIMIT 100");
  alerts.bind(":id", id);
  while (alerts.executeStep()) out.alert_ids.push_back(alerts.getColumn(0).getInt64());
  SQLite::Statement drafts(db, "SELECT id FROM drafts WHERE media_id = :id ORDER BY id DESC LIMIT 100");
  drafts.bind(":id", id);
  while (drafts.executeStep()) out.draft_ids.push_back(drafts.getColumn(0).getInt64());
  return out;
}

}  // namespace banditore::store::sqlite

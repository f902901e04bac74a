// Attachments (migration 17). Runs on the database thread, inside the
// caller's transaction.
#pragma once

#include <banditore/store/media.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace SQLite { class Database; }

namespace banditore::store::sqlite {

stored_media insert_media(SQLite::Database& db, const new_media& upload, const actor& who, std::int64_t now_ms);
std::optional<media_record> media_record_of(SQLite::Database& db, std::int64_t id);
// The file's bytes, for the upload to the Cloud API.
std::optional<std::string> media_bytes(SQLite::Database& db, std::int64_t id);
media_users users_of_media(SQLite::Database& db, std::int64_t id);

}  // namespace banditore::store::sqlite

#include <banditore/store/sqlite/choices.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

namespace banditore::store::sqlite {

struct default_choices::statements {
  explicit statements(SQLite::Database& db)
      : town(db, "INSERT INTO subscriber_towns (town_id, subscriber_id) "
                 "SELECT id, :subscriber FROM towns WHERE (SELECT COUNT(*) FROM towns) = 1"),
        topics(db, "INSERT INTO subscriber_topics (topic_id, subscriber_id) "
                   "SELECT id, :subscriber FROM topics WHERE in_default") {}
  SQLite::Statement town, topics;
};

default_choices::default_choices(SQLite::Database& db) : st_(std::make_unique<statements>(db)) {}
default_choices::~default_choices() = default;

void default_choices::give(std::int64_t subscriber_id) {
  for (auto* st : {&st_->town, &st_->topics}) {
    st->reset();
    st->bind(":subscriber", subscriber_id);
    st->exec();
  }
}

std::int64_t seed_choices(SQLite::Database& db) {
  SQLite::Transaction tx(db);
  if (db.execAndGet("SELECT COUNT(*) FROM meta WHERE key = 'choices_seeded'").getInt() > 0) return 0;
  // Only those who never chose: a command run before the first start may
  // already have added subscribers with their default choices.
  const auto seeded = db.execAndGet(
                            "SELECT COUNT(*) FROM subscribers s WHERE NOT EXISTS "
                            "(SELECT 1 FROM subscriber_topics x WHERE x.subscriber_id = s.id)")
                          .getInt64();
  db.exec(
      "INSERT INTO subscriber_towns (town_id, subscriber_id) "
      "SELECT (SELECT id FROM towns ORDER BY rowid LIMIT 1), s.id FROM subscribers s "
      "WHERE EXISTS (SELECT 1 FROM towns) "
      "AND NOT EXISTS (SELECT 1 FROM subscriber_towns x WHERE x.subscriber_id = s.id)");
  db.exec(
      "INSERT INTO subscriber_topics (topic_id, subscriber_id) "
      "SELECT t.id, s.id FROM topics t, subscribers s WHERE t.in_default "
      "AND NOT EXISTS (SELECT 1 FROM subscriber_topics x WHERE x.subscriber_id = s.id) ORDER BY t.id, s.id");
  db.exec("INSERT INTO meta (key, value) VALUES ('choices_seeded', '1')");
  tx.commit();
  return seeded;
}

}  // namespace banditore::store::sqlite

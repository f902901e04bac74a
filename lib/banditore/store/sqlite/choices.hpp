// What each subscriber chose to receive (migration 10): towns, topics,
// areas and the severity floor, kept in rows keyed by the choice.
#pragma once

#include <cstdint>
#include <memory>

namespace SQLite {
class Database;
}

namespace banditore::store::sqlite {

// What a new subscriber receives until they choose otherwise: the
// deployment's town when it has only one (on a number shared by several
// towns they are asked which), and every default topic.
class default_choices {
 public:
  explicit default_choices(SQLite::Database& db);
  ~default_choices();
  void give(std::int64_t subscriber_id);

 private:
  struct statements;
  std::unique_ptr<statements> st_;
};

// Once per database (meta 'choices_seeded'): subscribers from before
// choices were stored get the first town and the default topics, so an
// upgrade changes nothing they receive. Returns how many were given them.
std::int64_t seed_choices(SQLite::Database& db);

}  // namespace banditore::store::sqlite

#include <banditore/store/sqlite/models.hpp>

#include <banditore/store/sqlite/database.hpp>
#include <banditore/store/sqlite/drafts.hpp>

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <memory>

using namespace banditore;
using namespace banditore::store;
using namespace banditore::store::sqlite;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000;
const actor press{"key:press-office", std::nullopt};

std::unique_ptr<SQLite::Database> fresh() {
  auto d = open_database(":memory:");
  migrate(*d);
  return d;
}

domain::model_fields water(std::string name = "Interruzione idrica") {
  return {std::move(name), "Interruzione idrica in via ___ dalle ___ alle ___", "water", "moderate"};
}

std::int64_t audited(SQLite::Database& db, const char* action) {
  return db.execAndGet(std::string("SELECT COUNT(*) FROM audit_log WHERE action = '") + action + "'").getInt64();
}

}  // namespace

TEST_CASE("a model is stored with who made it and when, listed by name, read back by id") {
  auto db = fresh();
  const auto made = insert_model(*db, water(), press, t0);
  REQUIRE(made.outcome == model_outcome::done);
  REQUIRE(made.model);
  CHECK(made.model->name == "Interruzione idrica");
  CHECK(made.model->category == "water");
  CHECK(made.model->severity == "moderate");
  CHECK(made.model->created_by == "key:press-office");
  CHECK(made.model->created_at == t0);
  CHECK(made.model->updated_at == t0);
  insert_model(*db, {"Chiusura strada", "Via ___ chiusa", "roads", "minor"}, press, t0 + 1);
  const auto list = list_model_records(*db);
  REQUIRE(list.size() == 2);
  CHECK(list[0].name == "Chiusura strada");
  CHECK(list[1].name == "Interruzione idrica");
  CHECK(model_record_of(*db, made.model->id)->text == water().text);
  CHECK_FALSE(model_record_of(*db, 999));
  CHECK(audited(*db, "model.create") == 2);
}

TEST_CASE("two models cannot share a name, on creation or when one is renamed") {
  auto db = fresh();
  insert_model(*db, water(), press, t0);
  CHECK(insert_model(*db, water(), press, t0).outcome == model_outcome::name_taken);
  const auto other = insert_model(*db, water("Altro"), press, t0).model->id;
  CHECK(rewrite_model(*db, other, water(), press, t0 + 1).outcome == model_outcome::name_taken);
  CHECK(model_record_of(*db, other)->name == "Altro");
  CHECK(audited(*db, "model.create") == 2);
}

TEST_CASE("a model rewritten keeps its creator and creation time; a missing one is not found") {
  auto db = fresh();
  const auto id = insert_model(*db, water(), press, t0).model->id;
  const actor editor{"key:editor", std::nullopt};
  const auto changed = rewrite_model(*db, id, {"Interruzione idrica", "Acqua assente in via ___", "water", "severe"},
                                     editor, t0 + 5);
  REQUIRE(changed.outcome == model_outcome::done);
  CHECK(changed.model->text == "Acqua assente in via ___");
  CHECK(changed.model->severity == "severe");
  CHECK(changed.model->created_by == "key:press-office");
  CHECK(changed.model->created_at == t0);
  CHECK(changed.model->updated_at == t0 + 5);
  CHECK(rewrite_model(*db, 999, water("Nuovo"), press, t0).outcome == model_outcome::not_found);
  CHECK(audited(*db, "model.update") == 1);
}

TEST_CASE("a model deleted is gone once, and the drafts made from it stay") {
  auto db = fresh();
  const auto id = insert_model(*db, water(), press, t0).model->id;
  const auto filled = fill_model_draft(*db, id, {"Roma", "9", "13"}, press, t0 + 1);
  REQUIRE(filled.draft);
  CHECK(delete_model_record(*db, id, press, t0 + 2));
  CHECK_FALSE(delete_model_record(*db, id, press, t0 + 3));
  CHECK_FALSE(model_record_of(*db, id));
  CHECK(draft_record_of(*db, filled.draft->id));
  CHECK(audited(*db, "model.delete") == 1);
}

TEST_CASE("filling a model makes an open draft with its name, category and severity and the blanks filled in order") {
  auto db = fresh();
  const auto id = insert_model(*db, water(), press, t0).model->id;
  const auto filled = fill_model_draft(*db, id, {"Roma", "9", "13"}, press, t0 + 1);
  REQUIRE(filled.outcome == fill_outcome::drafted);
  REQUIRE(filled.draft);
  CHECK(filled.draft->source == "model");
  CHECK(filled.draft->state == draft_open);
  CHECK(filled.draft->title == "Interruzione idrica");
  CHECK(filled.draft->text == "Interruzione idrica in via Roma dalle 9 alle 13");
  CHECK(filled.draft->category == "water");
  CHECK(filled.draft->severity == "moderate");
  CHECK(filled.draft->created_at == t0 + 1);
  CHECK(draft_is_open(*db, filled.draft->id));
  CHECK(db->execAndGet("SELECT COUNT(*) FROM audit_log WHERE action = 'draft.create' AND detail LIKE '%model=" +
                       std::to_string(id) + "'")
            .getInt() == 1);
}

TEST_CASE("values that leave a blank make no draft and say why; a missing model is not found") {
  auto db = fresh();
  const auto id = insert_model(*db, water(), press, t0).model->id;
  const auto short_of_one = fill_model_draft(*db, id, {"Roma", "9"}, press, t0);
  CHECK(short_of_one.outcome == fill_outcome::refused);
  CHECK_FALSE(short_of_one.reason.empty());
  CHECK_FALSE(short_of_one.draft);
  CHECK(fill_model_draft(*db, id, {"Roma", "___", "13"}, press, t0).outcome == fill_outcome::refused);
  CHECK(fill_model_draft(*db, 999, {}, press, t0).outcome == fill_outcome::not_found);
  CHECK(db->execAndGet("SELECT COUNT(*) FROM drafts").getInt() == 0);
}

// The console's message model pages: the staff accounts in the fake store,
// the models in the SQLite engine on an in-memory database (the store
// /v1/models uses), so a page and the API see the same rows.
#include <banditore/app/console_models.hpp>

#include "console_engine_fixture.hpp"

using namespace banditore;
using namespace banditore::app;
using banditore::testing::call;
using banditore::testing::header_of;
using banditore::testing::make_request;
using banditore::testing::run_blocking;

namespace {

using fixture = banditore::testing::console_engine_fixture;

const std::string water_fields =
    "&nome=Interruzione+idrica&testo=Interruzione+idrica+in+via+___+dalle+___+alle+___&categoria=water&gravita=moderate";

}  // namespace

TEST_CASE("an editor writes a model in the console: stored as /v1/models stores it, listed with its blanks") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  const auto form = f.get("/console/models/new", editor);
  REQUIRE(form.status == 200);
  CHECK(form.body.find("name=\"csrf\" value=\"" + csrf_token(f.ctx.csrf, editor) + "\"") != std::string::npos);
  const auto res = f.post("/console/models", editor, f.csrf(editor) + water_fields);
  REQUIRE(res.status == 303);
  const auto list = f.models();
  REQUIRE(list.size() == 1);
  CHECK(list[0].name == "Interruzione idrica");
  CHECK(list[0].text == "Interruzione idrica in via ___ dalle ___ alle ___");
  CHECK(list[0].category == "water");
  CHECK(list[0].created_by == "staff:editor@comune.it");
  const auto page = f.get("/console/models", editor);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("<td>Interruzione idrica</td><td>3</td><td>acqua</td>") != std::string::npos);
  CHECK(page.body.find("href=\"/console/models/" + std::to_string(list[0].id) + "/use\"") != std::string::npos);
}

TEST_CASE("a model the API would refuse is a 422 page with its reasons, and a name taken a 409 page; nothing stored") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  const auto blank = f.post("/console/models", editor, f.csrf(editor) + "&nome=&testo=x&categoria=water&gravita=moderate");
  CHECK(blank.status == 422);
  CHECK(blank.content_type.find("text/html") == 0);
  CHECK(blank.body.find("role=\"alert\"") != std::string::npos);
  CHECK(f.models().empty());
  const auto severity = f.post("/console/models", editor, f.csrf(editor) + "&nome=A&testo=x&categoria=water&gravita=tremenda");
  CHECK(severity.status == 422);
  CHECK(f.models().empty());
  REQUIRE(f.post("/console/models", editor, f.csrf(editor) + water_fields).status == 303);
  const auto again = f.post("/console/models", editor, f.csrf(editor) + water_fields);
  CHECK(again.status == 409);
  CHECK(again.body.find("Interruzione idrica") != std::string::npos);  // what was typed stays
  CHECK(f.models().size() == 1);
}

TEST_CASE("a model is changed and removed from its page, only with the session's CSRF token") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  REQUIRE(f.post("/console/models", editor, f.csrf(editor) + water_fields).status == 303);
  const auto id = std::to_string(f.models().at(0).id);
  const auto page = f.get("/console/models/" + id, editor);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("action=\"/console/models/" + id + "/remove\"") != std::string::npos);
  const std::string changed = "&nome=Acqua+sospesa&testo=Acqua+sospesa+in+via+___&categoria=water&gravita=severe";
  CHECK(f.post("/console/models/" + id, editor, "csrf=sbagliato" + changed).status == 403);
  CHECK(f.models().at(0).name == "Interruzione idrica");
  REQUIRE(f.post("/console/models/" + id, editor, f.csrf(editor) + changed).status == 303);
  CHECK(f.models().at(0).name == "Acqua sospesa");
  CHECK(f.models().at(0).severity == "severe");
  CHECK(f.post("/console/models/" + id + "/remove", editor, "csrf=sbagliato").status == 403);
  CHECK(f.models().size() == 1);
  REQUIRE(f.post("/console/models/" + id + "/remove", editor, f.csrf(editor)).status == 303);
  CHECK(f.models().empty());
  CHECK(f.get("/console/models/" + id, editor).status == 404);
  CHECK(f.post("/console/models/" + id + "/remove", editor, f.csrf(editor)).status == 404);
  CHECK(f.get("/console/models/nove", editor).status == 404);
}

TEST_CASE("usa modello asks for each blank and opens the compose page filled in, saving nothing") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  REQUIRE(f.post("/console/models", editor, f.csrf(editor) + water_fields).status == 303);
  const auto id = std::to_string(f.models().at(0).id);
  const auto blanks = f.get("/console/models/" + id + "/use", editor);
  REQUIRE(blanks.status == 200);
  CHECK(blanks.body.find("id=\"spazio-3\" name=\"spazio\"") != std::string::npos);
  CHECK(blanks.body.find("id=\"spazio-4\"") == std::string::npos);
  CHECK(blanks.body.find("Spazio 2 (dopo «dalle»)") != std::string::npos);
  CHECK(blanks.body.find("<script>") == std::string::npos);  // no inline script
  const auto filled =
      f.post("/console/models/" + id + "/use", editor, f.csrf(editor) + "&spazio=Roma&spazio=9&spazio=13");
  REQUIRE(filled.status == 200);
  CHECK(filled.body.find("<h1>Nuovo avviso</h1>") != std::string::npos);
  CHECK(filled.body.find(">Interruzione idrica in via Roma dalle 9 alle 13</textarea>") != std::string::npos);
  CHECK(filled.body.find("value=\"Interruzione idrica\"") != std::string::npos);
  CHECK(filled.body.find("<option value=\"water\" selected>") != std::string::npos);
  CHECK(run_blocking(f.engine->list_drafts("", 0, 10)).empty());
}

TEST_CASE("blanks filled wrongly are a 422 page that keeps what was typed") {
  fixture f;
  const auto editor = f.member("editor@comune.it", "editor");
  REQUIRE(f.post("/console/models", editor, f.csrf(editor) + water_fields).status == 303);
  const auto id = std::to_string(f.models().at(0).id);
  const auto few = f.post("/console/models/" + id + "/use", editor, f.csrf(editor) + "&spazio=Roma&spazio=9");
  CHECK(few.status == 422);
  CHECK(few.content_type.find("text/html") == 0);
  CHECK(few.body.find("value=\"Roma\"") != std::string::npos);
  const auto empty = f.post("/console/models/" + id + "/use", editor, f.csrf(editor) + "&spazio=Roma&spazio=+&spazio=13");
  CHECK(empty.status == 422);
  const auto nested = f.post("/console/models/" + id + "/use", editor, f.csrf(editor) + "&spazio=Roma&spazio=___&spazio=13");
  CHECK(nested.status == 422);
  CHECK(f.post("/console/models/" + id + "/use", editor, "csrf=no&spazio=a&spazio=b&spazio=c").status == 403);
  CHECK(f.post("/console/models/999/use", editor, f.csrf(editor) + "&spazio=a").status == 404);
}

TEST_CASE("the model pages need a session") {
  fixture f;
  auto req = make_request("GET", "/console/models");
  const auto res = call(f.routes, req);
  CHECK(res.status == 303);
  CHECK(header_of(res, "Location").rfind("/console/login", 0) == 0);
  auto post = make_request("POST", "/console/models", "nome=a&testo=b");
  CHECK(call(f.routes, post).status == 303);
  CHECK(f.models().empty());
}

// The operator commands as an operator runs them: `banditore subscribers`
// and `banditore backup`, the real binary on a database in a temporary
// directory, stdout and stderr read apart.
#include "harness.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <fstream>
#include <map>

using namespace harness;

namespace {

using run_result = cli_result;

// Runs `banditore ARGS...` to its end against the directory's database and
// key file (or another database, for reading a backup), with extra settings.
run_result cli(const temp_dir& dir, const std::vector<std::string>& args, const fs::path& db = {},
               const std::map<std::string, std::string>& extra_env = {}) {
  auto env = database_env(dir.path);
  if (!db.empty()) env["BANDITORE_DB"] = db.string();
  env["BANDITORE_TOWN"] = "Lodi";
  env.insert(extra_env.begin(), extra_env.end());
  return run_cli(dir.path, args, env);
}

// Line 2 and 5 are new numbers, 3 repeats line 2 in another form, 4 and 6
// are not numbers, 7 has a date that is not one, 8 is a landline.
const std::string broadcast_list =
    "nome;number;consent_date\n"
    "Mario Rossi;+39 333 123 4567;14/05/2023\n"
    "Mario (lavoro);0039 3331234567;\n"
    "Anna;12;\n"
    "Lucia Bianchi;339 987 6543;2024-01-02T10:00:00+01:00\n"
    "Piero;chiamami;\n"
    "Gino;340 555 1212;31/02/2023\n"
    "Ufficio tecnico;0371 409 111;\n";

const std::string rejected_report =
    "line 4: not a phone number\n"
    "line 6: not a phone number\n"
    "line 7: the consent date is not a date (2023-05-14 or 14/05/2023)\n"
    "line 8: landline: WhatsApp needs a mobile number\n";

// Every way the numbers of the list were written, and their digits.
const std::vector<std::string> numbers_in_list = {"333 123 4567", "3331234567", "339 987 6543", "3399876543",
                                                  "340 555 1212", "3405551212", "0371 409 111", "371409111"};

fs::path write_list(const temp_dir& dir) {
  const auto csv = dir.path / "broadcast.csv";
  std::ofstream(csv) << broadcast_list;
  return csv;
}

void check_no_number(const run_result& r) {
  for (const auto& n : numbers_in_list) {
    INFO("number written as " << n);
    CHECK(r.out.find(n) == std::string::npos);
    CHECK(r.err.find(n) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("an import reports each rejected line with its reason, landlines included, and shows no number") {
  temp_dir dir;
  auto r = cli(dir, {"subscribers", "import", write_list(dir).string(), "--no-notice"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "imported 2, duplicates 1, rejected 4\n" + rejected_report);
  check_no_number(r);
}

TEST_CASE("an import queues the notice as one alert with a delivery per imported number") {
  temp_dir dir;
  auto r = cli(dir, {"subscribers", "import", write_list(dir).string()});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  check_no_number(r);
  CHECK(r.out.find("notice queued for 2 imported number(s) as alert 1;") != std::string::npos);
  SQLite::Database db((dir.path / "banditore.db").string(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM outbox o JOIN alerts a ON a.id = o.alert_id WHERE o.state = 'queued' "
                      "AND a.source = 'import' AND a.text LIKE '%DISATTIVA%' AND a.text LIKE '%Comune di Lodi%'")
            .getInt() == 2);
}

TEST_CASE("without a template configured the import warns that the notice will mostly be refused") {
  temp_dir without, with;
  auto r = cli(without, {"subscribers", "import", write_list(without).string()});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("warning: no template is configured") != std::string::npos);
  auto with_template = cli(with, {"subscribers", "import", write_list(with).string()}, {},
                           {{"BANDITORE_WA_TEMPLATE_NAME", "avviso"}});
  REQUIRE(with_template.exit_code == 0);
  CHECK(with_template.err.empty());
}

TEST_CASE("a notice too long for the template's parameter is refused and nothing is imported") {
  temp_dir dir;
  auto r = cli(dir, {"subscribers", "import", write_list(dir).string(), "--notice", std::string(1100, 'x')}, {},
               {{"BANDITORE_WA_TEMPLATE_NAME", "avviso"}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("banditore: subscribers import: notice ", 0) == 0);
  CHECK_FALSE(fs::exists(dir.path / "banditore.db"));
}

TEST_CASE("imported numbers receive the notice as the template and existing subscribers receive nothing") {
  temp_dir dir;
  wa_sim sim(dir.path);
  const std::map<std::string, std::string> templ = {{"BANDITORE_WA_TEMPLATE_NAME", "avviso_comunale"}};
  banditore_server app(dir.path, sim, templ);
  app.start();
  sim.configure({{"webhook_url", app.base + "/webhook/whatsapp"}, {"statuses", false}});
  const auto existing = sim.subscribe_many(3);

  auto r = cli(dir, {"subscribers", "import", write_list(dir).string()}, {}, templ);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.out.find("as alert 1;") != std::string::npos);

  // The service sends it like any alert, and reports it like any alert.
  const auto token = app.create_key("ufficio stampa", "alerts:read");
  const auto report = app.await_alert(token, 1, "done", std::chrono::seconds(60));
  INFO(report.dump());
  REQUIRE(report["state"] == "done");
  CHECK(report["source"] == "import");
  CHECK(report["recipients"] == 2);
  CHECK(report["reached"] == 2);

  for (const std::string imported : {"393331234567", "393399876543"}) {
    INFO("an imported number");
    const auto box = sim.inbox(imported);
    REQUIRE(box["messages"].size() == 1);
    const auto& m = box["messages"][0];
    REQUIRE(m.contains("template"));
    CHECK(m["template"]["name"] == "avviso_comunale");
    CHECK(m["template"]["parameters"][0] == "Nuovo servizio di avvisi");
    CHECK(m["template"]["parameters"][1].get<std::string>().find("DISATTIVA") != std::string::npos);
  }
  // Their inbox holds only the confirmation of their own Attiva.
  for (const auto& phone : existing) CHECK(sim.inbox(phone)["messages"].size() == 1);
}

TEST_CASE("importing the same list again finds only duplicates") {
  temp_dir dir;
  const auto csv = write_list(dir);
  REQUIRE(cli(dir, {"subscribers", "import", csv.string(), "--no-notice"}).exit_code == 0);
  auto again = cli(dir, {"subscribers", "import", csv.string(), "--no-notice"});
  CHECK(again.out == "imported 0, duplicates 3, rejected 4\n" + rejected_report);
  CHECK(cli(dir, {"subscribers", "count"}).out == "subscribers 2\nflagged 0\n");
}

TEST_CASE("a file without a number column is refused and imports nothing") {
  temp_dir dir;
  const auto csv = dir.path / "wrong.csv";
  std::ofstream(csv) << "3331234567\n3399876543\n";
  auto r = cli(dir, {"subscribers", "import", csv.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.rfind("banditore: ", 0) == 0);
  check_no_number(r);
  CHECK(cli(dir, {"subscribers", "count"}).out == "subscribers 0\nflagged 0\n");
}

TEST_CASE("lookup of an imported number shows since when, the source, what it receives and the import event") {
  temp_dir dir;
  REQUIRE(cli(dir, {"subscribers", "import", write_list(dir).string(), "--no-notice"}).exit_code == 0);
  auto r = cli(dir, {"subscribers", "lookup", "333 123 4567"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out ==
        "+393331234567: subscribed since 2023-05-14T00:00:00+02:00 (source import)\n"
        "receives: towns lodi; topics acqua, emergenze, meteo, rifiuti, scuole, strade; areas -\n"
        "consent log:\n"
        "  2023-05-14T00:00:00+02:00  import\n");
}

TEST_CASE("after forget, lookup says not subscribed and the consent log shows the forget") {
  temp_dir dir;
  REQUIRE(cli(dir, {"subscribers", "import", write_list(dir).string()}).exit_code == 0);
  auto forget = cli(dir, {"subscribers", "forget", "+39 339 987 6543"});
  INFO("stderr: " << forget.err);
  REQUIRE(forget.exit_code == 0);
  CHECK(forget.out.rfind("+393399876543: erased\n", 0) == 0);
  CHECK(forget.out.find("subscriber rows deleted       1\n") != std::string::npos);
  CHECK(forget.out.find("queued messages cancelled     1\n") != std::string::npos);
  CHECK(forget.out.find("3331234567") == std::string::npos);  // only the number asked about

  auto lookup = cli(dir, {"subscribers", "lookup", "3399876543"});
  CHECK(lookup.out.rfind("+393399876543: not subscribed\n", 0) == 0);
  CHECK(lookup.out.find(" import\n") != std::string::npos);
  CHECK(lookup.out.find(" forget\n") != std::string::npos);
  CHECK(cli(dir, {"subscribers", "count"}).out == "subscribers 1\nflagged 0\n");
}

TEST_CASE("forget of a number never seen erases nothing and says so") {
  temp_dir dir;
  auto r = cli(dir, {"subscribers", "forget", "3331234567"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "+393331234567: nothing stored for this number; nothing to erase\n");
}

TEST_CASE("lookup of something that is not a number is a usage error that does not repeat it") {
  temp_dir dir;
  auto r = cli(dir, {"subscribers", "lookup", "33312x4567"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("banditore: ", 0) == 0);
  CHECK(r.err.find("33312x4567") == std::string::npos);
}

TEST_CASE("a backup is a readable database with the same subscribers, usable with the key file") {
  temp_dir dir;
  REQUIRE(cli(dir, {"subscribers", "import", write_list(dir).string(), "--no-notice"}).exit_code == 0);
  const auto copy = dir.path / "backup.db";
  auto r = cli(dir, {"backup", copy.string()});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("backup written to " + copy.string()) == 0);
  CHECK(r.out.find("schema version ") != std::string::npos);
  CHECK_FALSE(fs::exists(copy.string() + ".tmp"));

  SQLite::Database db(copy.string(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT COUNT(*) FROM subscribers").getInt() == 2);
  // Restored with the same key file, the copy answers as the original did.
  CHECK(cli(dir, {"subscribers", "count"}, copy).out == "subscribers 2\nflagged 0\n");
  CHECK(cli(dir, {"subscribers", "lookup", "3331234567"}, copy).out.find("subscribed since") !=
        std::string::npos);
}

TEST_CASE("a backup does not replace an existing file unless forced") {
  temp_dir dir;
  REQUIRE(cli(dir, {"subscribers", "count"}).exit_code == 0);  // creates the database
  const auto copy = dir.path / "backup.db";
  std::ofstream(copy) << "older backup";
  auto r = cli(dir, {"backup", copy.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--force") != std::string::npos);
  CHECK(read_file(copy) == "older backup");
  CHECK(cli(dir, {"backup", copy.string(), "--force"}).exit_code == 0);
  CHECK(read_file(copy) != "older backup");
}

TEST_CASE("a backup without a database is a configuration error and creates none") {
  temp_dir dir;
  auto r = cli(dir, {"backup", (dir.path / "backup.db").string()});
  CHECK(r.exit_code == 3);
  CHECK_FALSE(fs::exists(dir.path / "banditore.db"));
}

TEST_CASE("each operator command explains itself with --help and touches nothing") {
  temp_dir dir;
  for (const char* sub : {"lookup", "forget", "count", "import"}) {
    auto r = cli(dir, {"subscribers", sub, "--help"});
    INFO(sub);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(std::string("banditore subscribers ") + sub) != std::string::npos);
  }
  CHECK(cli(dir, {"subscribers", "import", "--help"}).out.find("template") != std::string::npos);
  CHECK(cli(dir, {"subscribers", "--help"}).exit_code == 0);
  CHECK(cli(dir, {"backup", "--help"}).exit_code == 0);
  CHECK_FALSE(fs::exists(dir.path / "banditore.db"));
}

TEST_CASE("unknown subcommands and options are usage errors") {
  temp_dir dir;
  CHECK(cli(dir, {"subscribers"}).exit_code == 2);
  CHECK(cli(dir, {"subscribers", "list"}).exit_code == 2);
  CHECK(cli(dir, {"subscribers", "import", "x.csv", "--notice", "a", "--no-notice"}).exit_code == 2);
  CHECK(cli(dir, {"subscribers", "lookup"}).exit_code == 2);
  CHECK(cli(dir, {"backup"}).exit_code == 2);
  CHECK(cli(dir, {"backup", "a.db", "--overwrite"}).exit_code == 2);
}

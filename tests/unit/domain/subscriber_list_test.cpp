#include <banditore/domain/subscriber_list.hpp>

#include <banditore/domain/local_time.hpp>
#include <banditore/domain/rfc3339.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::domain;

namespace {

const std::int64_t now = *parse_rfc3339("2025-03-01T12:00:00Z");

subscriber_list parse(std::string_view text) { return parse_subscriber_list(text, "39", now); }

std::int64_t rome_midnight(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  const auto t = to_utc("Europe/Rome", local_days{year{y} / month{m} / day{d}});
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

TEST_CASE("the header may name its columns in any order and case") {
  auto l = parse("Consent_Date,name,NUMBER\n2024-01-02,Mario,333 123 4567\n");
  REQUIRE(l.error.empty());
  REQUIRE(l.entries.size() == 1);
  CHECK(l.entries[0].e164 == "393331234567");
  CHECK(l.entries[0].consent_at == rome_midnight(2024, 1, 2));
  CHECK(l.entries[0].line == 2);
}

TEST_CASE("the number column may be called as Italian towns call it") {
  for (const char* header : {"numero", "Telefono", "CELLULARE", "Numero di telefono", "numero_cellulare", "Cell",
                             "Mobile Phone", "WhatsApp", "Phone Number"}) {
    INFO(header);
    auto l = parse(std::string("Nome;") + header + "\nMario;333 123 4567\n");
    REQUIRE(l.error.empty());
    REQUIRE(l.entries.size() == 1);
    CHECK(l.entries[0].e164 == "393331234567");
  }
}

TEST_CASE("a Google Contacts export gives the first mobile number among its phone columns") {
  // Google's CSV: Phone N - Label / Value pairs, several values joined by " ::: ".
  const std::string csv =
      "Name,Given Name,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value\n"
      "Mario Rossi,Mario,Home,06 1234 5678,Mobile,+39 333 123 4567\n"
      "Anna Verdi,Anna,Mobile,+39 339 987 6543 ::: +39 340 555 1212,,\n"
      "Ufficio,Ufficio,Work,0371 409 111,,\n";
  auto l = parse(csv);
  REQUIRE(l.error.empty());
  REQUIRE(l.entries.size() == 2);
  CHECK(l.entries[0].e164 == "393331234567");
  CHECK(l.entries[1].e164 == "393399876543");
  REQUIRE(l.rejected.size() == 1);
  CHECK(l.rejected[0].line == 4);
  CHECK(l.rejected[0].reason == list_rejection::landline);
}

TEST_CASE("a sheet with both a landline and a mobile column takes the mobile") {
  auto l = parse("Nome;Telefono;Cellulare\nMario;0371 123456;333 123 4567\nLucia;0371 654321;\n");
  REQUIRE(l.entries.size() == 1);
  CHECK(l.entries[0].e164 == "393331234567");
  REQUIRE(l.rejected.size() == 1);
  CHECK(l.rejected[0].reason == list_rejection::landline);
  CHECK(l.columns == "number from Telefono, Cellulare");
}

TEST_CASE("comma, semicolon and tab separate; a sep= line, a byte order mark and CRLF are read") {
  for (const char* csv : {"number,consent_date\r\n+39 333 1234567,2024-01-02\r\n",
                          "\xEF\xBB\xBFnumero;data consenso\r\n+39 333 1234567;02/01/2024\r\n",
                          "numero\tdata_consenso\n+39 333 1234567\t2/1/2024\n",
                          "sep=;\nnumero;data consenso\n+39 333 1234567;02/01/2024\n"}) {
    INFO(csv);
    auto l = parse(csv);
    REQUIRE(l.error.empty());
    REQUIRE(l.entries.size() == 1);
    CHECK(l.entries[0].e164 == "393331234567");
    CHECK(l.entries[0].consent_at == rome_midnight(2024, 1, 2));
  }
  CHECK(parse("sep=;\nnumero;data consenso\n+39 333 1234567;02/01/2024\n").entries[0].line == 3);
}

TEST_CASE("Excel's leading apostrophe on a number or a date is dropped") {
  auto l = parse("numero;data consenso\n'+39 333 123 4567;'14/05/2023\n'3339876543;\n");
  REQUIRE(l.entries.size() == 2);
  CHECK(l.entries[0].e164 == "393331234567");
  CHECK(l.entries[0].consent_at == rome_midnight(2023, 5, 14));
  CHECK(l.entries[1].e164 == "393339876543");
}

TEST_CASE("quoted fields keep separators and doubled quotes, and line numbers count their line breaks") {
  auto l = parse("name,number\n\"Rossi, \"\"Mario\"\"\nsecond line\",3331234567\n\n,3339876543\n");
  REQUIRE(l.error.empty());
  REQUIRE(l.entries.size() == 2);
  CHECK(l.entries[0].line == 2);
  CHECK(l.entries[1].line == 5);  // the blank line 4 is skipped, not counted as a row
}

TEST_CASE("each refused line has its reason") {
  const std::string csv =
      "nome;numero;data consenso\n"
      "a;333 123 4567;14/05/2023\n"   // 2 imported
      "b;chiamami;\n"                 // 3 not a number
      "c;06 1234 5678;\n"             // 4 landline
      "d;+39 800 123 456;\n"         // 5 toll-free
      "e;3,93331E+11;\n"              // 6 Excel's float
      "f;;\n"                         // 7 no number
      "g;339 987 6543;31/02/2023\n"   // 8 no such day
      "h;340 555 1212;2099-01-01\n"   // 9 future
      "\"i\"x;340 555 1213;\n"        // 10 text after a quote
      "j\n";                          // 11 too few fields
  auto l = parse(csv);
  REQUIRE(l.error.empty());
  CHECK(l.entries.size() == 1);
  const std::vector<std::pair<std::size_t, list_rejection>> expected = {
      {3, list_rejection::not_a_number}, {4, list_rejection::landline},   {5, list_rejection::not_mobile},
      {6, list_rejection::scientific_notation}, {7, list_rejection::no_number}, {8, list_rejection::bad_date},
      {9, list_rejection::future_date},  {10, list_rejection::malformed}, {11, list_rejection::malformed}};
  REQUIRE(l.rejected.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("line " << expected[i].first);
    CHECK(l.rejected[i].line == expected[i].first);
    CHECK(l.rejected[i].reason == expected[i].second);
  }
}

TEST_CASE("a reason never repeats the line's content") {
  for (auto r : {list_rejection::malformed, list_rejection::no_number, list_rejection::not_a_number,
                 list_rejection::scientific_notation, list_rejection::landline, list_rejection::not_mobile,
                 list_rejection::bad_date, list_rejection::future_date}) {
    const std::string text(describe(r));
    CHECK(!text.empty());
    CHECK(text.find("333") == std::string::npos);
  }
}

TEST_CASE("numbers of other countries are not judged by the Italian plan") {
  auto l = parse("number\n+44 20 7946 0958\n+49 30 123456\n");
  CHECK(l.entries.size() == 2);
  CHECK(l.rejected.empty());
}

TEST_CASE("a file without a number column is refused without repeating its first line") {
  auto l = parse("3331234567\n3339876543\n");
  CHECK(!l.error.empty());
  CHECK(l.error.find("3331234567") == std::string::npos);
  CHECK(l.entries.empty());
}

TEST_CASE("a header naming the consent date twice is refused") {
  CHECK(!parse("numero;consent_date;data consenso\n3331234567;;\n").error.empty());
}

TEST_CASE("an unclosed quote refuses the whole file and names the line") {
  auto l = parse("number\n3331234567\n\"3339876543\n3330000000\n");
  CHECK(l.error.find("line 3") != std::string::npos);
}

TEST_CASE("an empty file is refused") { CHECK(!parse("\n\n").error.empty()); }

TEST_CASE("a consent date is a day at midnight in Rome, with a time, or RFC 3339") {
  CHECK(parse_list_date("2024-01-02") == rome_midnight(2024, 1, 2));
  CHECK(parse_list_date("02/01/2024") == rome_midnight(2024, 1, 2));
  CHECK(parse_list_date("2-1-2024") == rome_midnight(2024, 1, 2));
  CHECK(parse_list_date("02.01.2024") == rome_midnight(2024, 1, 2));
  // Summer: midnight in Rome is 22:00 UTC the day before.
  CHECK(parse_list_date("14/07/2024") == parse_rfc3339("2024-07-13T22:00:00Z"));
  CHECK(parse_list_date("14/07/2024 10:30") == parse_rfc3339("2024-07-14T08:30:00Z"));
  CHECK(parse_list_date("14/07/2024 10:30:15") == parse_rfc3339("2024-07-14T08:30:15Z"));
  CHECK(parse_list_date("2024-01-02T10:00:00+01:00") == parse_rfc3339("2024-01-02T09:00:00Z"));
  CHECK_FALSE(parse_list_date("2024-02-30").has_value());
  CHECK_FALSE(parse_list_date("30/02/2024").has_value());
  CHECK_FALSE(parse_list_date("14/05/23").has_value());
  CHECK_FALSE(parse_list_date("14/05/2023 25:00").has_value());
  CHECK_FALSE(parse_list_date("14/05-2023").has_value());
  CHECK_FALSE(parse_list_date("ieri").has_value());
}

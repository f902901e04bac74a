#include <banditore/domain/phone.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

using namespace banditore::domain;

TEST_CASE("a wa_id as Meta sends it is kept as it is") {
  CHECK(normalise_wa_id("393331234567") == "393331234567");
  CHECK(normalise_wa_id("14155550123") == "14155550123");
}

TEST_CASE("a wa_id written with a plus, 00 or separators folds to its digits") {
  CHECK(normalise_wa_id("+393331234567") == "393331234567");
  CHECK(normalise_wa_id("00393331234567") == "393331234567");
  CHECK(normalise_wa_id("+39 333 123-45.67") == "393331234567");
  CHECK(normalise_wa_id(" +1 (415) 555-0123 ") == "14155550123");
}

TEST_CASE("a wa_id has 8 to 15 digits") {
  CHECK(normalise_wa_id("12345678") == "12345678");
  CHECK(normalise_wa_id("123456789012345") == "123456789012345");
  CHECK_FALSE(normalise_wa_id("1234567"));
  CHECK_FALSE(normalise_wa_id("1234567890123456"));
}

TEST_CASE("malformed wa_ids are refused") {
  for (std::string_view text : {"", "+", "00", "0000", "   ", "39333abc4567", "3933312345x7",
                                "0393331234567", "+0393331234567", "39+3331234567",
                                "++393331234567", "39/333/1234567", "3933312345６7"}) {
    CAPTURE(text);
    CHECK_FALSE(normalise_wa_id(text));
  }
}

TEST_CASE("a wa_id is not read as an Italian national number") {
  CHECK_FALSE(normalise_wa_id("0612345678"));
  CHECK(normalise_wa_id("3331234567") == "3331234567");
}

TEST_CASE("an Italian mobile typed nationally gets the country code") {
  CHECK(normalise_phone("333 123 4567") == "393331234567");
  CHECK(normalise_phone("3331234567") == "393331234567");
  CHECK(normalise_phone("333 123456") == "39333123456");
  CHECK(normalise_phone("(333) 123-4567") == "393331234567");
}

TEST_CASE("an Italian landline typed nationally keeps its 0 after the country code") {
  CHECK(normalise_phone("06 1234 5678") == "390612345678");
  CHECK(normalise_phone("0612345678") == "39" "0612345678");
  CHECK(normalise_phone("0471 123456") == "390471123456");
  CHECK(normalise_phone("012345") == "39012345");
}

TEST_CASE("an international number typed by people stays as it is") {
  CHECK(normalise_phone("+39 333 123 4567") == "393331234567");
  CHECK(normalise_phone("0039 333 123 4567") == "393331234567");
  CHECK(normalise_phone("+39 06 1234 5678") == "390612345678");
  CHECK(normalise_phone("+44 20 7946 0958") == "442079460958");
}

TEST_CASE("a number already carrying its country code is not prefixed twice") {
  CHECK(normalise_phone("393331234567") == "393331234567");
}

TEST_CASE("numbers typed by people that fit no form are refused") {
  for (std::string_view text : {"", "+", "0000", "01234", "333 1234", "06 1234 5678 901",
                                "333 123 4567 890 123", "tel. 333 1234567", "333,1234567"}) {
    CAPTURE(text);
    CHECK_FALSE(normalise_phone(text));
  }
}

TEST_CASE("national forms are guessed only for Italy") {
  CHECK(normalise_phone("3331234567", "41") == "3331234567");
  CHECK_FALSE(normalise_phone("0612345678", "41"));
  CHECK(normalise_phone("+41 44 668 18 00", "41") == "41446681800");
}

TEST_CASE("a malformed default country code is a configuration error") {
  CHECK_THROWS_AS(normalise_phone("3331234567", ""), std::invalid_argument);
  CHECK_THROWS_AS(normalise_phone("3331234567", "039"), std::invalid_argument);
  CHECK_THROWS_AS(normalise_phone("3331234567", "3912"), std::invalid_argument);
  CHECK_THROWS_AS(normalise_phone("3331234567", "+39"), std::invalid_argument);
}

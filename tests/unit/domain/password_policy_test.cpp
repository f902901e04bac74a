#include <banditore/domain/password_policy.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace banditore::domain;

TEST_CASE("a password needs at least 12 characters, counted as characters not bytes") {
  CHECK(check_password("Tr0mbone!xq", "").problem == password_problem::too_short);
  CHECK(check_password("Tr0mbone!xqz", "").ok());
  // 11 characters, 13 bytes: still too short.
  CHECK(check_password("perché città", "").ok());
  CHECK(check_password("perchécittà", "").problem == password_problem::too_short);
  CHECK(check_password("", "").message == "La password deve avere almeno 12 caratteri.");
}

TEST_CASE("the most common passwords are refused, ignoring case") {
  for (const char* p : {"password123", "PASSWORD123", "qwertyuiop", "QwertyUiop", "123456789012", "1q2w3e4r5t6y"})
    CHECK_MESSAGE(is_common_password(p), p);
  CHECK(check_password("qwertyuiop12", "").problem == password_problem::common);
}

TEST_CASE("Italian favourites are refused even decorated with digits, spaces and symbols") {
  for (const char* p : {"juventus", "forzanapoli", "Juventus1897!", "FORZA NAPOLI 1926", "forza.napoli.2024",
                        "tiamotiamotiamo", "ciaociaociao", "Comune2024!!", "banditore2026", "Principessa1!"})
    CHECK_MESSAGE(is_common_password(p), p);
  CHECK(check_password("Juventus1897!", "").problem == password_problem::common);
  CHECK(check_password("forzanapoli2024", "").message ==
        "Questa password è tra le più usate e verrebbe indovinata subito: scegline un'altra.");
}

TEST_CASE("one character or a short pattern repeated is refused") {
  CHECK(is_common_password("aaaaaaaaaaaa"));
  CHECK(is_common_password("abababababab"));
  CHECK(is_common_password("!!!!!!!!!!!!"));
}

TEST_CASE("a password that merely contains a common word among others is accepted") {
  CHECK_FALSE(is_common_password("juventus mangia pane alle sette"));
  CHECK(check_password("il gatto di Ravenna beve tè", "").ok());
  CHECK(check_password("correct horse battery staple", "").ok());
}

TEST_CASE("a password holding the email's local part is refused, ignoring case") {
  CHECK(check_password("M.Rossi-lavora-in-comune", "m.rossi@comune.ravenna.it").problem ==
        password_problem::contains_email);
  CHECK(check_password("xyz-mrossi-9876", "MRossi@example.it").problem == password_problem::contains_email);
  CHECK(check_password("xyz-mrossi-9876", "MRossi@example.it").message ==
        "La password non può contenere il nome del tuo indirizzo email.");
  // A one- or two-letter local part would forbid half the alphabet.
  CHECK(check_password("una frase lunga e strana", "al@example.it").ok());
  CHECK(check_password("una frase lunga e strana", "m.rossi@example.it").ok());
}

TEST_CASE("invalid UTF-8 and more than 1024 bytes are refused") {
  CHECK(check_password("abcdefghijk\xff", "").problem == password_problem::not_utf8);
  CHECK(check_password(std::string(1025, 'x'), "").problem == password_problem::too_long);
}

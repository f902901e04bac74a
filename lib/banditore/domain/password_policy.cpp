#include <banditore/domain/password_policy.hpp>

#include <banditore/domain/utf8.hpp>

#include <algorithm>
#include <array>
#include <string>

namespace banditore::domain {

namespace {

// The passwords people choose most, lowercase. Compiled by hand for this
// project from the lists published each year of the passwords found most
// often in leaks (the top of SecLists' "10-million-password-list", NordPass's
// yearly "most common passwords" for Italy) and from what an Italian town
// hall would be tempted to use (the town, the office, the service's own
// name). Entries shorter than 12 characters still matter: the check also
// strips digits and punctuation ("juventus1897!" is "juventus"). Add to it
// freely; order does not matter.
constexpr std::array<std::string_view, 202> common_passwords{
    // The international top of the leak lists.
    "123456", "123456789", "12345678", "12345", "1234567", "1234567890", "123456789012", "12345678910",
    "111111", "000000", "123123", "654321", "666666", "7777777", "121212", "112233", "987654321",
    "password", "password1", "password123", "passw0rd", "p4ssw0rd", "passwort", "qwerty", "qwerty123",
    "qwertyuiop", "qwertyuiop123", "asdfghjkl", "asdfgh", "zxcvbnm", "qazwsx", "qazwsxedc", "1q2w3e4r",
    "1q2w3e4r5t", "1q2w3e4r5t6y", "zaq12wsx", "1qaz2wsx", "123qwe", "qwe123", "abc123", "abcdef",
    "abcdefgh", "iloveyou", "admin", "admin123", "administrator", "root", "welcome", "letmein", "monkey",
    "dragon", "football", "baseball", "soccer", "sunshine", "princess", "master", "shadow", "superman",
    "batman", "trustno1", "starwars", "whatever", "freedom", "michael", "jessica", "charlie", "computer",
    "internet", "secret", "changeme", "default", "guest", "test", "test123", "login", "hello", "ninja",
    "mustang", "access", "flower", "lovely", "loveme",
    // Italian: football clubs and their cheers.
    "juventus", "juve", "forzajuve", "forzajuventus", "finoallafine", "inter", "forzainter", "internazionale",
    "milan", "acmilan", "forzamilan", "napoli", "forzanapoli", "sscnapoli", "maradona", "roma", "asroma",
    "forzaroma", "totti", "lazio", "forzalazio", "fiorentina", "forzaviola", "torino", "forzatoro",
    "genoa", "sampdoria", "atalanta", "bologna", "palermo", "delpiero", "ferrari", "forzaferrari",
    "forzaitalia", "italia", "italy",
    // Italian: love, family, greetings, nicknames.
    "tiamo", "tiamo123", "tiamotanto", "amore", "amoremio", "amore123", "ciao", "ciaociao", "ciao123",
    "ciaobella", "bellissima", "principessa", "tesoro", "tesoromio", "cucciolo", "cucciola", "mamma",
    "mammamia", "papa", "famiglia", "buongiorno", "buonanotte", "benvenuto", "segreto", "topolino",
    "paperino", "pippo", "pluto", "gattino", "stellina", "vaffanculo", "cambiami", "cambiala",
    "passwordnuova", "nuovapassword", "parolachiave", "parolasegreta", "qwertyuiopè",
    // Italian: the most given first names.
    "francesco", "alessandro", "andrea", "giuseppe", "giovanni", "antonio", "marco", "matteo", "lorenzo",
    "luca", "davide", "stefano", "mario", "paolo", "roberto", "salvatore", "giulia", "francesca", "chiara",
    "valentina", "federica", "martina", "sara", "alessia", "elisa", "simona", "laura", "giorgia", "sofia",
    "aurora",
    // What a town hall would reach for.
    "comune", "municipio", "sindaco", "ufficiostampa", "ufficio", "segreteria", "protezionecivile",
    "banditore", "avvisi", "allerta", "amministratore", "amministrazione", "utente", "accesso", "entra"};

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool listed(std::string_view s) {
  return std::find(common_passwords.begin(), common_passwords.end(), s) != common_passwords.end();
}

// s is word repeated twice or more ("juvejuve", "ciaociaociao").
bool listed_repeated(std::string_view s) {
  for (std::size_t n = 1; n <= s.size() / 2; ++n) {
    if (s.size() % n != 0) continue;
    bool repeats = true;
    for (std::size_t i = n; i < s.size() && repeats; ++i) repeats = s[i] == s[i % n];
    if (repeats && listed(s.substr(0, n))) return true;
  }
  return false;
}

// One character, or one short pattern, over and over ("aaaaaaaaaaaa",
// "abababababab"): at most 3 distinct bytes.
bool too_few_distinct(std::string_view s) {
  std::string seen;
  for (char c : s)
    if (seen.find(c) == std::string::npos) seen.push_back(c);
  return seen.size() <= 3;
}

}  // namespace

bool is_common_password(std::string_view text) {
  const auto lower = ascii_lower(text);
  if (listed(lower) || listed_repeated(lower)) return true;
  // What is left when digits, spaces and punctuation go: the word a
  // person decorated ("Juventus1897!", "forza napoli 2024"). Bytes beyond
  // ASCII (accented letters) stay, they are letters.
  std::string letters;
  for (char c : lower) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || u >= 0x80) letters.push_back(c);
  }
  if (!letters.empty() && letters != lower && (listed(letters) || listed_repeated(letters))) return true;
  // Only digits and symbols: the digits alone ("123456789012!").
  if (letters.empty()) {
    std::string digits;
    for (char c : lower)
      if (c >= '0' && c <= '9') digits.push_back(c);
    if (digits.empty() || listed(digits) || listed_repeated(digits)) return true;
  }
  return too_few_distinct(lower);
}

password_verdict check_password(std::string_view password, std::string_view email) {
  if (password.size() > max_password_bytes)
    return {password_problem::too_long,
            "La password è troppo lunga: al massimo " + std::to_string(max_password_bytes) + " byte."};
  const auto characters = utf8::count_code_points(password);
  if (!characters) return {password_problem::not_utf8, "La password contiene caratteri non validi."};
  if (*characters < min_password_characters)
    return {password_problem::too_short,
            "La password deve avere almeno " + std::to_string(min_password_characters) + " caratteri."};
  if (is_common_password(password))
    return {password_problem::common,
            "Questa password è tra le più usate e verrebbe indovinata subito: scegline un'altra."};
  const auto at = email.find('@');
  const auto local = ascii_lower(email.substr(0, at == std::string_view::npos ? email.size() : at));
  // A local part of one or two letters ("m@...") would forbid half the
  // alphabet; three is where it starts to name the person.
  if (local.size() >= 3 && ascii_lower(password).find(local) != std::string::npos)
    return {password_problem::contains_email,
            "La password non può contenere il nome del tuo indirizzo email."};
  return {};
}

}  // namespace banditore::domain

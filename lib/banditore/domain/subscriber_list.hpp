// The lists of numbers a town already has, read as people export them: a
// spreadsheet with a column called number, numero, telefono or cellulare,
// a Google Contacts export, a WhatsApp Business contact export; comma,
// semicolon or tab separated; dates as 2023-05-14 or 14/05/2023; numbers
// that Excel marked as text with a leading apostrophe. Pure: no SQL, no
// keys. Each line it cannot import is reported with its line number and
// the reason, never with the number; landlines and other numbers that
// cannot have WhatsApp are reported, not imported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace banditore::domain {

struct list_entry {
  std::size_t line = 0;   // the row's first line in the file (1 is the header)
  std::string e164;       // normalised, a mobile number
  std::optional<std::int64_t> consent_at;  // Unix ms; nullopt when the row has no date
};

enum class list_rejection {
  malformed,            // text after a closing quote, or fewer fields than the number column needs
  no_number,            // the number cells are empty
  not_a_number,         // letters, too few or too many digits
  scientific_notation,  // "3,93E+11": the spreadsheet turned the number into a float
  landline,             // an Italian landline (0...): no WhatsApp
  not_mobile,           // an Italian number that is no mobile (800, 89x, 1xx ...)
  bad_date,             // the consent date is not one of the forms read
  future_date,          // consent in the future is a typo, not consent
};

// One short phrase for the operator ("landline: WhatsApp needs a mobile
// number"), never containing the line's content.
std::string_view describe(list_rejection);

struct rejected_line {
  std::size_t line = 0;
  list_rejection reason = list_rejection::malformed;
};

struct subscriber_list {
  std::vector<list_entry> entries;
  std::vector<rejected_line> rejected;  // in line order
  std::string columns;  // how the header was read, e.g. "number from Cellulare, Telefono; consent date from Data"
  std::string error;    // set when the file cannot be read as a list at all; nothing else is then set
};

// The header (the first non-blank line; a leading "sep=;" line as Excel
// writes it is honoured) names the columns, in any case and order:
//   number:   number, numero, telefono, cellulare, cell, mobile, phone,
//             phone number, numero di telefono, whatsapp ..., and Google
//             Contacts' "Phone 1 - Value" (values joined by " ::: ");
//             several number columns may be present: the first mobile
//             number found in a row is taken
//   consent:  consent_date, consent date, data_consenso, data consenso,
//             data del consenso, data iscrizione
// Other columns are ignored. National numbers are read in default_country
// (see normalise_phone). A date is a day (2023-05-14, 14/05/2023,
// 14-05-2023, 14.05.2023; at midnight in Europe/Rome), optionally with a
// time ("14/05/2023 10:30"), or RFC 3339.
subscriber_list parse_subscriber_list(std::string_view text, std::string_view default_country,
                                      std::int64_t now_ms);

// A consent date as above, in Unix ms; nullopt when it is none of them.
std::optional<std::int64_t> parse_list_date(std::string_view text);

}  // namespace banditore::domain

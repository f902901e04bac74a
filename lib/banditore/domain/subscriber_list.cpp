#include <banditore/domain/subscriber_list.hpp>

#include <banditore/domain/local_time.hpp>
#include <banditore/domain/phone.hpp>
#include <banditore/domain/rfc3339.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

namespace banditore::domain {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A cell as a spreadsheet wrote it: Excel keeps a leading apostrophe on
// what the user typed as text ('+39 333 ...), and some exports keep it.
std::string_view cell_value(std::string_view s) {
  s = trim(s);
  if (s.starts_with('\'')) s = trim(s.substr(1));
  return s;
}

struct csv_record {
  std::size_t line = 0;
  std::vector<std::string> fields;
  bool malformed = false;
};

// Splits the whole text into records, following RFC 4180 quoting; a quoted
// field may span lines, so a record remembers the line it starts on.
// Returns false (with the line) when a quoted field is never closed: the
// rest of the file would be swallowed into one field.
bool split_records(std::string_view text, char sep, std::size_t first_line, std::vector<csv_record>& out,
                   std::size_t& open_quote_line) {
  std::size_t i = 0, line = first_line;
  const std::size_t n = text.size();
  while (i < n) {
    csv_record rec;
    rec.line = line;
    std::string field;
    bool quoted = false, in_quotes = false, after_quote = false;
    for (;;) {
      if (i == n) {
        if (in_quotes) {
          open_quote_line = rec.line;
          return false;
        }
        rec.fields.push_back(std::move(field));
        break;
      }
      const char c = text[i];
      if (in_quotes) {
        if (c == '"' && i + 1 < n && text[i + 1] == '"') {
          field += '"';
          i += 2;
        } else if (c == '"') {
          in_quotes = false;
          after_quote = true;
          ++i;
        } else {
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        continue;
      }
      if (c == sep) {
        rec.fields.push_back(std::move(field));
        field.clear();
        quoted = after_quote = false;
        ++i;
        continue;
      }
      if (c == '\n' || (c == '\r' && i + 1 < n && text[i + 1] == '\n')) {
        rec.fields.push_back(std::move(field));
        i += c == '\r' ? 2 : 1;
        ++line;
        break;
      }
      if (c == '"' && !quoted && trim(field).empty()) {
        field.clear();
        quoted = in_quotes = true;
        ++i;
        continue;
      }
      // Text after a closing quote ("a"b) is not CSV; spaces are forgiven.
      if (after_quote && c != ' ' && c != '\t') rec.malformed = true;
      field += c;
      ++i;
    }
    out.push_back(std::move(rec));
  }
  return true;
}

bool blank(const csv_record& r) {
  return std::all_of(r.fields.begin(), r.fields.end(), [](const std::string& f) { return trim(f).empty(); });
}

// "Numero_di  Telefono " -> "numero di telefono": case, underscores and
// runs of spaces do not matter in a header.
std::string header_key(std::string_view name) {
  name = cell_value(name);
  std::string out;
  for (char c : name) {
    if (c == '_' || c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      continue;
    }
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

constexpr std::array<std::string_view, 22> number_headers = {
    "number", "numero", "telefono", "cellulare", "cell", "mobile", "phone", "phone number", "mobile phone",
    "numero di telefono", "numero telefono", "numero di cellulare", "numero cellulare", "telefono cellulare",
    "cellulare/telefono", "tel", "tel.", "whatsapp", "numero whatsapp", "whatsapp number", "wa id", "msisdn"};

constexpr std::array<std::string_view, 7> date_headers = {
    "consent date", "data consenso", "data del consenso", "data iscrizione", "data di iscrizione", "consenso",
    "subscribed at"};

// Google Contacts: "Phone 1 - Value" (English export) or "Telefono 1 -
// Valore"; its "Phone 1 - Label" columns are not numbers.
bool is_google_phone_value(const std::string& key) {
  for (auto [head, tail] : {std::pair<std::string_view, std::string_view>{"phone ", " - value"},
                            std::pair<std::string_view, std::string_view>{"telefono ", " - valore"}}) {
    if (!key.starts_with(head) || !key.ends_with(tail) || key.size() <= head.size() + tail.size()) continue;
    auto middle = std::string_view(key).substr(head.size(), key.size() - head.size() - tail.size());
    if (std::all_of(middle.begin(), middle.end(), [](char c) { return c >= '0' && c <= '9'; })) return true;
  }
  return false;
}

bool is_number_header(const std::string& key) {
  return std::find(number_headers.begin(), number_headers.end(), key) != number_headers.end() ||
         is_google_phone_value(key);
}

bool is_date_header(const std::string& key) {
  return std::find(date_headers.begin(), date_headers.end(), key) != date_headers.end();
}

// The separator: what a "sep=" line says, else the one the header uses most.
char choose_separator(std::string_view header_line) {
  auto count = [&](char c) { return std::count(header_line.begin(), header_line.end(), c); };
  char best = ',';
  for (char c : {';', '\t'})
    if (count(c) > count(best)) best = c;
  return best;
}

enum class number_kind { mobile, landline, not_mobile, invalid, scientific, empty };

number_kind classify(std::string_view cell, std::string_view default_country, std::string& e164) {
  cell = cell_value(cell);
  if (cell.empty()) return number_kind::empty;
  if (cell.find("E+") != std::string_view::npos || cell.find("e+") != std::string_view::npos)
    return number_kind::scientific;
  auto n = normalise_phone(cell, default_country);
  if (!n) return number_kind::invalid;
  // Italian numbering: mobiles are 3..., geographic numbers 0...; the rest
  // (80x toll-free, 89x premium, 1xx services, 4x/5x networks) reach no phone
  // with WhatsApp. Other countries' plans are not guessed.
  if (n->starts_with("39") && n->size() > 2) {
    if ((*n)[2] == '0') return number_kind::landline;
    if ((*n)[2] != '3') return number_kind::not_mobile;
  }
  e164 = std::move(*n);
  return number_kind::mobile;
}

// Of a row's failures, the one that says most: a landline is worth
// knowing about, a blank cell beside a good column is not.
int weight(number_kind k) {
  switch (k) {
    case number_kind::landline: return 5;
    case number_kind::not_mobile: return 4;
    case number_kind::scientific: return 3;
    case number_kind::invalid: return 2;
    case number_kind::empty: return 1;
    case number_kind::mobile: return 6;
  }
  return 0;
}

list_rejection rejection_of(number_kind k) {
  switch (k) {
    case number_kind::landline: return list_rejection::landline;
    case number_kind::not_mobile: return list_rejection::not_mobile;
    case number_kind::scientific: return list_rejection::scientific_notation;
    case number_kind::empty: return list_rejection::no_number;
    default: return list_rejection::not_a_number;
  }
}

// Splits Google Contacts' "a ::: b" into its numbers.
std::vector<std::string_view> numbers_in(std::string_view cell) {
  std::vector<std::string_view> out;
  for (;;) {
    auto at = cell.find(":::");
    out.push_back(cell.substr(0, at));
    if (at == std::string_view::npos) return out;
    cell.remove_prefix(at + 3);
  }
}

bool read_digits(std::string_view s, std::size_t& at, std::size_t min, std::size_t max, int& value) {
  std::size_t start = at;
  value = 0;
  while (at < s.size() && at - start < max && s[at] >= '0' && s[at] <= '9') value = value * 10 + (s[at++] - '0');
  return at - start >= min;
}

}  // namespace

std::string_view describe(list_rejection r) {
  switch (r) {
    case list_rejection::malformed: return "not a valid CSV row (text after a closing quote, or too few fields)";
    case list_rejection::no_number: return "no number";
    case list_rejection::not_a_number: return "not a phone number";
    case list_rejection::scientific_notation:
      return "the spreadsheet wrote the number as a float (like 3,93E+11): format the column as text and export again";
    case list_rejection::landline: return "landline: WhatsApp needs a mobile number";
    case list_rejection::not_mobile: return "not a mobile number (toll-free, premium or service number)";
    case list_rejection::bad_date: return "the consent date is not a date (2023-05-14 or 14/05/2023)";
    case list_rejection::future_date: return "the consent date is in the future";
  }
  return "rejected";
}

std::optional<std::int64_t> parse_list_date(std::string_view text) {
  using namespace std::chrono;
  text = cell_value(text);
  if (text.size() > 10 && text[10] == 'T') return parse_rfc3339(text);
  int y = 0, m = 0, d = 0, hh = 0, mm = 0, ss = 0;
  std::size_t at = 0;
  if (text.size() >= 10 && text[4] == '-') {  // 2023-05-14
    if (!read_digits(text, at, 4, 4, y) || text[at++] != '-' || !read_digits(text, at, 2, 2, m) ||
        at >= text.size() || text[at++] != '-' || !read_digits(text, at, 2, 2, d))
      return std::nullopt;
  } else {  // 14/05/2023, 14-05-2023, 14.05.2023, 4/5/2023
    if (!read_digits(text, at, 1, 2, d) || at >= text.size()) return std::nullopt;
    const char sep = text[at++];
    if ((sep != '/' && sep != '-' && sep != '.') || !read_digits(text, at, 1, 2, m) || at >= text.size() ||
        text[at++] != sep || !read_digits(text, at, 4, 4, y))
      return std::nullopt;
  }
  if (at < text.size()) {  // " 10:30" or " 10:30:15"
    if (text[at++] != ' ' || !read_digits(text, at, 1, 2, hh) || at >= text.size() || text[at++] != ':' ||
        !read_digits(text, at, 2, 2, mm))
      return std::nullopt;
    if (at < text.size() && (text[at++] != ':' || !read_digits(text, at, 2, 2, ss))) return std::nullopt;
    if (at != text.size() || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  const local_seconds local = local_days{date} + hours{hh} + minutes{mm} + seconds{ss};
  return duration_cast<milliseconds>(to_utc(default_time_zone, local).time_since_epoch()).count();
}

subscriber_list parse_subscriber_list(std::string_view text, std::string_view default_country,
                                      std::int64_t now_ms) {
  subscriber_list out;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t first_line = 1;
  std::optional<char> sep;
  // Excel's hint line, "sep=;", names the separator and is no header.
  if (text.size() >= 5 && (text.substr(0, 4) == "sep=" || text.substr(0, 4) == "SEP=") &&
      (text.size() == 5 || text[5] == '\n' || text[5] == '\r')) {
    sep = text[4];
    text.remove_prefix(std::min(text.size(), text.find('\n') == std::string_view::npos ? text.size()
                                                                                       : text.find('\n') + 1));
    first_line = 2;
  }
  const auto header_start = text.find_first_not_of("\r\n");
  const auto header_line = header_start == std::string_view::npos
                               ? std::string_view{}
                               : text.substr(header_start, text.find('\n', header_start) - header_start);
  if (!sep) sep = choose_separator(header_line);

  std::vector<csv_record> records;
  std::size_t open_quote_line = 0;
  if (!split_records(text, *sep, first_line, records, open_quote_line)) {
    out.error = fmt::format("line {}: a quoted field is never closed", open_quote_line);
    return out;
  }
  auto it = std::find_if(records.begin(), records.end(), [](const csv_record& r) { return !blank(r); });
  // The header is not repeated in errors: without one, it would be a number.
  const std::string no_header =
      "the first line must be a header naming the number column (number, numero, telefono, cellulare, or a "
      "Google Contacts export's Phone 1 - Value) and optionally the consent date (consent_date, data consenso)";
  if (it == records.end()) {
    out.error = "the file is empty; " + no_header;
    return out;
  }
  std::vector<std::size_t> number_cols;
  std::optional<std::size_t> date_col;
  std::string number_names, date_name;
  for (std::size_t i = 0; i < it->fields.size(); ++i) {
    const auto key = header_key(it->fields[i]);
    if (is_number_header(key)) {
      number_cols.push_back(i);
      number_names += (number_names.empty() ? "" : ", ") + std::string(cell_value(it->fields[i]));
    } else if (is_date_header(key)) {
      if (date_col) {
        out.error = fmt::format("the header names a consent date twice ({} and {})", date_name,
                                cell_value(it->fields[i]));
        return out;
      }
      date_col = i;
      date_name = std::string(cell_value(it->fields[i]));
    }
  }
  if (number_cols.empty()) {
    out.error = no_header;
    return out;
  }
  out.columns = "number from " + number_names + (date_col ? "; consent date from " + date_name : "");

  for (++it; it != records.end(); ++it) {
    if (blank(*it)) continue;
    const auto reject = [&](list_rejection r) { out.rejected.push_back({it->line, r}); };
    if (it->malformed || number_cols.front() >= it->fields.size()) {
      reject(list_rejection::malformed);
      continue;
    }
    // The first mobile number of the row; else its most telling failure.
    number_kind verdict = number_kind::empty;
    std::string e164;
    for (auto col : number_cols) {
      if (col >= it->fields.size()) continue;
      for (auto part : numbers_in(it->fields[col])) {
        std::string found;
        const auto kind = classify(part, default_country, found);
        if (weight(kind) > weight(verdict)) {
          verdict = kind;
          if (kind == number_kind::mobile) e164 = std::move(found);
        }
        if (verdict == number_kind::mobile) break;
      }
      if (verdict == number_kind::mobile) break;
    }
    if (verdict != number_kind::mobile) {
      reject(rejection_of(verdict));
      continue;
    }
    list_entry entry{it->line, std::move(e164), std::nullopt};
    if (date_col && *date_col < it->fields.size() && !cell_value(it->fields[*date_col]).empty()) {
      entry.consent_at = parse_list_date(it->fields[*date_col]);
      if (!entry.consent_at) {
        reject(list_rejection::bad_date);
        continue;
      }
      if (*entry.consent_at > now_ms) {
        reject(list_rejection::future_date);
        continue;
      }
    }
    out.entries.push_back(std::move(entry));
  }
  return out;
}

}  // namespace banditore::domain

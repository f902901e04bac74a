#include <banditore/cap/message.hpp>

#include <banditore/domain/local_time.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace banditore::cap {

namespace {

constexpr std::string_view ellipsis = "…";

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// One line of text: runs of white space (feeds wrap descriptions at 70
// columns) become one space. Asterisks would open or close WhatsApp bold.
std::string one_line(std::string_view s, bool drop_asterisks = false) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (drop_asterisks && c == '*') continue;
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Cuts text to at most budget code points, on a word boundary when there is
// one, ending with "…". Returns "" when not even a word and "…" fit.
std::string cut_on_word(std::string_view text, std::size_t budget) {
  if (code_points(text) <= budget) return std::string(text);
  if (budget < 2) return {};
  auto head = prefix_code_points(text, budget - 1);
  auto space = head.find_last_of(' ');
  if (space != std::string_view::npos && space > 0) head = head.substr(0, space);
  while (!head.empty() && (head.back() == ' ' || head.back() == ',' || head.back() == ';' ||
                           head.back() == ':' || head.back() == '.'))
    head.remove_suffix(1);
  if (head.empty()) return {};
  return std::string(head) + std::string(ellipsis);
}

std::string local_text(const cap_time& t, const std::string& zone) {
  using namespace std::chrono;
  auto local = domain::to_local(zone, t.utc);
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss hms{local - day};
  return fmt::format("{:02}/{:02}/{} ore {:02}:{:02}", unsigned(ymd.day()), unsigned(ymd.month()),
                     int(ymd.year()), hms.hours().count(), hms.minutes().count());
}

std::string validity(const cap_info& info, const std::string& zone) {
  const auto& from = info.onset ? info.onset : info.effective;
  if (from && info.expires)
    return fmt::format("Valido dal {} al {}", local_text(*from, zone), local_text(*info.expires, zone));
  if (from) return fmt::format("Valido dal {}", local_text(*from, zone));
  if (info.expires) return fmt::format("Valido fino al {}", local_text(*info.expires, zone));
  return {};
}

std::string area_list(const cap_info& info) {
  std::vector<std::string> seen;
  std::string out;
  for (const auto& a : info.areas) {
    auto desc = one_line(a.desc);
    if (desc.empty() || std::find(seen.begin(), seen.end(), desc) != seen.end()) continue;
    seen.push_back(desc);
    out.append(out.empty() ? "" : ", ").append(desc);
  }
  return out;
}

struct parts {
  std::string title;     // never cut but in the last resort
  std::string areas;     // cut third
  std::string when;
  std::string instruction;  // cut second
  std::string body;         // description or cancel reason: cut first
  std::string web;

  std::string join() const {
    std::string head = title;
    if (!areas.empty()) head += "\nZona: " + areas;
    if (!when.empty()) head += "\n" + when;
    std::string out = head;
    for (const auto* s : {&instruction, &body, &web})
      if (!s->empty()) out += "\n\n" + *s;
    return out;
  }
};

// Shrinks one part by the current excess; a part left with too little to
// say anything is dropped whole, with the separator it needed.
void shrink(parts& p, std::string& part, std::size_t max_chars) {
  auto total = code_points(p.join());
  if (total <= max_chars || part.empty()) return;
  auto excess = total - max_chars;
  auto have = code_points(part);
  constexpr std::size_t least_worth_sending = 12;
  part = have > excess + least_worth_sending ? cut_on_word(part, have - excess) : std::string();
}

}  // namespace

std::size_t code_points(std::string_view utf8) {
  std::size_t n = 0;
  for (char c : utf8)
    if (!is_continuation(c)) ++n;
  return n;
}

std::string_view prefix_code_points(std::string_view utf8, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    if (is_continuation(utf8[i])) continue;
    if (seen == n) return utf8.substr(0, i);
    ++seen;
  }
  return utf8;
}

std::string render_whatsapp_text(const cap_alert& alert, std::size_t info_index,
                                 const render_options& options) {
  const auto& info = alert.infos.at(info_index);
  if (!domain::is_known_zone(options.time_zone))
    throw std::invalid_argument("unknown time zone \"" + options.time_zone + "\"");

  parts p;
  auto headline = one_line(info.headline.empty() ? info.event : info.headline, true);
  std::string prefix = alert.msg_type == "Update"   ? "AGGIORNAMENTO: "
                       : alert.msg_type == "Cancel" ? "REVOCA: "
                                                    : "";
  p.title = prefix + "*" + headline + "*";
  p.areas = area_list(info);
  if (alert.msg_type == "Cancel") {
    auto reason = one_line(alert.note.empty() ? info.description : alert.note);
    p.body = reason.empty() ? "L'allerta è revocata." : reason;
  } else {
    p.when = validity(info, options.time_zone);
    p.instruction = one_line(info.instruction);
    p.body = one_line(info.description);
  }
  p.web = one_line(info.web);

  shrink(p, p.body, options.max_chars);
  shrink(p, p.instruction, options.max_chars);
  shrink(p, p.areas, options.max_chars);
  // A link cut short is useless: drop it whole if still too long.
  if (code_points(p.join()) > options.max_chars) p.web.clear();
  auto text = p.join();
  if (code_points(text) > options.max_chars) {
    // A headline alone longer than the limit: cut it hard, still valid UTF-8.
    text = options.max_chars == 0
               ? std::string()
               : std::string(prefix_code_points(text, options.max_chars - 1)) + std::string(ellipsis);
  }
  return text;
}

}  // namespace banditore::cap

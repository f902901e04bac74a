#include <banditore/domain/choices.hpp>

#include <banditore/domain/audience_rules.hpp>
#include <banditore/domain/utf8.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace banditore::domain {

namespace {

bool holds(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The ids of entries (in catalogue order) that ids names.
template <class Entry>
std::vector<std::string> ordered(const std::vector<std::string>& ids, const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries)
    if (holds(ids, e.id)) out.push_back(e.id);
  return out;
}

template <class Entry>
const Entry* find_entry(const std::vector<Entry>& entries, std::string_view id) {
  for (const auto& e : entries)
    if (e.id == id) return &e;
  return nullptr;
}

std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& x : a)
    if (!holds(b, x)) out.push_back(x);
  return out;
}

std::vector<std::string> default_topic_ids(const audience_catalogue& c) {
  std::vector<std::string> out;
  for (const auto& t : c.topics)
    if (t.in_default) out.push_back(t.id);
  return out;
}

// The ids as the catalogue holds them, an area bringing its town.
struct named {
  std::vector<std::string> towns, topics, areas;
  bool empty() const { return towns.empty() && topics.empty() && areas.empty(); }
};
named known(const choice_request& r, const audience_catalogue& c) {
  named n{ordered(r.towns, c.towns), ordered(r.topics, c.topics), ordered(r.areas, c.areas)};
  return n;
}
std::vector<std::string> towns_with_areas(const std::vector<std::string>& towns, const std::vector<std::string>& areas,
                                          const audience_catalogue& c) {
  std::vector<std::string> all = towns;
  for (const auto& a : areas)
    if (const auto* area = find_entry(c.areas, a)) all.push_back(area->town_id);
  return ordered(all, c.towns);
}

subscriber_choices in_order(subscriber_choices s, const audience_catalogue& c) {
  s.towns = ordered(s.towns, c.towns);
  s.topics = ordered(s.topics, c.topics);
  s.areas = ordered(s.areas, c.areas);
  return s;
}

}  // namespace

std::optional<choice_request> choice_request_from(const audience_request& r) {
  choice_request out;
  out.towns = r.towns;
  out.topics = r.topics;
  out.areas = r.areas;
  switch (r.action) {
    case audience_action::join:
      out.op = choice_op::join;
      out.only_severe = r.only_severe;
      out.everything = r.everything;
      return out;
    case audience_action::leave: out.op = choice_op::leave; return out;
    case audience_action::only_severe: return choice_request{choice_op::floor_on};
    case audience_action::everything: return choice_request{choice_op::everything};
    case audience_action::status: return choice_request{choice_op::status};
    case audience_action::info:
    case audience_action::unclear:
    case audience_action::none: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<choice_request> parse_choice_id(std::string_view id) {
  auto with_id = [](choice_op op, std::vector<std::string> choice_request::*field,
                    std::string_view rest) -> std::optional<choice_request> {
    if (!valid_audience_id(rest)) return std::nullopt;
    choice_request r{op};
    (r.*field).push_back(std::string(rest));
    return r;
  };
  if (id.size() > 2 && (id.starts_with("t+") || id.starts_with("t-")))
    return with_id(id[1] == '+' ? choice_op::join : choice_op::leave, &choice_request::topics, id.substr(2));
  if (id.size() > 2 && (id.starts_with("a+") || id.starts_with("a-")))
    return with_id(id[1] == '+' ? choice_op::join : choice_op::leave, &choice_request::areas, id.substr(2));
  if (id.starts_with("town:")) return with_id(choice_op::join, &choice_request::towns, id.substr(5));
  if (id == "s+") return choice_request{choice_op::floor_on};
  if (id == "s-") return choice_request{choice_op::floor_off};
  if (id == "tutto") return choice_request{choice_op::everything};
  if (id == "stato") return choice_request{choice_op::status};
  if (id.starts_with("more:")) {
    auto rest = id.substr(5);
    auto colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto list = rest.substr(0, colon);
    auto number = rest.substr(colon + 1);
    if (list != "choices" && list != "towns") return std::nullopt;
    std::size_t page = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), page);
    if (ec != std::errc{} || end != number.data() + number.size() || number.empty() || page > 1000) return std::nullopt;
    choice_request r{choice_op::more};
    r.list = std::string(list);
    r.page = page;
    return r;
  }
  return std::nullopt;
}

choice_request located_request(std::vector<std::string> towns, std::vector<std::string> areas) {
  choice_request r{choice_op::join};
  r.towns = std::move(towns);
  r.areas = std::move(areas);
  r.located = true;
  return r;
}

subscriber_choices default_choices(const audience_catalogue& c, std::vector<std::string> towns) {
  subscriber_choices s;
  s.towns = ordered(towns, c.towns);
  if (s.towns.empty() && c.towns.size() == 1) s.towns.push_back(c.towns.front().id);
  s.topics = default_topic_ids(c);
  return s;
}

choice_plan plan_choices(const choice_request& r, const audience_catalogue& c, bool subscribed,
                         const subscriber_choices& current) {
  choice_plan p;
  if (subscribed) p.before = in_order(current, c);
  p.after = p.before;
  const auto n = known(r, c);
  auto not_subscribed = [&p] {
    p.verdict = decision::not_subscribed;
    return p;
  };

  switch (r.op) {
    case choice_op::more:
      p.list = r.list;
      p.page = r.page;
      if (r.list == "towns") {
        p.verdict = decision::ask_town;
        return p;
      }
      if (!subscribed) return not_subscribed();
      p.verdict = decision::status;
      return p;

    case choice_op::status:
      if (!subscribed) return not_subscribed();
      p.verdict = decision::status;
      return p;

    case choice_op::join: {
      if (r.located && n.empty()) {
        p.verdict = decision::unchanged;
        p.refusal = choice_refusal::no_place;
        return p;
      }
      const auto towns = towns_with_areas(n.towns, n.areas, c);
      if (!subscribed) {
        // On a number shared by several towns, which one is asked first.
        if (towns.empty() && c.towns.size() > 1) {
          p.verdict = decision::ask_town;
          p.list = "towns";
          return p;
        }
        p.after = default_choices(c, towns);
        if (!n.topics.empty() && !r.everything) p.after.topics = n.topics;
        p.after.areas = n.areas;
        p.after.only_severe = r.only_severe;
        p.verdict = decision::subscribe;
        p.changes.push_back({r.located ? "located" : "subscribe", p.after.towns, p.after.topics, p.after.areas});
        if (p.after.only_severe) p.changes.push_back({"only_severe", {}, {}, {}});
        return p;
      }
      auto& a = p.after;
      if (r.everything) {
        a.topics = default_topic_ids(c);
        a.areas.clear();
        a.only_severe = false;
      }
      a.towns.insert(a.towns.end(), towns.begin(), towns.end());
      a.topics.insert(a.topics.end(), n.topics.begin(), n.topics.end());
      a.areas.insert(a.areas.end(), n.areas.begin(), n.areas.end());
      if (r.only_severe) a.only_severe = true;
      a = in_order(a, c);
      choice_change added{r.located ? "located" : "add", minus(a.towns, p.before.towns), minus(a.topics, p.before.topics),
                          minus(a.areas, p.before.areas)};
      if (r.everything && (a.topics != p.before.topics || a.areas != p.before.areas ||
                           a.only_severe != p.before.only_severe))
        p.changes.push_back({"everything", {}, a.topics, {}});
      else if (!added.towns.empty() || !added.topics.empty() || !added.areas.empty())
        p.changes.push_back(std::move(added));
      if (a.only_severe && !p.before.only_severe) p.changes.push_back({"only_severe", {}, {}, {}});
      const bool asked_more = !n.empty() || r.only_severe || r.everything;
      p.verdict = !p.changes.empty() ? decision::choices_changed
                  : asked_more       ? decision::unchanged
                                     : decision::already_subscribed;
      return p;
    }

    case choice_op::leave: {
      if (n.empty()) {
        if (!subscribed) return not_subscribed();
        // Disattiva with nothing named: everything, the number erased.
        p.verdict = decision::unsubscribe;
        p.after = {};
        p.changes.push_back({"unsubscribe", {}, {}, {}});
        return p;
      }
      if (!subscribed) return not_subscribed();
      auto& a = p.after;
      a.towns = minus(a.towns, n.towns);
      a.topics = minus(a.topics, n.topics);
      // Leaving a town leaves its areas too.
      std::vector<std::string> areas = n.areas;
      for (const auto& id : p.before.areas)
        if (const auto* area = find_entry(c.areas, id); area && holds(n.towns, area->town_id)) areas.push_back(id);
      a.areas = minus(a.areas, areas);
      choice_change removed{"remove", minus(p.before.towns, a.towns), minus(p.before.topics, a.topics),
                            minus(p.before.areas, a.areas)};
      if (a.topics.empty() && !p.before.topics.empty()) {
        p.refusal = choice_refusal::last_topic;
      } else if (a.towns.empty() && !p.before.towns.empty()) {
        p.refusal = choice_refusal::last_town;
      } else if (removed.towns.empty() && removed.topics.empty() && removed.areas.empty()) {
        p.refusal = choice_refusal::not_chosen;
      }
      if (p.refusal != choice_refusal::none) {
        p.after = p.before;
        p.verdict = decision::unchanged;
        return p;
      }
      p.changes.push_back(std::move(removed));
      p.verdict = decision::choices_changed;
      return p;
    }

    case choice_op::floor_on:
    case choice_op::floor_off: {
      if (!subscribed) return not_subscribed();
      const bool on = r.op == choice_op::floor_on;
      p.after.only_severe = on;
      if (on != p.before.only_severe) p.changes.push_back({on ? "only_severe" : "all_severities", {}, {}, {}});
      p.verdict = p.changes.empty() ? decision::unchanged : decision::choices_changed;
      return p;
    }

    case choice_op::everything: {
      if (!subscribed) return not_subscribed();
      auto& a = p.after;
      a.topics = default_topic_ids(c);
      a.areas.clear();
      a.only_severe = false;
      if (a != p.before) p.changes.push_back({"everything", {}, a.topics, {}});
      p.verdict = p.changes.empty() ? decision::unchanged : decision::choices_changed;
      return p;
    }
  }
  return p;
}

std::string cut_title(std::string_view text, std::size_t max) {
  auto n = utf8::count_code_points(text);
  if (n && *n <= max) return std::string(text);
  std::string out;
  std::size_t pos = 0, kept = 0;
  char32_t cp = 0;
  while (kept + 1 < max && utf8::next_code_point(text, pos, cp)) {
    utf8::append(out, cp);
    ++kept;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "…";
}

namespace {

struct titled_row {
  std::string section;
  reply_list::row row;
};

// Rows into pages of at most 10: every page but the last ends with a row
// that asks for the next one.
reply_list paged(const std::vector<titled_row>& rows, std::string_view list, std::size_t page, std::string button) {
  reply_list out;
  out.button = std::move(button);
  if (rows.empty()) return out;
  constexpr std::size_t per_page = max_list_rows_in_all - 1;
  const std::size_t pages = rows.size() <= max_list_rows_in_all ? 1 : (rows.size() + per_page - 1) / per_page;
  page = std::min(page, pages - 1);
  const std::size_t first = pages == 1 ? 0 : page * per_page;
  const std::size_t last = pages == 1 ? rows.size() : std::min(rows.size(), first + per_page);
  for (std::size_t i = first; i < last; ++i) {
    if (out.sections.empty() || out.sections.back().title != rows[i].section)
      out.sections.push_back({rows[i].section, {}});
    out.sections.back().rows.push_back(rows[i].row);
  }
  if (page + 1 < pages)
    out.sections.push_back({"Pagina successiva",
                            {{fmt::format("more:{}:{}", list, page + 1), "Altro…",
                              fmt::format("Pagina {} di {}", page + 2, pages)}}});
  return out;
}

// "Comune di Lugo" shown as "Lugo" where space is short.
std::string short_town(const town& t) {
  std::string_view name = t.name;
  for (std::string_view prefix : {"Comune di ", "comune di ", "Città di "})
    if (name.starts_with(prefix) && name.size() > prefix.size()) return std::string(name.substr(prefix.size()));
  return t.name;
}

}  // namespace

reply_list choices_list(const audience_catalogue& c, const subscriber_choices& s, std::size_t page) {
  std::vector<titled_row> rows;
  for (const auto& t : c.topics) {
    const bool chosen = holds(s.topics, t.id);
    rows.push_back({"Argomenti",
                    {(chosen ? "t-" : "t+") + t.id, cut_title((chosen ? "✓ " : "") + t.name, max_list_row_title),
                     chosen ? "Lo ricevi: tocca per toglierlo" : "Tocca per riceverlo"}});
  }
  for (const auto& a : c.areas) {
    if (!s.towns.empty() && !holds(s.towns, a.town_id)) continue;
    const bool chosen = holds(s.areas, a.id);
    rows.push_back({"Zone",
                    {(chosen ? "a-" : "a+") + a.id, cut_title((chosen ? "✓ " : "") + a.name, max_list_row_title),
                     chosen ? "La ricevi: tocca per toglierla" : "Tocca per ricevere anche gli avvisi di questa zona"}});
  }
  if (c.towns.size() > 1)
    for (const auto& t : c.towns)
      if (!holds(s.towns, t.id))
        rows.push_back({"Altri comuni",
                        {"town:" + t.id, cut_title(short_town(t), max_list_row_title), "Tocca per aggiungere questo comune"}});
  rows.push_back({"Altro",
                  s.only_severe ? reply_list::row{"s-", "Tutte le gravità", "Ricevi di nuovo gli avvisi di ogni gravità"}
                                : reply_list::row{"s+", "Solo emergenze", "Solo gli avvisi gravi ed estremi"}});
  rows.push_back({"Altro", {"tutto", "Tutto", "Tutti gli argomenti principali, tutto il comune"}});
  return paged(rows, "choices", page, "Scegli");
}

reply_list towns_list(const audience_catalogue& c, std::size_t page) {
  std::vector<titled_row> rows;
  for (const auto& t : c.towns)
    rows.push_back({"Comuni", {"town:" + t.id, cut_title(short_town(t), max_list_row_title),
                               cut_title("Avvisi " + of_town(t.name), max_list_row_description)}});
  return paged(rows, "towns", page, "Scegli il comune");
}

namespace {

template <class Entry>
std::string names_of(const std::vector<std::string>& ids, const std::vector<Entry>& entries) {
  std::string out;
  for (const auto& id : ids)
    if (const auto* e = find_entry(entries, id)) out.append(out.empty() ? "" : ", ").append(e->name);
  return out;
}

std::string all_names(const choice_change& ch, const audience_catalogue& c) {
  std::string out;
  for (const auto& part : {names_of(ch.towns, c.towns), names_of(ch.topics, c.topics), names_of(ch.areas, c.areas)})
    if (!part.empty()) out.append(out.empty() ? "" : ", ").append(part);
  return out;
}

std::string change_line(const choice_change& ch, const audience_catalogue& c) {
  if (ch.event == "add" || ch.event == "located") return "aggiunto " + all_names(ch, c) + ".";
  if (ch.event == "remove") return "tolto " + all_names(ch, c) + ".";
  if (ch.event == "only_severe") return "da ora ricevi solo gli avvisi gravi ed estremi.";
  if (ch.event == "all_severities") return "da ora ricevi gli avvisi di ogni gravità.";
  if (ch.event == "everything") return "di nuovo tutti gli argomenti principali, in tutto il comune, di ogni gravità.";
  return {};
}

std::string with_summary(std::string head, const audience_catalogue& c, const subscriber_choices& s) {
  return head + "\n\n" + choices_summary(c, s);
}

}  // namespace

std::string choices_summary(const audience_catalogue& c, const subscriber_choices& s) {
  std::string out = "Ora ricevi:\n";
  const auto towns = names_of(s.towns, c.towns);
  out += "• " + (towns.empty() ? std::string("nessun comune: scrivi ad esempio ATTIVA e il nome del comune")
                               : (s.towns.size() > 1 ? "comuni: " : "") + towns) +
         "\n";
  const auto topics = names_of(s.topics, c.topics);
  out += "• argomenti: " + (topics.empty() ? std::string("nessuno") : topics) + "\n";
  const auto areas = names_of(s.areas, c.areas);
  out += "• zone: " + (areas.empty() ? std::string("tutto il comune") : areas + " e gli avvisi per tutto il comune") + "\n";
  if (s.only_severe) out += "• solo emergenze: gli avvisi gravi ed estremi\n";
  out.pop_back();
  return out;
}

choice_reply reply_for_plan(const choice_plan& p, const audience_catalogue& c, const reply_texts& texts) {
  choice_reply out;
  bool with_list = true;
  switch (p.verdict) {
    case decision::subscribe: out.text = with_summary(texts.subscribed, c, p.after); break;
    case decision::already_subscribed: out.text = with_summary(texts.already_subscribed, c, p.after); break;
    case decision::unsubscribe:
      out.text = texts.unsubscribed;
      with_list = false;
      break;
    case decision::not_subscribed:
      out.text = texts.not_subscribed;
      with_list = false;
      break;
    case decision::choices_changed: {
      std::string head = "Fatto:";
      for (const auto& ch : p.changes) head += " " + change_line(ch, c);
      out.text = with_summary(head, c, p.after);
      break;
    }
    case decision::status: out.text = with_summary("Le tue iscrizioni.", c, p.after); break;
    case decision::ask_town:
      out.text = "Questo numero invia gli avvisi di più comuni: quale ti interessa? Tocca «Scegli il comune», "
                 "oppure scrivi ATTIVA e il nome del comune.";
      out.list = towns_list(c, p.page);
      with_list = false;
      break;
    default: {
      std::string head;
      switch (p.refusal) {
        case choice_refusal::last_topic:
          head = "Non è cambiato nulla: è tutto quello che ricevi. Per non ricevere più nulla scrivi DISATTIVA.";
          break;
        case choice_refusal::last_town:
          head = "Non è cambiato nulla: è l'unico comune che ricevi. Per non ricevere più nulla scrivi DISATTIVA.";
          break;
        case choice_refusal::not_chosen: head = "Non è cambiato nulla: non lo ricevevi."; break;
        case choice_refusal::no_place:
          head = "La posizione che hai condiviso non è in nessun comune di questo servizio: non è cambiato nulla.";
          break;
        case choice_refusal::none: head = "Non è cambiato nulla: ricevi già quello che hai chiesto."; break;
      }
      if (p.before == subscriber_choices{} && p.refusal == choice_refusal::no_place) {
        out.text = head;
        with_list = false;
      } else {
        out.text = with_summary(head, c, p.after);
      }
      break;
    }
  }
  if (with_list) {
    out.list = choices_list(c, p.after, p.verdict == decision::status ? p.page : 0);
    out.text += "\nTocca «Scegli» per cambiare.";
  }
  // The list needs a body within the interactive limit; a longer text
  // (long configured replies, many long names) goes alone.
  const auto n = utf8::count_code_points(out.text).value_or(max_reply_code_points + 1);
  if (n > max_interactive_body_code_points && !out.list.empty()) {
    out.list = {};
    const std::string_view hint = "\nTocca «Scegli» per cambiare.";
    if (out.text.ends_with(hint)) out.text.resize(out.text.size() - hint.size());
  }
  if (n > max_reply_code_points) out.text = cut_title(out.text, max_reply_code_points);
  return out;
}

}  // namespace banditore::domain

#include <banditore/domain/audience_rules.hpp>

#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/audience_geo.hpp>
#include <banditore/domain/commands.hpp>
#include <banditore/domain/utf8.hpp>

#include <algorithm>

namespace banditore::domain {

namespace {

template <class T>
std::vector<T>& list_of(audience_catalogue& c);
template <>
std::vector<town>& list_of<town>(audience_catalogue& c) { return c.towns; }
template <>
std::vector<topic>& list_of<topic>(audience_catalogue& c) { return c.topics; }
template <>
std::vector<area>& list_of<area>(audience_catalogue& c) { return c.areas; }

template <class T>
bool has(const std::vector<T>& list, std::string_view id) {
  return std::any_of(list.begin(), list.end(), [&](const T& e) { return e.id == id; });
}

bool has(const audience_catalogue& c, catalogue_kind kind, std::string_view id) {
  switch (kind) {
    case catalogue_kind::town: return has(c.towns, id);
    case catalogue_kind::topic: return has(c.topics, id);
    case catalogue_kind::area: return has(c.areas, id);
  }
  return false;
}

catalogue_verdict invalid(std::string field, std::string reason) {
  return {catalogue_outcome::invalid, std::move(field), std::move(reason)};
}

std::optional<catalogue_verdict> check_name(const std::string& name) {
  const auto length = utf8::count_code_points(name);
  if (!length) return invalid("name", "must be UTF-8 text");
  const bool blank = std::all_of(name.begin(), name.end(), [](char c) { return c == ' ' || c == '\t'; });
  if (*length == 0 || blank) return invalid("name", "must not be empty");
  if (*length > max_audience_name_length)
    return invalid("name", "must be at most " + std::to_string(max_audience_name_length) + " characters");
  return std::nullopt;
}

std::optional<catalogue_verdict> check_keywords(const std::vector<std::string>& keywords) {
  if (keywords.size() > max_keywords)
    return invalid("keywords", "must be at most " + std::to_string(max_keywords) + " words or phrases");
  for (const auto& k : keywords) {
    const auto length = utf8::count_code_points(k);
    if (!length) return invalid("keywords", "must be UTF-8 text");
    if (fold(k).words.empty()) return invalid("keywords", "must not hold an empty keyword");
    if (*length > max_keyword_length)
      return invalid("keywords", "must each be at most " + std::to_string(max_keyword_length) + " characters");
  }
  return std::nullopt;
}

bool six_digits(std::string_view s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<catalogue_verdict> check_common(const std::string& id, const std::string& name,
                                              const std::vector<std::string>& keywords) {
  if (!valid_audience_id(id))
    return invalid("id", "must be 1 to " + std::to_string(max_audience_id_length) +
                             " lowercase letters, digits and dashes");
  if (auto bad = check_name(name)) return bad;
  return check_keywords(keywords);
}

// The rules that need the rest of the catalogue.
std::optional<catalogue_verdict> check_links(const audience_catalogue& c, const catalogue_entry& entry) {
  if (const auto* a = std::get_if<area>(&entry); a && !has(c.towns, a->town_id))
    return invalid("town", "names no town of this deployment ('" + a->town_id + "')");
  return std::nullopt;
}

}  // namespace

std::string_view to_string(catalogue_kind k) {
  switch (k) {
    case catalogue_kind::town: return "town";
    case catalogue_kind::topic: return "topic";
    case catalogue_kind::area: return "area";
  }
  return "unknown";
}

catalogue_kind kind_of(const catalogue_entry& e) { return static_cast<catalogue_kind>(e.index()); }

const std::string& id_of(const catalogue_entry& e) {
  return std::visit([](const auto& x) -> const std::string& { return x.id; }, e);
}

bool valid_audience_id(std::string_view id) {
  if (id.empty() || id.size() > max_audience_id_length) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::optional<catalogue_verdict> check_fields(const catalogue_entry& entry) {
  return std::visit(
      [](const auto& e) -> std::optional<catalogue_verdict> {
        if (auto bad = check_common(e.id, e.name, e.keywords)) return bad;
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, town>) {
          if (!e.istat_code.empty() && !six_digits(e.istat_code))
            return invalid("istat_code", "must be the six digits of an ISTAT municipality code");
        }
        if constexpr (std::is_same_v<T, area>) {
          if (!valid_audience_id(e.town_id)) return invalid("town", "must be a town id");
        }
        if constexpr (std::is_same_v<T, town> || std::is_same_v<T, area>) {
          std::string why;
          if (!e.polygon.empty() && !parse_geojson_polygon(e.polygon, &why)) return invalid("polygon", why);
        }
        return std::nullopt;
      },
      entry);
}

catalogue_verdict check_add(const audience_catalogue& c, const catalogue_entry& entry) {
  if (auto bad = check_fields(entry)) return *bad;
  if (has(c, kind_of(entry), id_of(entry)))
    return {catalogue_outcome::duplicate, "id",
            "is already the id of a " + std::string(to_string(kind_of(entry)))};
  if (auto bad = check_links(c, entry)) return *bad;
  return {};
}

catalogue_verdict check_update(const audience_catalogue& c, const catalogue_entry& entry) {
  if (!has(c, kind_of(entry), id_of(entry))) return {catalogue_outcome::not_found, "id", {}};
  if (auto bad = check_fields(entry)) return *bad;
  if (auto bad = check_links(c, entry)) return *bad;
  return {};
}

catalogue_verdict check_remove(const audience_catalogue& c, catalogue_kind kind, std::string_view id) {
  if (!has(c, kind, id)) return {catalogue_outcome::not_found, "id", {}};
  if (kind == catalogue_kind::town) {
    std::string names;
    for (const auto& a : c.areas)
      if (a.town_id == id) names.append(names.empty() ? "" : ", ").append(a.id);
    if (!names.empty())
      return {catalogue_outcome::in_use, "id", "still has areas (" + names + "): remove them first"};
  }
  return {};
}

void apply_add(audience_catalogue& c, const catalogue_entry& entry) {
  std::visit([&c](const auto& e) { list_of<std::decay_t<decltype(e)>>(c).push_back(e); }, entry);
}

void apply_update(audience_catalogue& c, const catalogue_entry& entry) {
  std::visit(
      [&c](const auto& e) {
        for (auto& old : list_of<std::decay_t<decltype(e)>>(c))
          if (old.id == e.id) old = e;
      },
      entry);
}

void apply_remove(audience_catalogue& c, catalogue_kind kind, std::string_view id) {
  auto drop = [id](auto& list) {
    std::erase_if(list, [id](const auto& e) { return e.id == id; });
  };
  switch (kind) {
    case catalogue_kind::town: drop(c.towns); break;
    case catalogue_kind::topic: drop(c.topics); break;
    case catalogue_kind::area: drop(c.areas); break;
  }
}

town configured_town(std::string_view town_setting) {
  town t;
  t.name = town_label(town_setting);
  if (t.name.empty()) t.name = "Comune";
  // The id is the name folded without "Comune di": "Sant'Agata sul
  // Santerno" gives "sant-agata-sul-santerno".
  auto words = fold(t.name).words;
  if (words.size() > 1 && words.front() == "comune") words.erase(words.begin());
  if (words.size() > 1 && words.front() == "di") words.erase(words.begin());
  for (const auto& w : words) {
    std::string part;
    for (char c : w)
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) part.push_back(c);
    if (part.empty()) continue;
    if (!t.id.empty() && t.id.size() + 1 + part.size() > max_audience_id_length) break;
    t.id.append(t.id.empty() ? "" : "-").append(part);
  }
  if (t.id.empty()) t.id = "comune";
  t.id.resize(std::min(t.id.size(), max_audience_id_length));
  return t;
}

}  // namespace banditore::domain

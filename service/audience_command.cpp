#include "audience_command.hpp"
#include "cli.hpp"

#include <banditore/domain/audience_geo.hpp>
#include <banditore/domain/audience_rules.hpp>
#include <banditore/domain/comma_list.hpp>
#include <banditore/domain/utf8.hpp>
#include <banditore/store/api_keys.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/store/sqlite/engine.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>

namespace {

using namespace banditore;
using namespace banditore::cli;
using domain::catalogue_kind;

// What differs between towns, topics and areas on the command line.
struct kind_words {
  catalogue_kind kind;
  std::string_view plural;    // "towns"
  std::string_view singular;  // "town"
  std::string_view options;   // for add, after ID
};

std::optional<kind_words> words_of(std::string_view command) {
  if (command == "towns") return kind_words{catalogue_kind::town, "towns", "town", "--name NAME [--istat CODE] [--keywords A,B] [--polygon FILE]"};
  if (command == "topics")
    return kind_words{catalogue_kind::topic, "topics", "topic", "--name NAME [--keywords A,B] [--in-default yes|no]"};
  if (command == "areas") return kind_words{catalogue_kind::area, "areas", "area", "--town TOWN --name NAME [--keywords A,B] [--polygon FILE]"};
  return std::nullopt;
}

void print_help(const kind_words& w) {
  fmt::print(
      "Usage: banditore {0} SUBCOMMAND [OPTIONS]\n"
      "\n"
      "The {0} of this deployment, which citizens choose from and alerts will target.\n"
      "Changes are recorded in the audit log (actor cli).\n"
      "\n"
      "Subcommands:\n"
      "  list{1}\n"
      "  add ID {2}\n"
      "  update ID [OPTIONS]      change only the options given\n"
      "  remove ID{3}\n"
      "\n"
      "ID: 1 to {4} lowercase letters, digits and dashes, fixed once added.\n"
      "NAME: 1 to {5} characters. Keywords: comma-separated, at most {6} of at most\n"
      "{7} characters each (an empty --keywords \"\" clears them).\n",
      w.plural, w.kind == catalogue_kind::area ? " [--town TOWN]        every area, or those of one town" : "",
      w.options,
      w.kind == catalogue_kind::town ? "                refused while the town has areas" : "",
      domain::max_audience_id_length, domain::max_audience_name_length, domain::max_keywords,
      domain::max_keyword_length);
  if (w.kind == catalogue_kind::town) fmt::print("--istat CODE: the six-digit ISTAT municipality code (\"\" clears it).\n");
  if (w.kind != catalogue_kind::topic)
    fmt::print("--polygon FILE: the {}'s boundary, a GeoJSON Polygon ([longitude, latitude] positions); a shared\n"
               "location inside it chooses it (\"\" clears it).\n",
               w.singular);
  if (w.kind == catalogue_kind::topic) fmt::print("--in-default yes|no: whether a plain \"Attiva\" includes it (yes when added).\n");
}

std::string joined(const std::vector<std::string>& items) { return fmt::format("{}", fmt::join(items, ", ")); }

// The options of add and update, as given.
struct given {
  std::optional<std::string> name, istat, keywords, town, in_default;
  std::optional<std::string> polygon;  // the file's content; "" clears
};

// The GeoJSON in FILE; its content is checked by the catalogue's rules.
std::string polygon_file(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw usage_error(fmt::format("--polygon: cannot read {}", path));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > domain::max_polygon_text) throw usage_error("--polygon: the file is larger than 1 MiB");
  return text;
}

// Reads ID and the options a kind takes; throws usage_error.
std::string read_arguments(const kind_words& w, const std::vector<std::string>& args, given& g, bool& help) {
  std::vector<std::string> positional;
  for (argument_reader in(args, 1); !in.done();) {
    if (in.at_help()) {
      help = true;
      return {};
    }
    if (in.end_of_options()) continue;
    if (auto v = in.value("--name")) { g.name = std::move(v); continue; }
    if (auto v = in.value("--keywords")) { g.keywords = std::move(v); continue; }
    if (w.kind == catalogue_kind::town)
      if (auto v = in.value("--istat")) { g.istat = std::move(v); continue; }
    if (w.kind == catalogue_kind::area)
      if (auto v = in.value("--town")) { g.town = std::move(v); continue; }
    if (w.kind != catalogue_kind::topic)
      if (auto v = in.value("--polygon", "a GeoJSON file")) { g.polygon = polygon_file(*v); continue; }
    if (w.kind == catalogue_kind::topic)
      if (auto v = in.value("--in-default", "yes or no")) { g.in_default = std::move(v); continue; }
    if (in.at_option()) throw usage_error(unexpected(in.current()));
    positional.push_back(in.take());
  }
  if (positional.size() != 1) throw usage_error("give exactly one ID");
  if (g.in_default && *g.in_default != "yes" && *g.in_default != "no")
    throw usage_error("--in-default takes yes or no");
  return positional.front();
}

// Sets what was given on the entry.
void fill(domain::catalogue_entry& entry, const given& g) {
  std::visit(
      [&g](auto& e) {
        using T = std::decay_t<decltype(e)>;
        if (g.name) e.name = *g.name;
        if (g.keywords) e.keywords = domain::split_comma_list(*g.keywords);
        if constexpr (std::is_same_v<T, domain::town>) {
          if (g.istat) e.istat_code = *g.istat;
        }
        if constexpr (std::is_same_v<T, domain::topic>) {
          if (g.in_default) e.in_default = *g.in_default == "yes";
        }
        if constexpr (std::is_same_v<T, domain::area>) {
          if (g.town) e.town_id = *g.town;
        }
        if constexpr (!std::is_same_v<T, domain::topic>) {
          if (g.polygon) e.polygon = *g.polygon;
        }
      },
      entry);
}

std::optional<domain::catalogue_entry> find(const domain::audience_catalogue& c, catalogue_kind kind,
                                            std::string_view id) {
  auto in = [id](const auto& list) -> std::optional<domain::catalogue_entry> {
    for (const auto& e : list)
      if (e.id == id) return domain::catalogue_entry{e};
    return std::nullopt;
  };
  switch (kind) {
    case catalogue_kind::town: return in(c.towns);
    case catalogue_kind::topic: return in(c.topics);
    case catalogue_kind::area: return in(c.areas);
  }
  return std::nullopt;
}

domain::catalogue_entry empty_entry(catalogue_kind kind) {
  switch (kind) {
    case catalogue_kind::town: return domain::town{};
    case catalogue_kind::topic: return domain::topic{};
    case catalogue_kind::area: return domain::area{};
  }
  return domain::town{};
}

// A refused change, said as the command's exit code and one line.
int refused(const kind_words& w, std::string_view sub, std::string_view id, const domain::catalogue_verdict& v) {
  const auto what = fmt::format("{} '{}'", w.singular, id);
  switch (v.outcome) {
    case domain::catalogue_outcome::not_found:
      return fail(exit_failure, fmt::format("{} {}: there is no {}; see banditore {} list", w.plural, sub, what, w.plural));
    case domain::catalogue_outcome::duplicate:
      return fail(exit_failure, fmt::format("{} {}: there is already a {}", w.plural, sub, what));
    case domain::catalogue_outcome::in_use:
      return fail(exit_failure, fmt::format("{} {}: {} {}", w.plural, sub, what, v.reason));
    case domain::catalogue_outcome::invalid: {
      std::string option = v.field == "istat_code" ? "istat" : v.field;
      const bool is_option = option != "id";
      return fail(exit_usage, fmt::format("{} {}: {}{} {}", w.plural, sub, is_option ? "--" : "", option, v.reason));
    }
    case domain::catalogue_outcome::done: break;
  }
  return exit_ok;
}

struct opened_audience {
  store::sqlite::opened_engine opened;
  store::audience_admin& audience;
  explicit opened_audience(const config::settings& s)
      : opened(store::sqlite::open_engine(s)), audience(*opened.store) {}
};


int list(const kind_words& w, const config::settings& settings, const std::vector<std::string>& args) {
  std::optional<std::string> town;
  try {
    for (argument_reader in(args, 1); !in.done();) {
      if (in.at_help()) {
        print_help(w);
        return exit_ok;
      }
      if (w.kind == catalogue_kind::area)
        if (auto v = in.value("--town")) {
          town = std::move(v);
          continue;
        }
      throw usage_error(unexpected(in.current()));
    }
  } catch (const usage_error& e) {
    return fail(exit_usage, fmt::format("{} list: {}; see banditore {} --help", w.plural, e.what(), w.plural));
  }
  std::optional<opened_audience> opened;
  try {
    opened.emplace(settings);
  } catch (const std::exception& e) {
    return fail(exit_config, e.what());
  }
  const auto c = opened->audience.list_catalogue();
  std::vector<std::vector<std::string>> rows;
  switch (w.kind) {
    case catalogue_kind::town:
      rows.push_back({"ID", "NAME", "ISTAT", "KEYWORDS"});
      for (const auto& t : c.towns) rows.push_back({t.id, t.name, t.istat_code.empty() ? "-" : t.istat_code, joined(t.keywords)});
      break;
    case catalogue_kind::topic:
      rows.push_back({"ID", "NAME", "DEFAULT", "KEYWORDS"});
      for (const auto& t : c.topics) rows.push_back({t.id, t.name, t.in_default ? "yes" : "no", joined(t.keywords)});
      break;
    case catalogue_kind::area:
      rows.push_back({"ID", "TOWN", "NAME", "KEYWORDS"});
      for (const auto& a : c.areas)
        if (!town || a.town_id == *town) rows.push_back({a.id, a.town_id, a.name, joined(a.keywords)});
      break;
  }
  print_table(rows);
  if (rows.size() == 1) fmt::print(stderr, "No {} yet: add one with banditore {} add.\n", w.plural, w.plural);
  return exit_ok;
}

int change(const kind_words& w, std::string_view sub, const config::settings& settings,
           const std::vector<std::string>& args) {
  given g;
  bool help = false;
  std::string id;
  try {
    id = read_arguments(w, args, g, help);
  } catch (const usage_error& e) {
    return fail(exit_usage, fmt::format("{} {}: {}; see banditore {} --help", w.plural, sub, e.what(), w.plural));
  }
  if (help) {
    print_help(w);
    return exit_ok;
  }
  if (sub == "add") {
    if (!g.name) return fail(exit_usage, fmt::format("{} add: --name is required; see banditore {} --help", w.plural, w.plural));
    if (w.kind == catalogue_kind::area && !g.town)
      return fail(exit_usage, "areas add: --town is required; see banditore areas --help");
  }
  if (sub == "remove" && (g.name || g.keywords || g.istat || g.town || g.in_default))
    return fail(exit_usage, fmt::format("{} remove takes only the ID", w.plural));

  std::optional<opened_audience> opened;
  try {
    opened.emplace(settings);
  } catch (const std::exception& e) {
    return fail(exit_config, e.what());
  }
  const store::actor who{std::string(store::key_admin_actor), std::nullopt};
  domain::catalogue_verdict verdict;
  if (sub == "add") {
    auto entry = empty_entry(w.kind);
    std::visit([&id](auto& e) { e.id = id; }, entry);
    fill(entry, g);
    verdict = opened->audience.add_entry(entry, who, now_ms());
  } else if (sub == "update") {
    auto entry = find(opened->audience.list_catalogue(), w.kind, id);
    if (!entry) verdict.outcome = domain::catalogue_outcome::not_found;
    else {
      fill(*entry, g);
      verdict = opened->audience.update_entry(*entry, who, now_ms());
    }
  } else {
    verdict = opened->audience.remove_entry(w.kind, id, who, now_ms());
  }
  if (!verdict.ok()) return refused(w, sub, id, verdict);
  const std::string_view done = sub == "add" ? "Added" : sub == "update" ? "Updated" : "Removed";
  fmt::print("{} {} '{}'.\n", done, w.singular, id);
  return exit_ok;
}

}  // namespace

int run_audience_command(const config::settings& settings, const std::string& command,
                         const std::vector<std::string>& args) {
  const auto w = words_of(command);
  if (!w) return fail(exit_usage, fmt::format("unknown command '{}'", command));
  if (args.empty())
    return fail(exit_usage, fmt::format("{}: say list, add, update or remove; see banditore {} --help", w->plural, w->plural));
  const std::string& sub = args.front();
  try {
    if (is_help(sub) || sub == "help") {
      print_help(*w);
      return exit_ok;
    }
    if (sub == "list") return list(*w, settings, args);
    if (sub == "add" || sub == "update" || sub == "remove") return change(*w, sub, settings, args);
  } catch (const std::exception& e) {
    return fail(exit_failure, e.what());
  }
  return fail(exit_usage, fmt::format("{}: unknown subcommand '{}'; see banditore {} --help", w->plural, sub, w->plural));
}

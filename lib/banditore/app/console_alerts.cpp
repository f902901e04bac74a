#include <banditore/app/console_alerts.hpp>

#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/local_time.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/audience.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

constexpr std::size_t history_page = 25;

std::optional<std::int64_t> positive_id(std::string_view text) {
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || p != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// "2026-12-03", as <input type="date"> sends it: the instant that day
// (or the one add_days later) starts in Rome.
std::optional<std::int64_t> day_start_ms(std::string_view text, int add_days = 0) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto num = [&text](std::size_t at, std::size_t n, auto& out) {
    auto [p, ec] = std::from_chars(text.data() + at, text.data() + at + n, out);
    return ec == std::errc{} && p == text.data() + at + n;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  const std::chrono::year_month_day day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!day.ok() || y < 2000 || y > 2200) return std::nullopt;
  const auto days = std::chrono::local_days{day} + std::chrono::days{add_days};
  const std::chrono::local_seconds local{days};
  const auto utc = domain::to_utc(domain::default_time_zone, local);
  return std::chrono::duration_cast<std::chrono::milliseconds>(utc.time_since_epoch()).count();
}

std::string query_escape(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Options of a <select>: the empty "tutti" first, then the values, the
// one chosen marked.
json options(const std::vector<std::pair<std::string, std::string>>& values, const std::string& chosen) {
  json out = json::array();
  out.push_back({{"value", ""}, {"label", "tutti"}, {"selected", chosen.empty()}});
  for (const auto& [value, label] : values)
    out.push_back({{"value", value}, {"label", label}, {"selected", value == chosen}});
  return out;
}

}  // namespace

void add_console_alert_routes(http::router& routes, console_context& ctx) {
  add_console_page(routes, ctx, "GET", "/console/alerts", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    auto parsed = http::parse_form(r.http.query);
    if (!parsed)
      co_return console_error(ctx, &r, 400, "Ricerca non valida", "I filtri della ricerca non si possono leggere.");
    const auto& f = *parsed;
    store::alert_query q;
    q.town = f.get("comune");
    q.topic = f.get("tema");
    q.severity = f.get("gravita");
    q.source = f.get("origine");
    q.title_contains = f.get("q");
    q.limit = history_page;
    std::vector<std::string> refusals;
    if (!q.severity.empty() && !domain::parse_severity(q.severity)) refusals.push_back("La gravità scelta non esiste.");
    if (!q.source.empty() && q.source != "api" && q.source != "cap" && q.source != "console")
      refusals.push_back("L'origine scelta non esiste.");
    if (q.title_contains.size() > 200) refusals.push_back("Il testo da cercare è troppo lungo (al massimo 200 caratteri).");
    const auto from = f.get("dal"), to = f.get("al");
    if (!from.empty()) {
      q.created_from = day_start_ms(from);
      if (!q.created_from) refusals.push_back("La data «dal» non è una data (aaaa-mm-gg).");
    }
    if (!to.empty()) {
      // "al" is the last day included: up to the start of the next one.
      q.created_before = day_start_ms(to, 1);
      if (!q.created_before) refusals.push_back("La data «al» non è una data (aaaa-mm-gg).");
    }
    if (const auto before = f.get("prima"); !before.empty()) {
      const auto id = positive_id(before);
      if (!id) refusals.push_back("La pagina chiesta non esiste.");
      else q.before_id = *id;
    }
    if (!refusals.empty()) {
      std::string detail;
      for (const auto& s : refusals) detail += (detail.empty() ? "" : " ") + s;
      co_return console_error(ctx, &r, 400, "Ricerca non valida", detail);
    }

    domain::audience_catalogue catalogue;
    if (ctx.audience) catalogue = co_await ctx.audience->catalogue();
    auto list = co_await ctx.alerts->search(q);

    json items = json::array();
    for (const auto& a : list)
      items.push_back({{"id", a.id},
                       {"title", a.title},
                       {"created", domain::rome_time_text(a.created_at)},
                       {"severity", severity_label(a.severity)},
                       {"source", source_label(a.source)},
                       {"state", alert_state_label(a.state)}});
    std::vector<std::pair<std::string, std::string>> towns, topics;
    for (const auto& t : catalogue.towns) towns.emplace_back(t.id, t.name);
    for (const auto& t : catalogue.topics) topics.emplace_back(t.id, t.name);
    const std::vector<std::pair<std::string, std::string>> severities = {
        {"extreme", "estrema"}, {"severe", "grave"}, {"moderate", "moderata"}, {"minor", "lieve"}};
    const std::vector<std::pair<std::string, std::string>> sources = {
        {"api", source_label("api")}, {"cap", source_label("cap")}, {"console", source_label("console")}};

    json data = {{"title", "Storico degli avvisi"},
                 {"nav_alerts", true},
                 {"alerts", items},
                 {"has_alerts", !items.empty()},
                 {"towns", options(towns, q.town)},
                 {"topics", options(topics, q.topic)},
                 {"severities", options(severities, q.severity)},
                 {"sources", options(sources, q.source)},
                 {"q", q.title_contains},
                 {"from", from},
                 {"to", to},
                 {"filtered", !q.town.empty() || !q.topic.empty() || !q.severity.empty() || !q.source.empty() ||
                                  !q.title_contains.empty() || !from.empty() || !to.empty()}};
    if (list.size() == q.limit) {
      // The next page keeps the filters and starts below the last id.
      std::string next = "/console/alerts?";
      for (const auto& [name, value] : f.fields)
        if (name != "prima" && !value.empty()) next += query_escape(name) + "=" + query_escape(value) + "&";
      next += "prima=" + std::to_string(list.back().id);
      data["next"] = next;
    }
    co_return console_page(ctx, r, "console_alerts", std::move(data));
  });
}

}  // namespace banditore::app

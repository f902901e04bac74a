#include <banditore/app/console_alerts.hpp>

#include <banditore/app/change_notifier.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_audience.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/local_time.hpp>
#include <banditore/domain/wa_markup.hpp>
#include <banditore/http/stream.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/alert_trail.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/audience.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

constexpr std::size_t history_page = 25;

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

std::string who_label(std::string_view actor) {
  if (actor == "cli") return "riga di comando";
  if (actor == "scheduler") return "programmazione";
  if (actor.rfind("key:", 0) == 0) return "chiave API «" + std::string(actor.substr(4)) + "»";
  if (actor.rfind("staff:", 0) == 0) return std::string(actor.substr(6));
  return std::string(actor);
}

std::string action_label(std::string_view action) {
  if (action == "alert.create") return "ha creato l'avviso";
  if (action == "alert.cancel") return "ha annullato l'avviso";
  if (action == "alert.schedule") return "ha programmato l'invio";
  if (action == "alert.send") return "ha avviato l'invio programmato";
  if (action == "alert.expire") return "ha chiuso l'avviso, scaduto prima dell'ora programmata";
  return std::string(action);
}

// A delivery's state, as the counts name it.
std::string delivery_state_label(std::string_view s) {
  if (s == "queued") return "in coda";
  if (s == "sending") return "in invio";
  if (s == "sent") return "inviato";
  if (s == "delivered") return "consegnato";
  if (s == "read") return "letto";
  if (s == "failed") return "non riuscito";
  if (s == "cancelled") return "annullato";
  return std::string(s);
}

std::string category_label(std::string_view c) {
  if (c == "water") return "acqua";
  if (c == "roads") return "strade";
  if (c == "weather") return "meteo";
  if (c == "civil_protection") return "protezione civile";
  if (c == "health") return "salute";
  if (c == "other") return "altro";
  return std::string(c);
}

// A user limited to towns acts only on alerts that name their towns (or
// areas in them), never on one for every town.
bool may_act_on(const console_request& r, const store::alert_record& a, const domain::audience_catalogue& catalogue) {
  if (r.session.user.towns.empty()) return true;
  if (!a.audience.towns && !a.audience.areas) return false;
  auto audience = a.audience;
  return domain::limit_to_key_towns(audience, r.session.user.towns, catalogue).allowed;
}

bool may_see(const console_request& r, const store::alert_record& a, const domain::audience_catalogue& catalogue) {
  return may_see_alert(r, a, catalogue);
}

}  // namespace

bool may_see_alert(const console_request& r, const store::alert_record& a, const domain::audience_catalogue& catalogue) {
  const auto& mine = r.session.user.towns;
  if (mine.empty()) return true;
  const bool no_towns = !a.audience.towns || a.audience.towns->empty();
  const bool no_areas = !a.audience.areas || a.audience.areas->empty();
  if (no_towns && no_areas) return true;
  auto is_mine = [&mine](const std::string& town) { return std::find(mine.begin(), mine.end(), town) != mine.end(); };
  if (a.audience.towns && std::any_of(a.audience.towns->begin(), a.audience.towns->end(), is_mine)) return true;
  if (a.audience.areas)
    for (const auto& id : *a.audience.areas)
      for (const auto& area : catalogue.areas)
        if (area.id == id && is_mine(area.town_id)) return true;
  return false;
}

namespace {

bool in_progress(std::string_view state) { return state == "planning" || state == "sending"; }

// The counts per state, in the order a delivery goes through them.
json counts_list(const store::delivery_counts& c) {
  const std::pair<const char*, std::pair<const char*, std::int64_t>> rows[] = {
      {"queued", {"in coda", c.queued}},       {"sending", {"in invio", c.sending}},
      {"sent", {"inviati", c.sent}},           {"delivered", {"consegnati", c.delivered}},
      {"read", {"letti", c.read}},             {"failed", {"non riusciti", c.failed}},
      {"cancelled", {"annullati", c.cancelled}}};
  json out = json::array();
  for (const auto& [state, row] : rows) out.push_back({{"state", state}, {"label", row.first}, {"count", row.second}});
  return out;
}

// What the page and its events show of an alert's progress: the counts,
// the pace since the first send, and when the rest should have left at
// that pace.
json progress_json(const store::alert_report& r, std::int64_t now) {
  const auto& c = r.counts;
  const auto done = c.sent + c.delivered + c.read + c.failed;
  const auto left = c.queued + c.sending;
  double rate = 0;
  if (r.first_sent_at && r.last_sent_at && *r.last_sent_at > *r.first_sent_at)
    rate = static_cast<double>(done) * 1000.0 / static_cast<double>(*r.last_sent_at - *r.first_sent_at);
  json counts = json::object();
  for (const auto& row : counts_list(c)) counts[row["state"].get<std::string>()] = row["count"];
  json j = {{"state", r.alert.state},
            {"state_label", alert_state_label(r.alert.state)},
            {"in_progress", in_progress(r.alert.state)},
            {"live", r.alert.state == "scheduled" || in_progress(r.alert.state)},
            {"counts", counts},
            {"total", c.total()},
            {"rate_per_second", std::round(rate * 10) / 10},
            {"waiting_for_limit", r.waiting_for_limit},
            {"has_waiting", r.waiting_for_limit > 0},
            {"estimated_end", nullptr}};
  if (in_progress(r.alert.state) && rate > 0 && left > 0) {
    const auto end = now + static_cast<std::int64_t>(static_cast<double>(left) * 1000.0 / rate);
    j["estimated_end"] = domain::rome_time_text(end);
  }
  return j;
}

// Mustache takes an empty string as true: what is not there is null.
json time_or_null(const std::optional<std::int64_t>& t) { return t ? json(domain::rome_time_text(*t)) : json(nullptr); }

template <class Entry>
std::string names_of(const std::optional<std::vector<std::string>>& ids, const std::vector<Entry>& entries) {
  if (!ids) return "tutti";
  std::string out;
  for (const auto& id : *ids) {
    auto it = std::find_if(entries.begin(), entries.end(), [&id](const Entry& e) { return e.id == id; });
    if (!out.empty()) out += ", ";
    out += it == entries.end() ? id : it->name;
  }
  return out;
}

asio::awaitable<std::optional<store::alert_report>> report_of(console_context& ctx, console_request& r,
                                                             std::optional<std::int64_t>& id) {
  id = http::positive_id(r.http.path_params["id"]);
  std::optional<store::alert_report> out;
  if (id) out = co_await ctx.alerts->report(*id);
  // Another town's alert does not exist for a user limited to towns: the
  // same 404 as an unknown number, so its pages tell nothing of it.
  if (out && !r.session.user.towns.empty()) {
    domain::audience_catalogue catalogue;
    if (out->alert.audience.areas && ctx.audience) catalogue = co_await ctx.audience->catalogue();
    if (!may_see(r, out->alert, catalogue)) out.reset();
  }
  co_return out;
}

http::response no_such_alert(console_context& ctx, console_request& r) {
  return console_error(ctx, &r, 404, "Avviso non trovato", "Non c'è un avviso con questo numero.");
}

// Scheduled, planning or sending: its progress may still move.
bool live_state(std::string_view state) {
  return state == "scheduled" || state == "planning" || state == "sending";
}

// The progress an event shows, as its id: the state and the counts
// (never a recipient). Equal ids, equal progress.
std::string progress_event_id(const store::alert_report& r) {
  const auto& c = r.counts;
  return r.alert.state + "." + std::to_string(c.queued) + "." + std::to_string(c.sending) + "." +
         std::to_string(c.sent) + "." + std::to_string(c.delivered) + "." + std::to_string(c.read) + "." +
         std::to_string(c.failed) + "." + std::to_string(c.cancelled) + "." + std::to_string(r.waiting_for_limit);
}

asio::awaitable<void> follow_progress(console_context& ctx, std::int64_t alert_id, std::string last_sent,
                                      http::body_stream& out) {
  constexpr auto reread = std::chrono::seconds(1);
  constexpr auto min_gap = std::chrono::milliseconds(250);
  // Notified: end the wait. The subscription ends with this coroutine.
  change_notifier::subscription listening;
  if (ctx.progress) {
    auto wake = [&out] { out.wake(); };
    listening = ctx.progress->subscribe(std::move(wake));
  }
  const std::string_view retry = "retry: 5000\n\n";
  if (!co_await out.write(retry)) co_return;
  for (;;) {
    auto report = co_await ctx.alerts->report(alert_id);
    if (!report) co_return;
    const auto read_at = std::chrono::steady_clock::now();
    auto event_id = progress_event_id(*report);
    if (event_id != last_sent) {
      const auto progress = progress_json(*report, ctx.now_ms());
      const std::string event = "id: " + event_id + "\nevent: progress\ndata: " + progress.dump() + "\n\n";
      if (!co_await out.write(event)) co_return;
      last_sent = std::move(event_id);
    }
    if (!live_state(report->alert.state)) co_return;  // its end: the stream ends cleanly
    if (!co_await out.wait(reread)) co_return;
    // At most four reads a second, however often the sender notifies.
    for (auto now = std::chrono::steady_clock::now(); now < read_at + min_gap; now = std::chrono::steady_clock::now())
      if (!co_await out.wait(read_at + min_gap - now)) co_return;
  }
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
    q.within_towns = r.session.user.towns;
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
      const auto id = http::positive_id(before);
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

  add_console_page(routes, ctx, "GET", "/console/alerts/{id}", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    std::optional<std::int64_t> id;
    auto report = co_await report_of(ctx, r, id);
    if (!report) co_return no_such_alert(ctx, r);
    domain::audience_catalogue catalogue;
    if (ctx.audience) catalogue = co_await ctx.audience->catalogue();
    std::vector<store::audit_entry> audit;
    if (ctx.trail) audit = co_await ctx.trail->alert_audit(*id);

    const auto& a = report->alert;
    const auto now = ctx.now_ms();
    json errors = json::array();
    for (const auto& e : report->errors)
      errors.push_back({{"state", delivery_state_label(e.state)},
                        {"code", e.code == 0 ? json("—") : json(e.code)},
                        {"title", e.title},
                        {"count", e.count}});
    json trail = json::array();
    for (const auto& e : audit)
      trail.push_back({{"at", domain::rome_time_text(e.at)}, {"who", who_label(e.actor)}, {"what", action_label(e.action)}});
    json data = {{"title", a.title},
                 {"nav_alerts", true},
                 {"id", a.id},
                 {"alert_title", a.title},
                 {"text_html", domain::wa_markup_to_html(a.text)},
                 {"link", a.link.empty() ? json(nullptr) : json(a.link)},
                 {"category", category_label(a.category)},
                 {"severity", severity_label(a.severity)},
                 {"source", source_label(a.source)},
                 {"api_key_id", a.api_key_id ? json(*a.api_key_id) : json(nullptr)},
                 {"towns", names_of(a.audience.towns, catalogue.towns)},
                 {"topics", names_of(a.audience.topics, catalogue.topics)},
                 {"areas", names_of(a.audience.areas, catalogue.areas)},
                 {"created", domain::rome_time_text(a.created_at)},
                 {"not_before", a.not_before > a.created_at ? json(domain::rome_time_text(a.not_before)) : json(nullptr)},
                 {"expires", time_or_null(a.expires_at)},
                 {"first_sent", time_or_null(report->first_sent_at)},
                 {"last_sent", time_or_null(report->last_sent_at)},
                 {"cancelled", time_or_null(a.cancelled_at)},
                 {"finished", time_or_null(a.finished_at)},
                 {"recipients", a.planned_count},
                 {"counts", counts_list(report->counts)},
                 {"errors", errors},
                 {"has_errors", !errors.empty()},
                 {"trail", trail},
                 {"has_trail", !trail.empty()},
                 {"progress", progress_json(*report, now)}};
    const bool running = in_progress(a.state);
    data["in_progress"] = running;
    // Followed by the events until it ends, from its schedule on.
    data["live"] = running || a.state == "scheduled";
    // Without a script the page reloads itself while the alert is going
    // out; console.js follows the events instead.
    if (running) data["refresh_seconds"] = 10;
    // A scheduled alert can be cancelled until it leaves.
    const bool scheduled = a.state == "scheduled";
    data["scheduled"] = scheduled;
    data["send_at"] = time_or_null(a.send_at);
    data["can_cancel"] = (running || scheduled) && r.can(staff_role::publisher) && may_act_on(r, a, catalogue);
    co_return console_page(ctx, r, "console_alert", std::move(data));
  });

  // The same store call as POST /v1/alerts/{id}/cancel, audited as the
  // staff member.
  add_console_page(routes, ctx, "POST", "/console/alerts/{id}/cancel", staff_role::publisher,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    const auto id = http::positive_id(r.http.path_params["id"]);
    if (!id) co_return no_such_alert(ctx, r);
    const auto alert_id = *id;
    if (!r.session.user.towns.empty()) {
      const auto before = co_await ctx.alerts->report(alert_id);
      if (!before) co_return no_such_alert(ctx, r);
      domain::audience_catalogue catalogue;
      if (ctx.audience) catalogue = co_await ctx.audience->catalogue();
      if (!may_see(r, before->alert, catalogue)) co_return no_such_alert(ctx, r);
      if (!may_act_on(r, before->alert, catalogue))
        co_return console_error(ctx, &r, 403, "Accesso non consentito",
                                "Puoi annullare solo gli avvisi dei tuoi comuni.");
    }
    store::actor who{"staff:" + r.session.user.email, std::nullopt};
    auto report = co_await ctx.alerts->cancel(alert_id, std::move(who), ctx.now_ms());
    if (!report) co_return no_such_alert(ctx, r);
    log::info("alert.cancelled", {{"request_id", r.http.request_id}, {"alert_id", alert_id},
                                  {"state", report->alert.state}, {"by", "console"}});
    co_return console_redirect("/console/alerts/" + std::to_string(alert_id));
  });

  // Deliveries per minute as CSV: counts only, never a recipient.
  add_console_page(routes, ctx, "GET", "/console/alerts/{id}/report.csv", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    std::optional<std::int64_t> id;
    auto report = co_await report_of(ctx, r, id);
    if (!report) co_return no_such_alert(ctx, r);
    std::vector<store::delivery_period> periods;
    if (ctx.trail) periods = co_await ctx.trail->delivery_timeline(*id, 60 * 1000);
    std::string csv =
        "minuto,inviati,consegnati,letti,non_riusciti,inviati_in_tutto,consegnati_in_tutto,letti_in_tutto,"
        "non_riusciti_in_tutto\r\n";
    store::delivery_period sum;
    for (const auto& p : periods) {
      sum.sent += p.sent;
      sum.delivered += p.delivered;
      sum.read += p.read;
      sum.failed += p.failed;
      csv += domain::format_rfc3339_local_ms(domain::default_time_zone, p.start_ms) + "," + std::to_string(p.sent) +
             "," + std::to_string(p.delivered) + "," + std::to_string(p.read) + "," + std::to_string(p.failed) + "," +
             std::to_string(sum.sent) + "," + std::to_string(sum.delivered) + "," + std::to_string(sum.read) + "," +
             std::to_string(sum.failed) + "\r\n";
    }
    http::response res;
    res.content_type = "text/csv; charset=utf-8; header=present";
    res.body = std::move(csv);
    res.headers.push_back(
        {"Content-Disposition", "attachment; filename=\"avviso-" + std::to_string(*id) + "-consegne.csv\""});
    add_console_headers(res);
    co_return res;
  });

  // The progress as Server-Sent Events, held open: an event at each
  // change (the sender, webhook, planner and scheduler notify; without a
  // notification the report is read again each second, and never more
  // than four times a second), until the alert reaches an end (done,
  // cancelled, expired), the client leaves, the server stops or the
  // stream's lifetime ends (http/server.hpp). Each event's id is the
  // progress it shows, so a client reconnecting with Last-Event-ID gets
  // nothing it already has; one that already has an ended alert's last
  // event gets 204, which tells EventSource to stop reconnecting.
  add_console_page(routes, ctx, "GET", "/console/alerts/{id}/events", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    std::optional<std::int64_t> id;
    auto report = co_await report_of(ctx, r, id);
    if (!report) co_return no_such_alert(ctx, r);
    const std::string last_event_id(r.http.header("Last-Event-ID"));
    if (!live_state(report->alert.state) && last_event_id == progress_event_id(*report)) {
      http::response gone;
      gone.status = 204;
      gone.content_type = "text/event-stream; charset=utf-8";
      add_console_headers(gone);
      co_return gone;
    }
    http::response res;
    res.content_type = "text/event-stream; charset=utf-8";
    res.heartbeat = ": \n\n";
    add_console_headers(res);
    const auto alert_id = *id;
    res.stream = [&ctx, alert_id, last_event_id](http::body_stream& out) -> asio::awaitable<void> {
      // Named first: g++ 12 destroys temporaries of a co_await expression twice.
      auto following = follow_progress(ctx, alert_id, last_event_id, out);
      co_await std::move(following);
    };
    co_return res;
  });
}

}  // namespace banditore::app

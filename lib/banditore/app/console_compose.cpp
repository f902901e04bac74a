#include <banditore/app/console_compose.hpp>

#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_audience.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/draft_decision.hpp>
#include <banditore/domain/local_time.hpp>
#include <banditore/domain/rfc3339.hpp>
#include <banditore/domain/phone_preview.hpp>
#include <banditore/domain/preview.hpp>
#include <banditore/domain/quiet_hours.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/store/drafts.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

const std::vector<std::pair<std::string, std::string>> categories = {
    {"water", "acqua"},   {"roads", "strade"},   {"weather", "meteo"}, {"civil_protection", "protezione civile"},
    {"health", "salute"}, {"other", "altro"}};
const std::vector<std::pair<std::string, std::string>> severities = {
    {"minor", "lieve"}, {"moderate", "moderata"}, {"severe", "grave"}, {"extreme", "estrema"}};

// The form's fields by the names of POST /v1/alerts's body, for its
// error messages.
std::string field_label(std::string_view field) {
  if (field == "category") return "Categoria";
  if (field == "severity") return "Gravità";
  if (field == "title") return "Titolo";
  if (field == "text") return "Testo";
  if (field == "towns") return "Comuni";
  if (field == "topics") return "Temi";
  if (field == "areas") return "Zone";
  if (field == "send_at") return "Invio programmato";
  if (field == "expires_at") return "Scadenza";
  return std::string(field);
}

// A time typed in Rome's wall clock (<input type="datetime-local">) into
// body[key] as RFC 3339 UTC, so POST /v1/alerts's checks read it; an
// error in Italian when it is not such a time.
void put_local_time(const http::form& f, const char* field, const char* key, json& body,
                    std::vector<domain::field_error>& errors) {
  const auto text = f.get(field);
  if (text.empty()) return;
  if (auto t = domain::parse_local_input(domain::default_time_zone, text))
    body[key] = domain::format_rfc3339_utc(*t);
  else
    errors.push_back({key, "non è una data e un'ora (aaaa-mm-gg e hh:mm, ora di Roma)"});
}

// The form as POST /v1/alerts's body: the same checks read it.
json body_of(const http::form& f) {
  json body = {{"category", f.get("categoria")},
               {"severity", f.get("gravita")},
               {"title", f.get("titolo")},
               {"text", f.get("testo")}};
  auto ids = [&f, &body](const char* field, const char* key) {
    auto values = f.all(field);
    values.erase(std::remove(values.begin(), values.end(), std::string()), values.end());
    if (!values.empty()) body[key] = values;
  };
  ids("comuni", "towns");
  ids("temi", "topics");
  ids("zone", "areas");
  return body;
}

json choices(const std::vector<std::pair<std::string, std::string>>& values, const std::string& chosen) {
  json out = json::array();
  for (const auto& [value, label] : values) out.push_back({{"value", value}, {"label", label}, {"selected", value == chosen}});
  return out;
}

template <class Entry>
json boxes(const std::vector<Entry>& entries, const std::vector<std::string>& chosen, const char* prefix) {
  json out = json::array();
  for (const auto& e : entries)
    out.push_back({{"id", e.id},
                   {"input_id", std::string(prefix) + "-" + e.id},
                   {"name", e.name},
                   {"checked", std::find(chosen.begin(), chosen.end(), e.id) != chosen.end()}});
  return out;
}


// What was checked: the draft and its audience, or the errors, in the
// words of POST /v1/alerts's 422.
struct checked {
  std::optional<domain::alert_draft> draft;
  domain::alert_audience audience;
  std::vector<domain::field_error> errors;
  std::optional<std::string> forbidden;  // the user's towns do not allow it
  std::optional<std::int64_t> send_at;   // when it is to leave; nullopt: at once
};

asio::awaitable<checked> check(const alerts_context& api, const console_request& r, const json& body, const domain::audience_catalogue& catalogue, std::int64_t now) {
  checked out;
  auto validation = domain::validate_alert(body, api.limits, now);
  auto reading = domain::read_alert_audience(body);
  out.errors = validation.errors;
  out.errors.insert(out.errors.end(), reading.errors.begin(), reading.errors.end());
  if (out.errors.empty()) {
    auto unknown = domain::check_alert_audience(reading.audience, catalogue);
    out.errors.insert(out.errors.end(), unknown.begin(), unknown.end());
  }
  if (out.errors.empty()) {
    out.send_at = validation.send_at_ms;
    out.audience = std::move(reading.audience);
    const auto verdict = domain::limit_to_key_towns(out.audience, r.session.user.towns, catalogue);
    if (!verdict.allowed) out.forbidden = verdict.detail;
    out.draft = std::move(validation.draft);
  }
  co_return out;
}

// The page, empty or with what was typed; with a preview, the errors, or
// the alert sent, as action asks ("" for the empty page).
asio::awaitable<http::response> compose_page(console_context& ctx, const alerts_context& api, console_request& r,
                                             const http::form& f, std::string action) {
    const auto now = ctx.now_ms();
    domain::audience_catalogue catalogue;
    if (ctx.audience) catalogue = co_await ctx.audience->catalogue();
    auto body = body_of(f);
    std::vector<domain::field_error> time_errors;
    put_local_time(f, "invio", "send_at", body, time_errors);
    put_local_time(f, "scadenza", "expires_at", body, time_errors);
    json data = {{"title", "Nuovo avviso"},
                 {"nav_compose", true},
                 {"categories", choices(categories, f.has("categoria") ? f.get("categoria") : "other")},
                 {"severities", choices(severities, f.has("gravita") ? f.get("gravita") : "moderate")},
                 {"alert_title", f.get("titolo")},
                 {"text", f.get("testo")},
                 {"towns", boxes(catalogue.towns, f.all("comuni"), "comune")},
                 {"topics", boxes(catalogue.topics, f.all("temi"), "tema")},
                 {"areas", boxes(catalogue.areas, f.all("zone"), "zona")},
                 {"has_towns", !catalogue.towns.empty()},
                 {"has_topics", !catalogue.topics.empty()},
                 {"has_areas", !catalogue.areas.empty()},
                 {"send_at", f.get("invio")},
                 {"expires_at", f.get("scadenza")},
                 {"min_time", domain::format_local_input(domain::default_time_zone, now)},
                 {"title_limit", domain::max_title}};
    int status = 200;
    if (action.empty()) co_return console_page(ctx, r, "console_compose", std::move(data), status);

    auto c = co_await check(api, r, body, catalogue, now);
    // A time that could not be read is said as such, not as a missing one.
    c.errors.insert(c.errors.begin(), time_errors.begin(), time_errors.end());
    if (!time_errors.empty()) c.draft.reset();
    if (!c.errors.empty() || c.forbidden) {
      json errors = json::array();
      for (const auto& e : c.errors) {
        const bool italian = std::find_if(time_errors.begin(), time_errors.end(), [&e](const auto& t) {
                               return t.field == e.field && t.reason == e.reason;
                             }) != time_errors.end();
        errors.push_back({{"field", field_label(e.field)}, {"reason", italian ? e.reason : e.field + " " + e.reason}});
      }
      if (c.forbidden) errors.push_back({{"field", "Comuni"}, {"reason", *c.forbidden}});
      data["errors"] = errors;
      data["has_errors"] = true;
      co_return console_page(ctx, r, "console_compose", std::move(data), c.forbidden && c.errors.empty() ? 403 : 422);
    }
    const auto& d = *c.draft;

    if (action == "bozza") {
      if (!ctx.drafts)
        co_return console_error(ctx, &r, 503, "Bozze non disponibili", "Le bozze non si possono salvare ora.");
      // A person's draft, as POST /v1/drafts writes it: its whole audience,
      // its author (who then cannot approve it).
      store::draft_content content;
      content.alert = d;
      content.audience = c.audience;
      content.send_at = c.send_at;
      store::actor who{"staff:" + r.session.user.email, std::nullopt};
      const auto id = (co_await ctx.drafts->create_draft(std::move(content), "staff", std::move(who), false, now)).id;
      log::info("draft.saved", {{"request_id", r.http.request_id}, {"draft_id", id}, {"by", "console"}});
      // Its page, where its author asks for its approval.
      co_return console_redirect("/console/drafts/" + std::to_string(id));
    }

    if (action == "invia") {
      if (!r.can(staff_role::publisher))
        co_return console_error(ctx, &r, 403, "Accesso non consentito",
                                "Solo chi pubblica può inviare un avviso; salva una bozza.");
      // The approval rule (BANDITORE_APPROVAL_RULE) holds here as on
      // POST /v1/alerts: an alert it asks a second person for is not sent
      // from this form, unless the role may bypass it (admin), and then
      // the audit log records the bypass as such.
      const auto role = r.role == staff_role::admin ? "admin" : r.role == staff_role::publisher ? "publisher" : "editor";
      const auto how = domain::send_without_approval(api.approval, d.category, d.level, domain::powers_of_role(role));
      if (!how) {
        json errors = json::array();
        errors.push_back({{"field", "Approvazione"},
                          {"reason", "la regola di approvazione (" + api.approval.text() +
                                         ") chiede una seconda persona per questo avviso: salva la bozza e "
                                         "chiedine l'approvazione"}});
        data["errors"] = errors;
        data["has_errors"] = true;
        co_return console_page(ctx, r, "console_compose", std::move(data), 403);
      }
      store::new_alert a;
      if (*how == domain::draft_send::bypass) a.decision = store::new_alert::draft_decision{*how, 0};
      a.draft = d;
      a.audience = c.audience;
      a.source = "console";
      a.not_before = now;
      a.send_at = c.send_at;
      if (api.duplicate_window_ms > 0) a.duplicate_since = now - api.duplicate_window_ms;
      if (api.quiet_hours && d.level == domain::severity::minor) {
        domain::quiet_hours q{api.quiet_hours->first, api.quiet_hours->second};
        // Quiet hours at the time it leaves.
        if (auto until = domain::quiet_until(q, c.send_at.value_or(now))) a.not_before = *until;
      }
      store::actor who{"staff:" + r.session.user.email, std::nullopt};
      const auto tier = api.tier_limit;
      auto out = co_await ctx.alerts->create(std::move(a), std::move(who), tier, now);
      if (out.result.outcome == store::create_outcome::duplicate) {
        json errors = json::array();
        errors.push_back({{"field", "Avviso"},
                          {"reason", "lo stesso avviso è stato inviato pochi minuti fa (n. " +
                                         std::to_string(out.result.id) + ")"}});
        data["errors"] = errors;
        data["has_errors"] = true;
        co_return console_page(ctx, r, "console_compose", std::move(data), 409);
      }
      if (out.result.outcome != store::create_outcome::created && out.result.outcome != store::create_outcome::replayed)
        co_return console_error(ctx, &r, 409, "Avviso non inviato", "L'avviso non si può creare ora; riprova.");
      log::info("alert.created", {{"request_id", r.http.request_id}, {"alert_id", out.result.id},
                                  {"severity", std::string(domain::to_string(d.level))}, {"by", "console"}});
      if (api.alerts_changed) api.alerts_changed();
      co_return console_redirect("/console/alerts/" + std::to_string(out.result.id));
    }

    // The preview: the phone in both forms, and the figures of
    // POST /v1/alerts/preview.
    domain::alert_content content;
    content.level = d.level;
    content.title = d.title;
    content.text = d.text;
    content.link = d.link;
    content.issued_at_ms = now;
    data["phone"] = console_phone(content, d.category, api.phone);

    const auto tier = api.tier_limit;
    auto counts = co_await ctx.alerts->preview(c.audience, d.level, tier, now);
    domain::number_load load;
    load.number = api.phone_number_id;
    load.recipients = counts.audience.recipients;
    load.outside_window = counts.audience.outside_window;
    load.messages_per_second = api.messages_per_second;
    std::vector<domain::messaging_limit> limits;
    if (tier > 0) limits.push_back({"", tier, counts.usage.used, counts.usage.frees_at});
    const auto e = domain::estimate_preview({load}, limits, api.price, now);
    json figures = {{"recipients", e.recipients}, {"templates", e.templates}, {"free_form", e.free_form},
                    {"has_waiting", e.waiting_for_limit > 0}, {"waiting", e.waiting_for_limit}};
    if (e.seconds) {
      const auto minutes = static_cast<std::int64_t>(std::ceil(*e.seconds / 60));
      figures["minutes"] = minutes <= 1 ? std::string("circa un minuto") : "circa " + std::to_string(minutes) + " minuti";
    }
    if (e.first_frees_at_ms) figures["first_frees_at"] = domain::rome_time_text(*e.first_frees_at_ms);
    if (e.all_sent_by_ms) figures["all_sent_by"] = domain::rome_time_text(*e.all_sent_by_ms);
    if (e.cost) {
      char amount[32];
      std::snprintf(amount, sizeof amount, "%.2f", *e.cost);
      figures["cost"] = std::string(amount) + " " + e.currency;
    }
    data["figures"] = figures;
    data["previewed"] = true;
    co_return console_page(ctx, r, "console_compose", std::move(data), status);
}

}  // namespace

namespace {
json counted(const domain::counted_text& c) {
  return {{"html", c.html}, {"chars", c.chars}, {"limit", c.limit}, {"fits", c.fits()}, {"over", !c.fits()}};
}
}  // namespace

json console_phone(const domain::alert_content& content, std::string_view category, const domain::phone_forms& forms) {
  const auto view = domain::phone_preview(content, category, forms);
  json phone = {{"free_text", counted(view.free_text)}, {"caption", view.caption}};
  if (view.templ) {
    json params = json::array();
    for (const auto& p : view.templ->parameters)
      params.push_back({{"name", p.name}, {"value", p.value}, {"chars", p.chars}, {"invalid", !p.valid}});
    phone["template"] = {{"name", view.templ->name},
                         {"body_known", view.templ->body_known},
                         {"parameters", params},
                         {"body", counted(view.templ->body)}};
  }
  return phone;
}

void add_console_compose_routes(http::router& routes, console_context& ctx, const alerts_context& api) {
  add_console_page(routes, ctx, "GET", "/console/compose", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     const http::form empty;
                     std::string none;
                     auto res = co_await compose_page(ctx, api, r, empty, std::move(none));
                     co_return res;
                   });
  add_console_page(routes, ctx, "POST", "/console/compose", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     auto action = r.form.get("azione");
                     if (action != "invia" && action != "bozza") action = "anteprima";
                     auto res = co_await compose_page(ctx, api, r, r.form, std::move(action));
                     co_return res;
                   });
}

}  // namespace banditore::app

#include <banditore/app/console_compose.hpp>

#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_audience.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/draft_decision.hpp>
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
  return std::string(field);
}

// The form as POST /v1/alerts's body: the same checks read it.
json body_of(const http::form& f) {
  json body = {{"category", f.get("categoria")},
               {"severity", f.get("gravita")},
               {"title", f.get("titolo")},
               {"text", f.get("testo")}};
  if (!f.get("collegamento").empty()) body["link"] = f.get("collegamento");
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
    out.audience = std::move(reading.audience);
    const auto verdict = domain::limit_to_key_towns(out.audience, r.session.user.towns, catalogue);
    if (!verdict.allowed) out.forbidden = verdict.detail;
    out.draft = std::move(validation.draft);
  }
  co_return out;
}

}  // namespace

// The page, empty or with what was typed; with a preview, the errors, or
// the alert sent, as action asks ("" for the empty page). editing: the
// draft the form rewrites (its edit page), nullptr for a new alert.
asio::awaitable<http::response> compose_page(console_context& ctx, const alerts_context& api, console_request& r,
                                             const http::form& f, std::string action,
                                             const store::draft_record* editing) {
    const auto now = ctx.now_ms();
    domain::audience_catalogue catalogue;
    if (ctx.audience) catalogue = co_await ctx.audience->catalogue();
    const auto body = body_of(f);
    json data = {{"title", editing ? "Modifica la bozza n. " + std::to_string(editing->id) : std::string("Nuovo avviso")},
                 {"nav_compose", editing == nullptr},
                 {"nav_drafts", editing != nullptr},
                 {"form_action", editing ? "/console/drafts/" + std::to_string(editing->id) + "/edit"
                                         : std::string("/console/compose")},
                 {"editing", editing != nullptr},
                 {"link", f.get("collegamento")},
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
                 {"title_limit", domain::max_title}};
    if (editing) {
      data["draft_id"] = editing->id;
      data["revision"] = f.get("revisione");
    }
    int status = 200;
    if (action.empty()) co_return console_page(ctx, r, "console_compose", std::move(data), status);

    auto c = co_await check(api, r, body, catalogue, now);
    if (!c.errors.empty() || c.forbidden) {
      json errors = json::array();
      for (const auto& e : c.errors)
        errors.push_back({{"field", field_label(e.field)}, {"reason", e.field + " " + e.reason}});
      if (c.forbidden) errors.push_back({{"field", "Comuni"}, {"reason", *c.forbidden}});
      data["errors"] = errors;
      data["has_errors"] = true;
      co_return console_page(ctx, r, "console_compose", std::move(data), c.forbidden && c.errors.empty() ? 403 : 422);
    }
    const auto& d = *c.draft;

    if (editing && action == "salva") {
      // What the form does not show stays as it was: the expiry, when to
      // send it, whether it is published.
      store::draft_content content;
      content.alert = d;
      content.alert.expires_at_ms = editing->expires_at;
      content.audience = c.audience;
      content.send_at = editing->send_at;
      content.publish = editing->publish;
      store::actor who{"staff:" + r.session.user.email, std::nullopt};
      const auto id = editing->id;
      const auto revision = http::positive_id(f.get("revisione"));
      if (!revision)
        co_return console_error(ctx, &r, 422, "Modulo non valido", "Il modulo non dice quale revisione hai letto.");
      auto change = co_await ctx.drafts->update_draft(id, std::move(content), std::move(who), now, *revision);
      switch (change.outcome) {
        case store::draft_outcome::done: break;
        case store::draft_outcome::not_found:
          co_return console_error(ctx, &r, 404, "Bozza non trovata", "Non c'è una bozza con questo numero.");
        case store::draft_outcome::stale:
          co_return stale_draft_page(ctx, r, change.draft->revision);
        case store::draft_outcome::wrong_state:
          co_return console_error(ctx, &r, 409, "Non si può modificare ora",
                                  "Si modifica solo una bozza o una bozza rifiutata; questa è già in attesa di "
                                  "approvazione, inviata o scartata.");
      }
      log::info("draft.updated", {{"request_id", r.http.request_id}, {"draft_id", id},
                                  {"revision", change.draft->revision}, {"by", "console"}});
      co_return console_redirect("/console/drafts/" + std::to_string(id));
    }

    if (action == "bozza" && !editing) {
      if (!ctx.drafts)
        co_return console_error(ctx, &r, 503, "Bozze non disponibili", "Le bozze non si possono salvare ora.");
      // A person's draft, as POST /v1/drafts writes it: its whole audience,
      // its author (who then cannot approve it).
      store::draft_content content;
      content.alert = d;
      content.audience = c.audience;
      store::actor who{"staff:" + r.session.user.email, std::nullopt};
      const auto id = (co_await ctx.drafts->create_draft(std::move(content), "staff", std::move(who), false, now)).id;
      log::info("draft.saved", {{"request_id", r.http.request_id}, {"draft_id", id}, {"by", "console"}});
      // Its page, where its author asks for its approval.
      co_return console_redirect("/console/drafts/" + std::to_string(id));
    }

    if (action == "invia" && !editing) {
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
      if (api.duplicate_window_ms > 0) a.duplicate_since = now - api.duplicate_window_ms;
      if (api.quiet_hours && d.level == domain::severity::minor) {
        domain::quiet_hours q{api.quiet_hours->first, api.quiet_hours->second};
        if (auto until = domain::quiet_until(q, now)) a.not_before = *until;
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

namespace {
json counted(const domain::counted_text& c) {
  return {{"html", c.html}, {"chars", c.chars}, {"limit", c.limit}, {"fits", c.fits()}, {"over", !c.fits()}};
}
}  // namespace

http::response stale_draft_page(console_context& ctx, console_request& r, std::int64_t revision) {
  return console_error(ctx, &r, 409, "La bozza è cambiata",
                       "Qualcuno ha modificato la bozza dopo che l'hai aperta (ora è alla revisione " +
                           std::to_string(revision) + "). Riaprila, rileggila e decidi su quello che dice ora.");
}

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
                     auto res = co_await compose_page(ctx, api, r, empty, std::move(none), nullptr);
                     co_return res;
                   });
  add_console_page(routes, ctx, "POST", "/console/compose", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     auto action = r.form.get("azione");
                     if (action != "invia" && action != "bozza") action = "anteprima";
                     auto res = co_await compose_page(ctx, api, r, r.form, std::move(action), nullptr);
                     co_return res;
                   });
}

}  // namespace banditore::app

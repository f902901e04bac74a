#include <banditore/app/console_compose.hpp>

#include <banditore/app/alert_submission.hpp>
#include <banditore/app/console_drafts.hpp>

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
#include <banditore/store/media.hpp>
#include <banditore/domain/media_rules.hpp>

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
  if (field == "media") return "Allegato";
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


// A document's name when none is given, as POST /v1/media names it.
constexpr std::string_view default_document_name = "avviso.pdf";

// "350 kB", "1,2 MB": a file's size as the phone's document card shows it.
std::string size_text(std::int64_t bytes) {
  char out[32];
  if (bytes < 1000) std::snprintf(out, sizeof out, "%lld byte", static_cast<long long>(bytes));
  else if (bytes < 1000 * 1000) std::snprintf(out, sizeof out, "%lld kB", static_cast<long long>((bytes + 500) / 1000));
  else std::snprintf(out, sizeof out, "%.1f MB", static_cast<double>(bytes) / 1e6);
  std::string text(out);
  std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

}  // namespace

json console_attachment(const store::media_record& m) {
  const bool document = m.mime_type == "application/pdf";
  return {{"id", m.id},
          {"image", !document},
          {"document", document},
          {"filename", m.filename},
          {"size", size_text(m.size)},
          {"src", "/console/media/" + std::to_string(m.id)}};
}

// The page, empty or with what was typed; with a preview, the errors, or
// the alert sent, as action asks ("" for the empty page). editing: the
// draft the form rewrites (its edit page), nullptr for a new alert.
asio::awaitable<http::response> compose_page(console_context& ctx, const alerts_context& api, console_request& r,
                                             const http::form& f, std::string action,
                                             const store::draft_record* editing) {
    const auto now = ctx.now_ms();
    domain::audience_catalogue catalogue;
    if (ctx.audience) catalogue = co_await ctx.audience->catalogue();
    auto body = body_of(f);
    std::vector<domain::field_error> time_errors;
    put_local_time(f, "invio", "send_at", body, time_errors);
    put_local_time(f, "scadenza", "expires_at", body, time_errors);
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
                 {"send_at", f.get("invio")},
                 {"expires_at", f.get("scadenza")},
                 {"min_time", domain::format_local_input(domain::default_time_zone, now)},
                 {"title_limit", domain::max_title}};
    if (editing) {
      data["draft_id"] = editing->id;
      data["revision"] = f.get("revisione");
    }
    int status = 200;
    if (action.empty()) {
      // A draft's edit page opens with the draft's attachment, kept unless
      // «togli l'allegato» is ticked or another file is chosen.
      if (f.has("allegato_id") && api.media) {
        std::optional<store::media_record> kept;
        if (const auto id = http::positive_id(f.get("allegato_id"))) kept = co_await api.media->media_info(*id);
        if (kept) data["attachment"] = console_attachment(*kept);
      }
      co_return console_page(ctx, r, "console_compose", std::move(data), status);
    }

    // Refused as POST /v1/alerts refuses it: a 422 page with the API's
    // reasons, or 403 when the user's towns do not allow the audience.
    // A time that could not be read is said in Italian, as such, not as
    // a missing one; the API's reasons are in its own words.
    auto italian = [&time_errors](const domain::field_error& e) {
      return std::find_if(time_errors.begin(), time_errors.end(), [&e](const auto& t) {
               return t.field == e.field && t.reason == e.reason;
             }) != time_errors.end();
    };
    auto refuse = [&ctx, &r, &data, &italian](const std::vector<domain::field_error>& errors,
                                    const std::optional<std::string>& forbidden) {
      json list = json::array();
      for (const auto& e : errors)
        list.push_back({{"field", field_label(e.field)},
                        {"reason", e.field == "media" || italian(e) ? e.reason : e.field + " " + e.reason}});
      if (forbidden) list.push_back({{"field", "Comuni"}, {"reason", *forbidden}});
      data["errors"] = list;
      data["has_errors"] = true;
      return console_page(ctx, r, "console_compose", std::move(data), forbidden && errors.empty() ? 403 : 422);
    };
    if (!time_errors.empty()) co_return refuse(time_errors, std::nullopt);

    // The attachment: a file chosen now, checked and stored as POST
    // /v1/media takes it, or the one an earlier press of the form stored
    // (allegato_id), unless "togli_allegato" drops it. The alert then
    // names it ("media"), so its text is counted as a caption.
    std::optional<store::media_record> attachment;
    http::form_file* file = nullptr;
    for (auto& x : r.files)
      if (x.field == "allegato" && !(x.filename.empty() && x.bytes.empty())) file = &x;
    if (file || (f.has("allegato_id") && f.get("togli_allegato").empty())) {
      if (!api.media)
        co_return console_error(ctx, &r, 503, "Allegati non disponibili", "Gli allegati non si possono salvare ora.");
    }
    if (file) {
      // A browser names the type by the file's extension, and one it does
      // not know as application/octet-stream: that says nothing, so the
      // bytes alone decide. Any other type must agree with them.
      std::string_view declared = file->content_type;
      if (declared.substr(0, declared.find(';')) == "application/octet-stream") declared = {};
      const auto media_check = domain::check_media(file->bytes, declared);
      if (!media_check.kind) {
        const std::vector<domain::field_error> errors = {{"media", media_check.reason}};
        co_return refuse(errors, std::nullopt);
      }
      store::new_media upload;
      upload.kind = *media_check.kind;
      if (upload.kind == domain::media_kind::pdf) {
        // The name the phone shows under the document: the file's own,
        // without a path some browsers still send.
        auto name = std::string_view(file->filename);
        if (const auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) name.remove_prefix(slash + 1);
        upload.filename = name.empty() ? std::string(default_document_name) : std::string(name);
        if (!domain::valid_document_filename(upload.filename)) {
          const std::vector<domain::field_error> errors = {
              {"media", "il nome del documento deve avere da 1 a 240 caratteri, finire in .pdf e non contenere / \\ "
                        "o caratteri di controllo"}};
          co_return refuse(errors, std::nullopt);
        }
      }
      upload.bytes = std::move(file->bytes);
      store::actor who{"staff:" + r.session.user.email, std::nullopt};
      auto stored = co_await api.media->store_media(std::move(upload), std::move(who), now);
      if (stored.created)
        log::info("media.stored", {{"request_id", r.http.request_id}, {"media_id", stored.media.id},
                                   {"mime_type", stored.media.mime_type}, {"size", stored.media.size}, {"by", "console"}});
      attachment = std::move(stored.media);
    } else if (f.has("allegato_id") && f.get("togli_allegato").empty()) {
      const auto id = http::positive_id(f.get("allegato_id"));
      if (id) attachment = co_await api.media->media_info(*id);
      if (!attachment) {
        const std::vector<domain::field_error> errors = {{"media", "l'allegato scelto prima non c'è più: sceglilo di nuovo"}};
        co_return refuse(errors, std::nullopt);
      }
    }
    if (attachment) {
      body["media"] = attachment->id;
      data["attachment"] = console_attachment(*attachment);
    }

    if (action == "invia" && !editing) {
      if (!r.can(staff_role::publisher))
        co_return console_error(ctx, &r, 403, "Accesso non consentito",
                                "Solo chi pubblica può inviare un avviso; salva una bozza.");
      // POST /v1/alerts's own checks, approval rule, creation and audit
      // (app/alert_submission.hpp), as the staff member: the rule holds
      // here as there, and an admin's bypass is audited as such.
      const auto role = r.role == staff_role::admin ? "admin" : r.role == staff_role::publisher ? "publisher" : "editor";
      alert_sender sender;
      sender.who = {"staff:" + r.session.user.email, std::nullopt};
      sender.towns = r.session.user.towns;
      sender.powers = domain::powers_of_role(role);
      sender.source = "console";
      sender.request_id = r.http.request_id;
      std::string no_key;
      auto sent = co_await submit_alert(api, std::move(sender), body, std::move(no_key), now);
      switch (sent.outcome) {
        case submission_outcome::invalid: {
          const std::optional<std::string> allowed;
          co_return refuse(sent.errors, allowed);
        }
        case submission_outcome::forbidden: {
          const std::optional<std::string> why = sent.detail;
          co_return refuse({}, why);
        }
        case submission_outcome::approval_required: {
          json errors = json::array();
          errors.push_back({{"field", "Approvazione"},
                            {"reason", "la regola di approvazione (" + api.approval_now().text() +
                                           ") chiede una seconda persona per questo avviso: salva la bozza e "
                                           "chiedine l'approvazione"}});
          data["errors"] = errors;
          data["has_errors"] = true;
          co_return console_page(ctx, r, "console_compose", std::move(data), 403);
        }
        case submission_outcome::draft_gone:
        case submission_outcome::stored:
          break;
      }
      const auto& out = sent.created;
      if (sent.outcome == submission_outcome::stored && out.result.outcome == store::create_outcome::duplicate) {
        json errors = json::array();
        errors.push_back({{"field", "Avviso"},
                          {"reason", "lo stesso avviso è stato inviato pochi minuti fa (n. " +
                                         std::to_string(out.result.id) + ")"}});
        data["errors"] = errors;
        data["has_errors"] = true;
        co_return console_page(ctx, r, "console_compose", std::move(data), 409);
      }
      if (sent.outcome != submission_outcome::stored || (out.result.outcome != store::create_outcome::created &&
                                                         out.result.outcome != store::create_outcome::replayed))
        co_return console_error(ctx, &r, 409, "Avviso non inviato", "L'avviso non si può creare ora; riprova.");
      co_return console_redirect("/console/alerts/" + std::to_string(out.result.id));
    }

    std::vector<domain::field_error> none;  // named: g++ 12 destroys a temporary in a co_await expression twice
    auto c = co_await check_alert(api, body, r.session.user.towns, now, std::move(none));
    if (!c.ok()) co_return refuse(c.errors, c.forbidden);
    const auto& d = *c.validation.draft;

    // The draft keeps the attachment the form ends with: the one it had,
    // a file chosen now, or none when «togli l'allegato» was ticked.
    const std::vector<domain::field_error> attachment_gone = {
        {"media", "l'allegato scelto non c'è più: sceglilo di nuovo"}};
    if (editing && action == "salva") {
      // What the form does not show stays as it was: the expiry, when to
      // send it, whether it is published; the form's «Quando», when filled,
      // sets the first two.
      store::draft_content content;
      content.alert = d;
      if (f.get("scadenza").empty()) content.alert.expires_at_ms = editing->expires_at;
      content.audience = c.audience;
      content.send_at = f.get("invio").empty() ? editing->send_at : c.validation.send_at_ms;
      content.publish = editing->publish;
      if (attachment) content.media_id = attachment->id;
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
        case store::draft_outcome::media_unknown:
          co_return refuse(attachment_gone, std::nullopt);
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
      content.send_at = c.validation.send_at_ms;
      if (attachment) content.media_id = attachment->id;
      store::actor who{"staff:" + r.session.user.email, std::nullopt};
      std::string source = "staff";  // named: g++ 12 destroys a temporary in a co_await expression twice
      auto created = co_await ctx.drafts->create_draft(std::move(content), std::move(source), std::move(who), false, now);
      if (created.outcome == store::draft_outcome::media_unknown) co_return refuse(attachment_gone, std::nullopt);
      const auto id = created.draft->id;
      log::info("draft.saved", {{"request_id", r.http.request_id}, {"draft_id", id}, {"by", "console"}});
      // Its page, where its author asks for its approval.
      co_return console_redirect("/console/drafts/" + std::to_string(id));
    }

    // The preview: the phone in both forms, and the figures of
    // POST /v1/alerts/preview.
    domain::alert_content content;
    content.level = d.level;
    content.title = d.title;
    content.text = d.text;
    content.link = d.link;
    content.issued_at_ms = now;
    data["phone"] = console_phone(content, d.category, api.phone,
                                  attachment ? std::string_view(attachment->mime_type) : std::string_view{});

    const auto tier = api.tier_limit;
    auto counts = co_await ctx.alerts->preview(c.audience, d.level, tier, now);
    // The same plan as POST /v1/alerts/preview: with several numbers, each
    // number's share at its pace and each portfolio's limit by its own use.
    const auto plan = plan_preview(api, counts);
    const auto e = domain::estimate_preview(plan.loads, plan.limits, api.price, now);
    json figures = {{"recipients", e.recipients}, {"templates", e.templates}, {"free_form", e.free_form},
                    {"has_waiting", e.waiting_for_limit > 0}, {"waiting", e.waiting_for_limit}};
    auto minutes_text = [](double seconds) {
      const auto minutes = static_cast<std::int64_t>(std::ceil(seconds / 60));
      return minutes <= 1 ? std::string("circa un minuto") : "circa " + std::to_string(minutes) + " minuti";
    };
    if (e.seconds) figures["minutes"] = minutes_text(*e.seconds);
    if (e.first_frees_at_ms) figures["first_frees_at"] = domain::rome_time_text(*e.first_frees_at_ms);
    if (e.all_sent_by_ms) figures["all_sent_by"] = domain::rome_time_text(*e.all_sent_by_ms);
    if (!api.numbers.empty() && !counts.audience.numbers.empty()) {
      // Several numbers: each one's share and time (they send in
      // parallel), and each portfolio's limit, shared by its numbers.
      json numbers = json::array();
      for (std::size_t i = 0; i < plan.loads.size(); ++i) {
        const auto& l = plan.loads[i];
        // Named apart from the whole's figures: a section finds a missing
        // name in the enclosing context.
        json n = {{"id", l.number}, {"number_recipients", l.recipients}, {"number_templates", l.outside_window},
                  {"paced", e.numbers[i].seconds.has_value()}};
        if (e.numbers[i].seconds) n["number_minutes"] = minutes_text(*e.numbers[i].seconds);
        numbers.push_back(std::move(n));
      }
      figures["has_numbers"] = !numbers.empty();
      figures["numbers"] = std::move(numbers);
      json portfolios = json::array();
      for (const auto& p : e.portfolios) {
        json one = {{"portfolio", p.portfolio}, {"tier", p.limit}, {"used", p.used},
                    {"outside_window", p.outside_window}, {"portfolio_waiting", p.waiting},
                    {"holds_back", p.waiting > 0}};
        if (p.first_frees_at_ms) one["frees_at"] = domain::rome_time_text(*p.first_frees_at_ms);
        if (p.all_sent_by_ms) one["sent_by"] = domain::rome_time_text(*p.all_sent_by_ms);
        portfolios.push_back(std::move(one));
      }
      figures["has_portfolios"] = !portfolios.empty();
      figures["portfolios"] = std::move(portfolios);
    }
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

json console_phone(const domain::alert_content& content, std::string_view category, const domain::phone_forms& forms,
                   std::string_view media_mime_type) {
  const auto view = domain::phone_preview(content, category, forms, media_mime_type);
  json phone = {{"free_text", counted(view.free_text)}, {"caption", view.caption}};
  if (view.templ) {
    json params = json::array();
    for (const auto& p : view.templ->parameters)
      params.push_back({{"name", p.name}, {"value", p.value}, {"chars", p.chars}, {"invalid", !p.valid}});
    phone["template"] = {{"name", view.templ->name},
                         {"body_known", view.templ->body_known},
                         {"parameters", params},
                         {"body", counted(view.templ->body)}};
    // The page says which template they get outside the window, and
    // whether it carries the attachment.
    if (view.templ->with_attachment) {
      phone["template"]["with_attachment"] = *view.templ->with_attachment;
      phone["template"]["without_attachment"] = !*view.templ->with_attachment;
    }
  }
  return phone;
}

// Whether a user limited to towns may open a stored attachment: one that
// no alert or draft carries yet (an upload in progress) or that one of
// theirs carries, an alert they may see or a draft they may reach; not
// one only another town's alerts and drafts carry.
asio::awaitable<bool> may_open_media(console_context& ctx, const alerts_context& api, const console_request& r,
                                     std::int64_t media_id) {
  if (r.session.user.towns.empty() || !api.media) co_return true;
  const auto users = co_await api.media->users_of_media(media_id);
  if (users.alert_ids.empty() && users.draft_ids.empty()) co_return true;
  domain::audience_catalogue catalogue;
  if (ctx.audience) catalogue = co_await ctx.audience->catalogue();
  if (api.alerts)
    for (const auto id : users.alert_ids) {
      auto report = co_await api.alerts->report(id);
      if (report && may_see_alert(r, report->alert, catalogue)) co_return true;
    }
  if (ctx.drafts)
    for (const auto id : users.draft_ids) {
      auto draft = co_await ctx.drafts->draft(id);
      if (draft && may_reach_draft(r, *draft, catalogue)) co_return true;
    }
  co_return false;
}

asio::awaitable<http::response> console_compose_page(console_context& ctx, const alerts_context& api,
                                                     console_request& r, const http::form& fields) {
  std::string none;
  auto res = co_await compose_page(ctx, api, r, fields, std::move(none), nullptr);
  co_return res;
}

void add_console_compose_routes(http::router& routes, console_context& ctx, const alerts_context& api) {
  // An attachment's bytes for the phone's preview: an image shown as it
  // will arrive, a PDF downloaded rather than opened inside the console.
  add_console_page(routes, ctx, "GET", "/console/media/{id}", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     const auto id = http::positive_id(r.http.path_params["id"]);
                     std::optional<store::media_record> info;
                     if (id && api.media) info = co_await api.media->media_info(*id);
                     // Another town's attachment does not exist for a user
                     // limited to towns, as its alert does not.
                     if (info) {
                       const bool theirs = co_await may_open_media(ctx, api, r, info->id);
                       if (!theirs) info.reset();
                     }
                     std::optional<std::string> bytes;
                     if (info) bytes = co_await api.media->media_content(info->id);
                     if (!bytes)
                       co_return console_error(ctx, &r, 404, "Allegato non trovato",
                                               "Non c'è un allegato con questo numero.");
                     http::response res;
                     res.status = 200;
                     res.content_type = info->mime_type;
                     res.body = std::move(*bytes);
                     add_console_headers(res);
                     if (info->mime_type == "application/pdf")
                       res.headers.push_back({"Content-Disposition", "attachment"});
                     co_return res;
                   });

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

#include <banditore/app/console_drafts.hpp>

#include <banditore/app/console_compose.hpp>
#include <banditore/app/draft_approval.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_audience.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/draft_decision.hpp>
#include <banditore/domain/local_time.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/store/drafts.hpp>
#include <banditore/store/media.hpp>

#include <nlohmann/json.hpp>

#include <charconv>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

bool may_reach_draft(const console_request& r, const store::draft_record& d,
                     const domain::audience_catalogue& catalogue) {
  return draft_within_towns(d, r.session.user.towns, catalogue);
}

namespace {

constexpr std::size_t list_size = 50;

// The catalogue a town-limited user's draft is judged with: its areas
// say which town each belongs to. Not read for a user of every town.
asio::awaitable<domain::audience_catalogue> catalogue_for(console_context& ctx, const console_request& r) {
  domain::audience_catalogue catalogue;
  if (!r.session.user.towns.empty() && ctx.audience) catalogue = co_await ctx.audience->catalogue();
  co_return catalogue;
}

http::response other_towns_draft(console_context& ctx, console_request& r) {
  return console_error(ctx, &r, 403, "Accesso non consentito",
                       "Questa bozza non è per i tuoi comuni (o è per tutti i comuni): puoi aprire e modificare solo "
                       "le bozze dei tuoi comuni.");
}

// The draft of the path, or the page that says why not: 404 without
// one, 403 when it is outside the user's towns.
struct found_draft {
  std::optional<store::draft_record> draft;
  std::optional<http::response> refusal;
};

std::string state_label(std::string_view state) {
  if (state == store::draft_pending) return "in attesa di approvazione";
  if (state == store::draft_rejected) return "rifiutata";
  if (state == store::draft_sent) return "inviata";
  if (state == store::draft_discarded) return "scartata";
  return "bozza";
}

// An actor's name as people read it: "staff:m.rossi@comune.it" is the
// address, "key:anna" the API key.
std::string person_label(std::string_view name) {
  if (name.empty()) return "—";
  if (name.rfind("staff:", 0) == 0) return std::string(name.substr(6));
  if (name.rfind("key:", 0) == 0) return "chiave API «" + std::string(name.substr(4)) + "»";
  return std::string(name);
}

std::string actor_name(const console_request& r) { return "staff:" + r.session.user.email; }

bool needs_approval(const alerts_context& api, const store::draft_record& d) {
  const auto level = domain::parse_severity(d.severity);
  return !level || api.approval_now().needs_approval(d.category, *level);
}

http::response no_such_draft(console_context& ctx, console_request& r) {
  return console_error(ctx, &r, 404, "Bozza non trovata", "Non c'è una bozza con questo numero.");
}

asio::awaitable<found_draft> draft_of_path(console_context& ctx, console_request& r) {
  found_draft out;
  const auto id = http::positive_id(r.http.path_params["id"]);
  if (id && ctx.drafts) out.draft = co_await ctx.drafts->draft(*id);
  if (!out.draft) {
    out.refusal = no_such_draft(ctx, r);
    co_return out;
  }
  if (!r.session.user.towns.empty()) {
    const auto catalogue = co_await catalogue_for(ctx, r);
    if (!may_reach_draft(r, *out.draft, catalogue)) {
      out.refusal = other_towns_draft(ctx, r);
      out.draft.reset();
    }
  }
  co_return out;
}

// The draft the form names at the revision it was read, or the page that
// says why not: 404 without one, 409 when it changed since.
struct read_draft {
  std::optional<store::draft_record> draft;
  std::optional<http::response> refusal;
};
asio::awaitable<read_draft> draft_of_form(console_context& ctx, console_request& r) {
  read_draft out;
  auto found = co_await draft_of_path(ctx, r);
  if (found.refusal) {
    out.refusal = std::move(found.refusal);
    co_return out;
  }
  out.draft = std::move(found.draft);
  const auto revision = http::positive_id(r.form.get("revisione"));
  if (!revision || *revision != out.draft->revision) {
    out.refusal = console_error(ctx, &r, 409, "La bozza è cambiata",
                                "Qualcuno ha modificato la bozza dopo che l'hai aperta (ora è alla revisione " +
                                    std::to_string(out.draft->revision) +
                                    "). Riaprila, rileggila e decidi su quello che dice ora.");
  }
  co_return out;
}

// Discarding is what POST /v1/drafts/{id}/discard's scope (alerts:send)
// allows, a publisher; and a draft's own author may discard it too.
bool may_discard(const console_request& r, const store::draft_record& d) {
  return r.can(staff_role::publisher) || d.author == actor_name(r);
}

// The draft as the compose form's fields, for its edit page.
http::form form_of(const store::draft_record& d) {
  http::form f;
  if (!d.category.empty()) f.fields.emplace_back("categoria", d.category);
  if (!d.severity.empty()) f.fields.emplace_back("gravita", d.severity);
  f.fields.emplace_back("titolo", d.title);
  f.fields.emplace_back("testo", d.text);
  f.fields.emplace_back("collegamento", d.link);
  f.fields.emplace_back("revisione", std::to_string(d.revision));
  auto add = [&f](const char* name, const std::optional<std::vector<std::string>>& ids) {
    if (ids)
      for (const auto& id : *ids) f.fields.emplace_back(name, id);
  };
  add("comuni", d.audience.towns);
  // A news draft names the town of its feed.
  if (!d.audience.towns && !d.town_id.empty()) f.fields.emplace_back("comuni", d.town_id);
  add("temi", d.audience.topics);
  add("zone", d.audience.areas);
  // Its attachment, kept unless the edit drops or replaces it.
  if (d.media_id) f.fields.emplace_back("allegato_id", std::to_string(*d.media_id));
  return f;
}

http::response wrong_state_page(console_context& ctx, console_request& r, const store::draft_record& d,
                                std::string_view what) {
  return console_error(ctx, &r, 409, "Non si può fare ora",
                       "La bozza è " + state_label(d.state) + ": " + std::string(what));
}

}  // namespace

void add_console_draft_routes(http::router& routes, console_context& ctx, const alerts_context& api) {
  // The list, one state a page; pending first, as it is what waits for
  // a second person.
  add_console_page(routes, ctx, "GET", "/console/drafts", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
    const auto query = http::parse_form(r.http.query).value_or(http::form{});
    auto state = query.has("stato") ? query.get("stato") : std::string(store::draft_pending);
    if (state != store::draft_pending && state != store::draft_open && state != store::draft_rejected)
      co_return console_error(ctx, &r, 400, "Filtro non valido",
                              "«stato» può essere pending, draft o rejected.");
    json tabs = json::array();
    for (const auto& [value, label] : {std::pair<std::string_view, std::string_view>{store::draft_pending, "Da approvare"},
                                       {store::draft_open, "Bozze"},
                                       {store::draft_rejected, "Rifiutate"}})
      tabs.push_back({{"href", "/console/drafts?stato=" + std::string(value)},
                      {"label", label},
                      {"current", value == state}});
    // Keyset paging, as the history: prima=<id> starts below that id.
    std::int64_t before = 0;
    if (query.has("prima")) {
      const auto p = http::positive_id(query.get("prima"));
      if (!p)
        co_return console_error(ctx, &r, 400, "Filtro non valido", "«prima» è il numero di una bozza.");
      before = *p;
    }
    // A user limited to towns is shown only the drafts of their towns: the
    // store's pages are read on until one of ours is full (or none is
    // left), so the keyset link still starts below the last one shown.
    std::vector<store::draft_record> list;
    if (ctx.drafts) {
      const auto catalogue = co_await catalogue_for(ctx, r);
      auto from = before;
      for (;;) {
        auto wanted = state;
        auto batch = co_await ctx.drafts->list_drafts(std::move(wanted), from, list_size + 1);
        for (auto& d : batch)
          if (list.size() <= list_size && may_reach_draft(r, d, catalogue)) list.push_back(std::move(d));
        if (list.size() > list_size || batch.size() < list_size + 1) break;
        from = batch.back().id;
      }
    }
    const bool more = list.size() > list_size;
    if (more) list.resize(list_size);
    json items = json::array();
    for (const auto& d : list)
      items.push_back({{"id", d.id},
                       {"title", d.title},
                       {"author", person_label(d.author.empty() ? d.source : d.author)},
                       {"when", domain::rome_time_text(d.submitted_at.value_or(d.updated_at))},
                       {"needs_approval", needs_approval(api, d)}});
    json data = {{"title", "Bozze"},
                 {"nav_drafts", true},
                 {"tabs", tabs},
                 {"state_label", state_label(state)},
                 {"drafts", items},
                 {"has_drafts", !items.empty()}};
    if (more) data["next_href"] = "/console/drafts?stato=" + state + "&prima=" + std::to_string(list.back().id);
    if (before > 0) data["first_href"] = "/console/drafts?stato=" + state;
    co_return console_page(ctx, r, "console_drafts", std::move(data));
  });

  add_console_page(routes, ctx, "GET", "/console/drafts/{id}", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
    auto found = co_await draft_of_path(ctx, r);
    if (found.refusal) co_return std::move(*found.refusal);
    const auto& d = *found.draft;
    domain::alert_content content;
    content.level = domain::parse_severity(d.severity).value_or(domain::severity::minor);
    content.title = d.title;
    content.text = d.text;
    content.link = d.link;
    content.issued_at_ms = ctx.now_ms();
    // Its attachment, as the phone will show it above the caption.
    std::optional<store::media_record> attachment;
    if (d.media_id && api.media) attachment = co_await api.media->media_info(*d.media_id);
    const auto who = actor_name(r);
    const bool editable = domain::may_submit(d.state) == domain::draft_verdict::allowed;
    const bool pending = d.state == store::draft_pending;
    const bool own = domain::may_send(domain::draft_send::approve, store::draft_pending, d.author, d.editor, who) ==
                     domain::draft_verdict::own_draft;
    json data = {{"title", "Bozza n. " + std::to_string(d.id)},
                 {"nav_drafts", true},
                 {"id", d.id},
                 {"alert_title", d.title},
                 {"state", state_label(d.state)},
                 {"severity", severity_label(d.severity)},
                 {"author", person_label(d.author.empty() ? d.source : d.author)},
                 {"editor", person_label(d.editor.empty() ? d.author : d.editor)},
                 {"revision", d.revision},
                 {"updated", domain::rome_time_text(d.updated_at)},
                 {"needs_approval", needs_approval(api, d)},
                 {"phone", console_phone(content, d.category, api.phone,
                                         attachment ? std::string_view(attachment->mime_type) : std::string_view{})},
                 {"may_submit", editable},
                 {"may_edit", editable},
                 {"may_discard", editable && may_discard(r, d)},
                 {"is_news", d.source == "news"},
                 {"may_decide", pending && r.can(staff_role::publisher)},
                 {"may_approve", pending && r.can(staff_role::publisher) && !own},
                 {"own", pending && r.can(staff_role::publisher) && own}};
    if (!d.reject_reason.empty()) data["reject_reason"] = d.reject_reason;
    if (d.submitted_at) data["submitted"] = domain::rome_time_text(*d.submitted_at);
    if (d.alert_id) data["alert_id"] = *d.alert_id;
    if (d.send_at) data["send_at"] = domain::rome_time_text(*d.send_at);
    if (d.expires_at) data["expires"] = domain::rome_time_text(*d.expires_at);
    if (attachment) data["attachment"] = console_attachment(*attachment);
    co_return console_page(ctx, r, "console_draft", std::move(data));
  });

  add_console_page(routes, ctx, "POST", "/console/drafts/{id}/submit", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    auto read = co_await draft_of_form(ctx, r);
    if (read.refusal) co_return std::move(*read.refusal);
    const auto id = read.draft->id;
    store::actor who{actor_name(r), std::nullopt};
    const auto now = ctx.now_ms();
    const auto revision = read.draft->revision;
    auto change = co_await ctx.drafts->submit_draft(id, std::move(who), now, revision);
    if (change.outcome == store::draft_outcome::not_found) co_return no_such_draft(ctx, r);
    if (change.outcome == store::draft_outcome::stale) co_return stale_draft_page(ctx, r, change.draft->revision);
    if (change.outcome == store::draft_outcome::wrong_state)
      co_return wrong_state_page(ctx, r, *change.draft, "si chiede l'approvazione solo di una bozza o di una bozza rifiutata.");
    log::info("draft.submitted", {{"request_id", r.http.request_id}, {"draft_id", id}, {"by", "console"}});
    co_return console_redirect("/console/drafts/" + std::to_string(id));
  });

  add_console_page(routes, ctx, "POST", "/console/drafts/{id}/reject", staff_role::publisher,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    auto read = co_await draft_of_form(ctx, r);
    if (read.refusal) co_return std::move(*read.refusal);
    const auto id = read.draft->id;
    auto reason = r.form.get("motivo");
    if (reason.find_first_not_of(" \t\r\n") == std::string::npos || reason.size() > 1000)
      co_return console_error(ctx, &r, 422, "Serve un motivo",
                              "Scrivi perché rifiuti la bozza (fino a 1000 caratteri): chi l'ha scritta saprà cosa cambiare.");
    store::actor who{actor_name(r), std::nullopt};
    const auto now = ctx.now_ms();
    const auto revision = read.draft->revision;
    auto change = co_await ctx.drafts->reject_draft(id, std::move(reason), std::move(who), now, revision);
    if (change.outcome == store::draft_outcome::not_found) co_return no_such_draft(ctx, r);
    if (change.outcome == store::draft_outcome::stale) co_return stale_draft_page(ctx, r, change.draft->revision);
    if (change.outcome == store::draft_outcome::wrong_state)
      co_return wrong_state_page(ctx, r, *change.draft, "si rifiuta solo una bozza in attesa di approvazione.");
    log::info("draft.rejected", {{"request_id", r.http.request_id}, {"draft_id", id}, {"by", "console"}});
    co_return console_redirect("/console/drafts/" + std::to_string(id));
  });

  add_console_page(routes, ctx, "POST", "/console/drafts/{id}/approve", staff_role::publisher,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
    const auto id = http::positive_id(r.http.path_params["id"]);
    const auto revision = http::positive_id(r.form.get("revisione"));
    if (!id || !ctx.drafts) co_return no_such_draft(ctx, r);
    auto found = co_await draft_of_path(ctx, r);
    if (found.refusal) co_return std::move(*found.refusal);
    if (!revision)
      co_return console_error(ctx, &r, 422, "Modulo non valido", "Il modulo non dice quale revisione hai letto.");
    approval_request request;
    request.draft_id = *id;
    request.revision = *revision;
    request.who = store::actor{actor_name(r), std::nullopt};
    request.source = "console";
    request.towns = r.session.user.towns;
    request.tier_limit = api.tier_limit;
    const auto now = ctx.now_ms();
    auto out = co_await approve_draft(*ctx.drafts, *ctx.alerts, ctx.audience, std::move(request), now);
    switch (out.outcome) {
      case approval_outcome::approved:
        break;
      case approval_outcome::not_found:
        co_return no_such_draft(ctx, r);
      case approval_outcome::wrong_state:
      case approval_outcome::unavailable:
        co_return console_error(ctx, &r, 409, "Non si può approvare",
                                "La bozza non è più in attesa di approvazione: è stata approvata, rifiutata o "
                                "ritirata nel frattempo.");
      case approval_outcome::own_draft:
        co_return console_error(ctx, &r, 403, "Serve una seconda persona",
                                "Hai scritto tu questa bozza o l'hai modificata per ultimo: non puoi approvarla. "
                                "Deve approvarla un'altra persona che pubblica.");
      case approval_outcome::other_towns:
      case approval_outcome::everyone_for_some:
        co_return console_error(ctx, &r, 403, "Accesso non consentito",
                                "Puoi approvare solo gli avvisi dei tuoi comuni, mai uno per tutti i comuni.");
      case approval_outcome::stale:
        co_return console_error(ctx, &r, 409, "La bozza è cambiata",
                                "Qualcuno ha modificato la bozza dopo che l'hai aperta (ora è alla revisione " +
                                    std::to_string(out.draft->revision) +
                                    "). Riaprila, rileggila e approva quello che dice ora.");
      case approval_outcome::expired:
        co_return console_error(ctx, &r, 409, "Bozza scaduta",
                                "L'avviso sarebbe già scaduto: chi l'ha scritto ne cambi la scadenza e la ripresenti.");
      case approval_outcome::failed:
        co_return console_error(ctx, &r, 409, "Avviso non inviato", "L'avviso non si può creare ora; riprova.");
    }
    log::info("draft.approved", {{"request_id", r.http.request_id}, {"draft_id", *id}, {"alert_id", out.alert_id},
                                 {"by", "console"}});
    if (api.alerts_changed) api.alerts_changed();
    co_return console_redirect("/console/alerts/" + std::to_string(out.alert_id));
  });

  // The edit page: the compose form filled with the draft, saved at the
  // revision it was read (update_draft checks it in its transaction).
  add_console_page(routes, ctx, "GET", "/console/drafts/{id}/edit", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
    auto read = co_await draft_of_path(ctx, r);
    if (read.refusal) co_return std::move(*read.refusal);
    const auto found = std::move(read.draft);
    if (domain::may_submit(found->state) != domain::draft_verdict::allowed)
      co_return wrong_state_page(ctx, r, *found, "si modifica solo una bozza o una bozza rifiutata.");
    const auto f = form_of(*found);
    std::string none;
    auto res = co_await compose_page(ctx, api, r, f, std::move(none), &*found);
    co_return res;
  });

  add_console_page(routes, ctx, "POST", "/console/drafts/{id}/edit", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
    auto read = co_await draft_of_path(ctx, r);
    if (read.refusal) co_return std::move(*read.refusal);
    const auto found = std::move(read.draft);
    auto action = r.form.get("azione") == "salva" ? std::string("salva") : std::string("anteprima");
    auto res = co_await compose_page(ctx, api, r, r.form, std::move(action), &*found);
    co_return res;
  });

  // «Scarta»: a page that asks for confirmation (it works without a
  // script), then the POST that discards.
  add_console_page(routes, ctx, "GET", "/console/drafts/{id}/discard", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    auto read = co_await draft_of_path(ctx, r);
    if (read.refusal) co_return std::move(*read.refusal);
    const auto found = std::move(read.draft);
    if (!may_discard(r, *found))
      co_return console_error(ctx, &r, 403, "Accesso non consentito",
                              "Scarta una bozza chi l'ha scritta o chi pubblica.");
    if (domain::may_submit(found->state) != domain::draft_verdict::allowed)
      co_return wrong_state_page(ctx, r, *found, "si scarta solo una bozza o una bozza rifiutata.");
    json data = {{"title", "Scartare la bozza n. " + std::to_string(found->id) + "?"},
                 {"nav_drafts", true},
                 {"id", found->id},
                 {"alert_title", found->title},
                 {"revision", found->revision}};
    co_return console_page(ctx, r, "console_draft_discard", std::move(data));
  });

  add_console_page(routes, ctx, "POST", "/console/drafts/{id}/discard", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    auto read = co_await draft_of_form(ctx, r);
    if (read.refusal) co_return std::move(*read.refusal);
    if (!may_discard(r, *read.draft))
      co_return console_error(ctx, &r, 403, "Accesso non consentito",
                              "Scarta una bozza chi l'ha scritta o chi pubblica.");
    if (domain::may_submit(read.draft->state) != domain::draft_verdict::allowed)
      co_return wrong_state_page(ctx, r, *read.draft, "si scarta solo una bozza o una bozza rifiutata.");
    const auto id = read.draft->id;
    store::actor who{actor_name(r), std::nullopt};
    const auto now = ctx.now_ms();
    const auto revision = read.draft->revision;
    auto change = co_await ctx.drafts->discard_draft(id, std::move(who), now, revision);
    if (change.outcome == store::draft_outcome::not_found) co_return no_such_draft(ctx, r);
    if (change.outcome == store::draft_outcome::stale) co_return stale_draft_page(ctx, r, change.draft->revision);
    if (change.draft->state != store::draft_discarded)
      co_return wrong_state_page(ctx, r, *change.draft, "si scarta solo una bozza o una bozza rifiutata.");
    log::info("draft.discarded", {{"request_id", r.http.request_id}, {"draft_id", id}, {"by", "console"}});
    co_return console_redirect("/console/drafts?stato=draft");
  });
}

}  // namespace banditore::app

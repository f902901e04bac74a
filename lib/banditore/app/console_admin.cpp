#include <banditore/app/console_admin.hpp>

#include <banditore/app/live_settings.hpp>
#include <banditore/app/staff_login.hpp>
#include <banditore/config/runtime_settings.hpp>
#include <banditore/crypto/password.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/audience_rules.hpp>
#include <banditore/domain/comma_list.hpp>
#include <banditore/domain/local_time.hpp>
#include <banditore/domain/replies.hpp>
#include <banditore/domain/utf8.hpp>
#include <banditore/domain/wa_markup.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/api_keys.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/store/staff.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

std::string actor_name(const console_request& r) { return "staff:" + r.session.user.email; }

std::string time_text(const std::optional<std::int64_t>& ms) {
  return ms ? domain::rome_time_text(*ms) : std::string("mai");
}

// The form's checked ids of a list field, blanks dropped.
std::vector<std::string> checked(const http::form& f, std::string_view field) {
  auto values = f.all(field);
  values.erase(std::remove(values.begin(), values.end(), std::string()), values.end());
  return values;
}

// Checkboxes for the towns of the catalogue, some checked.
json town_boxes(const domain::audience_catalogue& c, const std::vector<std::string>& chosen, std::string_view prefix) {
  json out = json::array();
  for (const auto& t : c.towns)
    out.push_back({{"id", t.id},
                   {"input_id", std::string(prefix) + "-" + t.id},
                   {"name", t.name},
                   {"checked", std::find(chosen.begin(), chosen.end(), t.id) != chosen.end()}});
  return out;
}

// "Lugo, Cotignola" for town ids, "tutti" for none.
std::string towns_text(const domain::audience_catalogue& c, const std::vector<std::string>& ids) {
  if (ids.empty()) return "tutti";
  std::string out;
  for (const auto& id : ids) {
    auto it = std::find_if(c.towns.begin(), c.towns.end(), [&id](const domain::town& t) { return t.id == id; });
    out += (out.empty() ? "" : ", ") + (it == c.towns.end() ? id : it->name);
  }
  return out;
}

json role_choices(std::string_view chosen) {
  json out = json::array();
  for (auto role : store::staff_roles)
    out.push_back({{"value", role}, {"label", role_label(role_of(role))}, {"selected", role == chosen}});
  return out;
}

// A staff rule broken, as the admin reads it (store/staff.hpp's list).
std::string staff_problem_text(const store::staff_change& c) {
  switch (c.problem) {
    case store::staff_problem::bad_email: return "L'indirizzo email non è valido.";
    case store::staff_problem::email_taken: return "Esiste già un account con l'email " + c.detail + ".";
    case store::staff_problem::no_name: return "Scrivi il nome della persona.";
    case store::staff_problem::bad_name: return "Il nome non può contenere caratteri di controllo.";
    case store::staff_problem::name_too_long:
      return "Il nome può avere al massimo " + std::to_string(store::max_staff_name_length) + " caratteri.";
    case store::staff_problem::bad_role: return "Scegli un ruolo: redattore, pubblicatore o amministratore.";
    case store::staff_problem::unknown_town: return "Il comune «" + c.detail + "» non esiste.";
    case store::staff_problem::not_found: return "Non c'è un account con questo numero.";
    case store::staff_problem::last_admin:
      return "Non resterebbe nessun amministratore attivo: nomina prima un altro amministratore.";
    case store::staff_problem::none: break;
  }
  return {};
}

int staff_problem_status(store::staff_problem p) {
  switch (p) {
    case store::staff_problem::email_taken:
    case store::staff_problem::last_admin: return 409;
    case store::staff_problem::not_found: return 404;
    default: return 422;
  }
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> scope_labels{{
    {"alerts:send", "inviare avvisi, approvare e rifiutare bozze"},
    {"alerts:read", "leggere gli avvisi e il loro andamento"},
    {"stats:read", "leggere le statistiche"},
    {"cap:ingest", "inviare allerte CAP della protezione civile"},
    {"audience:admin", "cambiare comuni, temi e zone"},
    {"drafts:write", "scrivere bozze e chiederne l'approvazione"},
    {"alerts:emergency", "inviare senza la seconda persona (emergenza, registrato)"},
}};

std::string scope_label(std::string_view scope) {
  for (const auto& [s, label] : scope_labels)
    if (s == scope) return std::string(label);
  return std::string(scope);
}

std::string key_problem_text(const store::key_creation& c) {
  switch (c.problem) {
    case store::key_problem::no_name: return "Dai un nome alla chiave: per chi è (per esempio ufficio-stampa).";
    case store::key_problem::bad_name: return "Il nome deve essere testo senza caratteri di controllo.";
    case store::key_problem::name_too_long:
      return "Il nome può avere al massimo " + std::to_string(store::max_key_name_length) + " caratteri.";
    case store::key_problem::name_digits:
      return "Il nome non può essere fatto di sole cifre: si confonderebbe con il numero di una chiave.";
    case store::key_problem::name_token:
      return "Il nome non può cominciare con «" + std::string(store::token_scheme) +
             "»: si confonderebbe con una chiave.";
    case store::key_problem::no_scope: return "Scegli almeno un permesso.";
    case store::key_problem::bad_scope: return "Permesso sconosciuto: «" + c.detail + "».";
    case store::key_problem::unknown_town: return "Il comune «" + c.detail + "» non esiste.";
    case store::key_problem::none: break;
  }
  return {};
}

// --- the catalogue's kinds, as the console names them in its URLs -------------

struct kind_words {
  domain::catalogue_kind kind;
  std::string_view path;  // comuni, temi, zone
  std::string_view a;     // "un comune"
  std::string_view One;   // "Il comune"
};
constexpr std::array<kind_words, 3> kinds{{
    {domain::catalogue_kind::town, "comuni", "un comune", "Il comune"},
    {domain::catalogue_kind::topic, "temi", "un tema", "Il tema"},
    {domain::catalogue_kind::area, "zone", "una zona", "La zona"},
}};

const kind_words* kind_of_path(std::string_view path) {
  for (const auto& k : kinds)
    if (k.path == path) return &k;
  return nullptr;
}

// After a change of the catalogue: its log line, and back to its list.
http::response audience_changed(const console_request& r, const kind_words& k, std::string_view change,
                                const std::string& id) {
  log::info("audience.changed", {{"request_id", r.http.request_id}, {"kind", domain::to_string(k.kind)},
                                 {"change", std::string(change)}, {"id", id}, {"by", "console"}});
  return console_redirect("/console/admin/audience#" + std::string(k.path));
}

// A refusal of the catalogue's rules (domain/audience_rules.hpp), in
// Italian: the REST API says the same in English.
std::string verdict_text(const kind_words& k, const domain::catalogue_verdict& v, std::string_view id,
                         std::string_view name, const domain::audience_catalogue& c) {
  const std::string what = std::string(k.One) + " «" + std::string(name.empty() ? id : name) + "»";
  switch (v.outcome) {
    case domain::catalogue_outcome::duplicate:
      return "Esiste già " + std::string(k.a) + " con l'identificativo «" + std::string(id) + "».";
    case domain::catalogue_outcome::not_found: return std::string(k.One) + " non esiste più.";
    case domain::catalogue_outcome::in_use: {
      if (v.chosen_by > 0)
        return what + " è " + (k.kind == domain::catalogue_kind::area ? "scelta" : "scelto") + " da " +
               std::to_string(v.chosen_by) + (v.chosen_by == 1 ? " iscritto" : " iscritti") +
               ": non lo si può togliere, perché smetterebbero di ricevere i suoi avvisi senza saperlo.";
      std::string areas;
      for (const auto& a : c.areas)
        if (a.town_id == id) areas += (areas.empty() ? "" : ", ") + a.name;
      return what + " ha ancora delle zone (" + areas + "): toglile prima.";
    }
    case domain::catalogue_outcome::invalid:
      if (v.field == "id")
        return "Identificativo: da 1 a " + std::to_string(domain::max_audience_id_length) +
               " lettere minuscole, cifre e trattini (per esempio «centro-storico»).";
      if (v.field == "name")
        return "Nome: da 1 a " + std::to_string(domain::max_audience_name_length) + " caratteri.";
      if (v.field == "keywords")
        return "Parole chiave: al massimo " + std::to_string(domain::max_keywords) +
               ", separate da virgole, ciascuna di al massimo " + std::to_string(domain::max_keyword_length) +
               " caratteri.";
      if (v.field == "istat_code") return "Codice ISTAT: le sei cifre del comune (per esempio 039012).";
      if (v.field == "town") return "Comune: scegli un comune di questa installazione.";
      if (v.field == "polygon") return "Il confine salvato non è un poligono GeoJSON valido: cambialo con l'API.";
      return "Un campo non va bene: " + v.field + ".";
    case domain::catalogue_outcome::done: break;
  }
  return {};
}

int verdict_status(const domain::catalogue_verdict& v) {
  switch (v.outcome) {
    case domain::catalogue_outcome::duplicate:
    case domain::catalogue_outcome::in_use: return 409;
    case domain::catalogue_outcome::not_found: return 404;
    default: return 422;
  }
}

// "traffico, lavori", or null for none: an empty string is a true
// section in Mustache, and the page would read "parole:" with nothing.
json keywords_text(const std::vector<std::string>& keywords) {
  if (keywords.empty()) return nullptr;
  std::string out;
  for (const auto& k : keywords) out += (out.empty() ? "" : ", ") + k;
  return out;
}

// The form's fields onto an entry (id from the form when adding, kept when
// updating; a boundary is kept as it is: it is changed over the API).
void read_entry(const http::form& f, domain::town& t) {
  t.name = f.get("nome");
  t.keywords = domain::split_comma_list(f.get("parole"));
  t.istat_code = f.get("istat");
}
void read_entry(const http::form& f, domain::topic& t) {
  t.name = f.get("nome");
  t.keywords = domain::split_comma_list(f.get("parole"));
  t.in_default = f.get("predefinito") == "1";
}
void read_entry(const http::form& f, domain::area& a) {
  a.name = f.get("nome");
  a.keywords = domain::split_comma_list(f.get("parole"));
  a.town_id = f.get("comune");
}

json entry_json(const domain::town& t) {
  return {{"id", t.id}, {"name", t.name}, {"keywords", keywords_text(t.keywords)}, {"istat", t.istat_code.empty() ? json(nullptr) : json(t.istat_code)},
          {"has_polygon", !t.polygon.empty()}};
}
json entry_json(const domain::topic& t) {
  return {{"id", t.id}, {"name", t.name}, {"keywords", keywords_text(t.keywords)}, {"in_default", t.in_default}};
}

json areas_json(const domain::audience_catalogue& c) {
  json out = json::array();
  for (const auto& a : c.areas) {
    json towns = json::array();
    for (const auto& t : c.towns) towns.push_back({{"id", t.id}, {"name", t.name}, {"selected", t.id == a.town_id}});
    out.push_back({{"id", a.id}, {"name", a.name}, {"keywords", keywords_text(a.keywords)}, {"town_id", a.town_id},
                   {"town", towns_text(c, {a.town_id})}, {"towns", towns}, {"has_polygon", !a.polygon.empty()}});
  }
  return out;
}

// The catalogue's page, with a message after a refusal (status 4xx) and
// the add form's values as typed.
asio::awaitable<http::response> audience_page(console_context& ctx, console_request& r, int status,
                                              std::string message, json typed) {
  const auto c = co_await ctx.audience->catalogue();
  json towns = json::array(), topics = json::array(), town_choices = json::array();
  for (const auto& t : c.towns) {
    towns.push_back(entry_json(t));
    town_choices.push_back({{"id", t.id}, {"name", t.name},
                            {"selected", typed.is_object() && typed.value("comune", "") == t.id}});
  }
  for (const auto& t : c.topics) topics.push_back(entry_json(t));
  json data = {{"title", "Comuni, temi e zone"},
               {"nav_admin", true},
               {"towns", towns},
               {"topics", topics},
               {"areas", areas_json(c)},
               {"has_towns", !c.towns.empty()},
               {"has_topics", !c.topics.empty()},
               {"has_areas", !c.areas.empty()},
               {"town_choices", town_choices},
               {"new_comuni", json::object()},
               {"new_temi", {{"in_default", true}}},
               {"new_zone", json::object()}};
  // The add form that was refused shows what was typed.
  if (typed.is_object() && typed.contains("kind")) data["new_" + typed["kind"].get<std::string>()] = typed;
  if (!message.empty()) data["message"] = message;
  co_return console_page(ctx, r, "console_admin_audience", std::move(data), status);
}

template <class T>
const T* find_entry(const std::vector<T>& list, std::string_view id) {
  auto it = std::find_if(list.begin(), list.end(), [id](const T& e) { return e.id == id; });
  return it == list.end() ? nullptr : &*it;
}

// The entry the URL names, changed by the form (update), or made of it (add).
std::optional<domain::catalogue_entry> entry_of_form(const domain::audience_catalogue& c, domain::catalogue_kind kind,
                                                     const std::string& id, const http::form& f, bool adding) {
  auto make = [&](auto entry, const auto* found) -> std::optional<domain::catalogue_entry> {
    if (!adding) {
      if (!found) return std::nullopt;
      entry = *found;
    }
    entry.id = id;
    read_entry(f, entry);
    return domain::catalogue_entry{entry};
  };
  switch (kind) {
    case domain::catalogue_kind::town: return make(domain::town{}, find_entry(c.towns, id));
    case domain::catalogue_kind::topic: return make(domain::topic{}, find_entry(c.topics, id));
    case domain::catalogue_kind::area: return make(domain::area{}, find_entry(c.areas, id));
  }
  return std::nullopt;
}

std::string name_in(const domain::audience_catalogue& c, domain::catalogue_kind kind, std::string_view id) {
  switch (kind) {
    case domain::catalogue_kind::town:
      if (auto* e = find_entry(c.towns, id)) return e->name;
      break;
    case domain::catalogue_kind::topic:
      if (auto* e = find_entry(c.topics, id)) return e->name;
      break;
    case domain::catalogue_kind::area:
      if (auto* e = find_entry(c.areas, id)) return e->name;
      break;
  }
  return std::string(id);
}

// --- staff accounts -------------------------------------------------------------

json user_row(const store::staff_user& u, const domain::audience_catalogue& c) {
  return {{"id", u.id},
          {"email", u.email},
          {"name", u.name},
          {"role", role_label(role_of(u.role))},
          {"towns", towns_text(c, u.towns)},
          {"totp", u.totp_enrolled},
          {"disabled", u.disabled},
          {"last_login", time_text(u.last_login_at)}};
}

asio::awaitable<http::response> users_page(console_context& ctx, console_admin_context& admin, console_request& r,
                                           int status, std::string message, json typed) {
  const auto users = co_await admin.staff->staff_users();
  domain::audience_catalogue c;
  if (ctx.audience) c = co_await ctx.audience->catalogue();
  json rows = json::array();
  for (const auto& u : users) rows.push_back(user_row(u, c));
  if (!typed.is_object()) typed = json::object();
  std::vector<std::string> chosen_towns = typed.value("towns", std::vector<std::string>{});
  json data = {{"title", "Utenti"},
               {"nav_admin", true},
               {"users", rows},
               {"roles", role_choices(typed.value("role", "editor"))},
               {"town_boxes", town_boxes(c, chosen_towns, "nuovo-comune")},
               {"has_town_boxes", !c.towns.empty()},
               {"typed", typed}};
  if (!message.empty()) data["message"] = message;
  co_return console_page(ctx, r, "console_admin_users", std::move(data), status);
}

asio::awaitable<http::response> user_page(console_context& ctx, console_admin_context& admin, console_request& r,
                                          std::int64_t id, int status, std::string message) {
  const auto users = co_await admin.staff->staff_users();
  auto it = std::find_if(users.begin(), users.end(), [id](const store::staff_user& u) { return u.id == id; });
  if (it == users.end())
    co_return console_error(ctx, &r, 404, "Utente non trovato", "Non c'è un account con questo numero.");
  domain::audience_catalogue c;
  if (ctx.audience) c = co_await ctx.audience->catalogue();
  const auto& u = *it;
  json data = {{"title", "Utente " + u.name},
               {"nav_admin", true},
               {"user", user_row(u, c)},
               {"roles", role_choices(u.role)},
               {"town_boxes", town_boxes(c, u.towns, "comune")},
               {"has_town_boxes", !c.towns.empty()},
               {"self", u.id == r.session.user.id}};
  if (!message.empty()) data["message"] = message;
  co_return console_page(ctx, r, "console_admin_user", std::move(data), status);
}

// A secret shown once: a temporary password or an API key's token. The
// page is no-store (add_console_headers), and nothing shows it again.
http::response secret_page(console_context& ctx, console_request& r, int status, std::string title, std::string lead,
                           std::string secret, std::string label, std::string back, std::string back_label) {
  json data = {{"title", std::move(title)}, {"nav_admin", true},          {"lead", std::move(lead)},
               {"secret", std::move(secret)}, {"label", std::move(label)}, {"back", std::move(back)},
               {"back_label", std::move(back_label)}};
  return console_page(ctx, r, "console_admin_secret", std::move(data), status);
}

// --- API keys -------------------------------------------------------------------

asio::awaitable<http::response> keys_page(console_context& ctx, console_admin_context& admin, console_request& r,
                                          int status, std::string message, json typed) {
  const auto keys = co_await admin.keys->api_key_list();
  domain::audience_catalogue c;
  if (ctx.audience) c = co_await ctx.audience->catalogue();
  if (!typed.is_object()) typed = json::object();
  json rows = json::array();
  // Live keys first, newest first; revoked ones after them.
  std::vector<store::key_info> sorted(keys.rbegin(), keys.rend());
  std::stable_partition(sorted.begin(), sorted.end(), [](const store::key_info& k) { return !k.revoked(); });
  for (const auto& k : sorted) {
    json scopes = json::array();
    for (const auto& s : k.scopes) scopes.push_back({{"scope", s}, {"label", scope_label(s)}});
    rows.push_back({{"id", k.id},
                    {"name", k.name},
                    {"prefix", k.prefix},
                    {"scopes", scopes},
                    {"towns", towns_text(c, k.towns)},
                    {"created", domain::rome_time_text(k.created_at)},
                    {"last_used", time_text(k.last_used_at)},
                    {"revoked", k.revoked()},
                    {"revoked_at", time_text(k.revoked_at)}});
  }
  const auto chosen_scopes = typed.value("scopes", std::vector<std::string>{});
  json scope_boxes = json::array();
  for (const auto& [s, label] : scope_labels)
    scope_boxes.push_back({{"scope", s},
                           {"input_id", "ambito-" + std::string(s.substr(0, s.find(':'))) + "-" +
                                            std::string(s.substr(s.find(':') + 1))},
                           {"label", label},
                           {"checked", std::find(chosen_scopes.begin(), chosen_scopes.end(), s) != chosen_scopes.end()}});
  json data = {{"title", "Chiavi API"},
               {"nav_admin", true},
               {"keys", rows},
               {"has_keys", !rows.empty()},
               {"scope_boxes", scope_boxes},
               {"town_boxes", town_boxes(c, typed.value("towns", std::vector<std::string>{}), "chiave-comune")},
               {"has_town_boxes", !c.towns.empty()},
               {"typed", typed}};
  if (!message.empty()) data["message"] = message;
  co_return console_page(ctx, r, "console_admin_keys", std::move(data), status);
}

// --- reply texts and settings -----------------------------------------------------

json reply_rows(const domain::reply_texts& texts) {
  constexpr std::array<std::pair<domain::reply_kind, std::string_view>, 6> labels{{
      {domain::reply_kind::subscribed, "Iscrizione (Attiva da un numero nuovo)"},
      {domain::reply_kind::already_subscribed, "Già iscritto (Attiva di nuovo)"},
      {domain::reply_kind::unsubscribed, "Cancellazione (Disattiva: il numero è cancellato)"},
      {domain::reply_kind::not_subscribed, "Non iscritto (Disattiva da un numero sconosciuto)"},
      {domain::reply_kind::help, "Aiuto (Info, «?», o un messaggio che non chiede nulla)"},
      {domain::reply_kind::ask, "Domanda (forse una richiesta: con i pulsanti)"},
  }};
  json out = json::array();
  for (const auto& [kind, label] : labels) {
    const auto& text = domain::reply_text(texts, kind);
    json buttons = json::array();
    for (const auto& b : domain::reply_buttons(texts, kind)) buttons.push_back(b.title);
    out.push_back({{"key", domain::to_string(kind)},
                   {"label", label},
                   {"text", text},
                   {"html", domain::wa_markup_to_html(text)},
                   {"chars", domain::utf8::count_code_points(text).value_or(text.size())},
                   {"buttons", buttons},
                   {"has_buttons", !buttons.empty()}});
  }
  return out;
}

}  // namespace

namespace {

std::string origin_label(const live_setting& s) {
  if (s.origin == "console") return "console";
  if (s.origin == "environment") return "ambiente";
  return "predefinito";
}

// The settings page: the run-time settings with their forms first (a
// refused value shown again with why, at status 422), then every setting
// with the value in use and where it comes from.
asio::awaitable<http::response> settings_page(console_context& ctx, console_admin_context& admin,
                                              console_request& r, int status, std::string message,
                                              std::string refused, std::string typed) {
  std::vector<live_setting> live;
  if (admin.live) live = co_await admin.live->list();
  json live_rows = json::array();
  for (const auto& s : live) {
    const bool is_refused = s.name == refused;
    json row = {{"name", s.name},
                {"value", s.value},
                {"shown", s.value.empty() ? std::string("(nessuno)") : s.value},
                {"input", is_refused ? typed : s.value},
                {"refused", is_refused},
                {"origin", origin_label(s)},
                {"from_console", s.origin == "console"},
                {"environment_value", s.environment_value.empty() ? std::string("(nessuno)") : s.environment_value},
                {"environment_origin", s.environment_set ? "ambiente" : "predefinito"},
                {"meaning", s.meaning},
                {"changed_by", s.changed_by},
                {"changed_at", s.changed_at ? domain::rome_time_text(*s.changed_at) : std::string()},
                {"has_choices", false}};
    if (s.name == "BANDITORE_CAP_DECISION") {
      const auto chosen = is_refused ? typed : s.value;
      row["has_choices"] = true;
      row["choices"] = json::array({{{"value", "auto"}, {"label", "auto: inviati subito secondo la politica CAP"},
                                     {"selected", chosen == "auto"}},
                                    {{"value", "hold"}, {"label", "hold: trattenuti come bozze da approvare"},
                                     {"selected", chosen == "hold"}}});
    }
    live_rows.push_back(std::move(row));
  }
  json rows = json::array();
  for (const auto& s : admin.settings) {
    json row = {{"name", s.name}, {"value", s.value}, {"meaning", s.meaning}, {"secret", s.secret},
                {"origin", s.from_environment ? "ambiente" : "predefinito"}, {"set", s.from_environment}};
    for (const auto& l : live)
      if (l.name == s.name) {
        row["value"] = l.value;
        row["origin"] = origin_label(l);
      }
    rows.push_back(std::move(row));
  }
  json data = {{"title", "Impostazioni"}, {"nav_admin", true}, {"settings", rows}, {"live", live_rows},
               {"has_live", !live_rows.empty()}};
  if (!message.empty()) data["message"] = message;
  co_return console_page(ctx, r, "console_admin_settings", std::move(data), status);
}

}  // namespace

void add_console_admin_routes(http::router& routes, console_context& ctx, console_admin_context& admin) {
  add_console_page(routes, ctx, "GET", "/console/admin", staff_role::admin,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    json data = {{"title", "Amministrazione"}, {"nav_admin", true}};
    co_return console_page(ctx, r, "console_admin", std::move(data));
  });

  // --- users ---
  add_console_page(routes, ctx, "GET", "/console/admin/users", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    std::string message;
    json typed;
    auto res = co_await users_page(ctx, admin, r, 200, std::move(message), std::move(typed));
    co_return res;
  });

  add_console_page(routes, ctx, "POST", "/console/admin/users", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    const auto& f = r.form;
    json typed = {{"email", f.get("email")}, {"name", f.get("nome")}, {"role", f.get("ruolo")},
                  {"towns", checked(f, "comuni")}};
    // The checks that need no database, as the command line makes them.
    store::staff_change refused;
    const auto email = store::normalise_staff_email(f.get("email"));
    if (!email) refused.problem = store::staff_problem::bad_email;
    else if (auto p = store::check_staff_name(f.get("nome")); p != store::staff_problem::none) refused.problem = p;
    else if (!store::valid_staff_role(f.get("ruolo"))) refused.problem = store::staff_problem::bad_role;
    if (!refused.ok()) {
      const int status = staff_problem_status(refused.problem);
      auto message = staff_problem_text(refused);
      auto res = co_await users_page(ctx, admin, r, status, std::move(message), std::move(typed));
      co_return res;
    }
    auto password = crypto::temporary_password();
    auto secret = password;
    auto hash = co_await ctx.login->hash_new_password(std::move(secret));
    store::new_staff_user user{*email, f.get("nome"), f.get("ruolo"), checked(f, "comuni"), std::move(hash)};
    const auto now = ctx.now_ms();
    auto who = actor_name(r);
    const auto made = co_await admin.staff->add_staff_user(std::move(user), std::move(who), now);
    if (!made.ok()) {
      const int status = staff_problem_status(made.problem);
      auto message = staff_problem_text(made);
      auto res = co_await users_page(ctx, admin, r, status, std::move(message), std::move(typed));
      co_return res;
    }
    log::info("staff.created", {{"request_id", r.http.request_id}, {"user_id", made.id}, {"by", "console"}});
    co_return secret_page(ctx, r, 201, "Account creato",
                          "L'account di " + *email + " è pronto. Questa è la sua password temporanea: copiala ora e "
                          "dalla alla persona per un'altra via (a voce, per telefono). Non sarà mostrata di nuovo: "
                          "si conserva solo la sua impronta. Se va persa, reimposta la password.",
                          std::move(password), "Password temporanea", "/console/admin/users/" + std::to_string(made.id),
                          "Vai all'account");
  });

  add_console_page(routes, ctx, "GET", "/console/admin/users/{id}", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    const auto id = http::positive_id(r.http.path_params["id"]);
    if (!id) co_return console_error(ctx, &r, 404, "Utente non trovato", "Non c'è un account con questo numero.");
    std::string message;
    auto res = co_await user_page(ctx, admin, r, *id, 200, std::move(message));
    co_return res;
  });

  add_console_page(routes, ctx, "POST", "/console/admin/users/{id}/access", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    const auto id = http::positive_id(r.http.path_params["id"]);
    if (!id) co_return console_error(ctx, &r, 404, "Utente non trovato", "Non c'è un account con questo numero.");
    auto role = r.form.get("ruolo");
    if (!store::valid_staff_role(role)) {
      store::staff_change bad{store::staff_problem::bad_role, *id, {}};
      auto message = staff_problem_text(bad);
      auto res = co_await user_page(ctx, admin, r, *id, 422, std::move(message));
      co_return res;
    }
    const auto now = ctx.now_ms();
    auto towns = checked(r.form, "comuni");
    auto who = actor_name(r);
    const auto done = co_await admin.staff->set_staff_access(*id, std::move(role), std::move(towns), std::move(who), now);
    if (!done.ok()) {
      const int status = staff_problem_status(done.problem);
      auto message = staff_problem_text(done);
      auto res = co_await user_page(ctx, admin, r, *id, status, std::move(message));
      co_return res;
    }
    co_return console_redirect("/console/admin/users/" + std::to_string(*id));
  });

  for (const bool disable : {true, false}) {
    const std::string path = disable ? "/console/admin/users/{id}/disable" : "/console/admin/users/{id}/enable";
    add_console_page(routes, ctx, "POST", path, staff_role::admin,
                     [&ctx, &admin, disable](console_request& r) -> asio::awaitable<http::response> {
      const auto id = http::positive_id(r.http.path_params["id"]);
      if (!id) co_return console_error(ctx, &r, 404, "Utente non trovato", "Non c'è un account con questo numero.");
      const auto now = ctx.now_ms();
      auto who = actor_name(r);
      const auto done = co_await admin.staff->set_staff_disabled(*id, disable, std::move(who), now);
      if (!done.ok()) {
        const int status = staff_problem_status(done.problem);
      auto message = staff_problem_text(done);
      auto res = co_await user_page(ctx, admin, r, *id, status, std::move(message));
        co_return res;
      }
      co_return console_redirect("/console/admin/users/" + std::to_string(*id));
    });
  }

  add_console_page(routes, ctx, "POST", "/console/admin/users/{id}/password", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    const auto id = http::positive_id(r.http.path_params["id"]);
    if (!id) co_return console_error(ctx, &r, 404, "Utente non trovato", "Non c'è un account con questo numero.");
    auto password = crypto::temporary_password();
    auto secret = password;
    auto hash = co_await ctx.login->hash_new_password(std::move(secret));
    const auto now = ctx.now_ms();
    auto who = actor_name(r);
    const auto done = co_await admin.staff->reset_staff_password(*id, std::move(hash), std::move(who), now);
    if (!done.ok()) {
      const int status = staff_problem_status(done.problem);
      auto message = staff_problem_text(done);
      auto res = co_await user_page(ctx, admin, r, *id, status, std::move(message));
      co_return res;
    }
    co_return secret_page(ctx, r, 200, "Password reimpostata",
                          "Ogni sessione dell'account è chiusa. Questa è la nuova password temporanea: copiala ora e "
                          "dalla alla persona per un'altra via. Non sarà mostrata di nuovo.",
                          std::move(password), "Password temporanea", "/console/admin/users/" + std::to_string(*id),
                          "Torna all'account");
  });

  // --- API keys ---
  add_console_page(routes, ctx, "GET", "/console/admin/keys", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    std::string message;
    json typed;
    auto res = co_await keys_page(ctx, admin, r, 200, std::move(message), std::move(typed));
    co_return res;
  });

  add_console_page(routes, ctx, "POST", "/console/admin/keys", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    auto name = r.form.get("nome");
    auto scopes = checked(r.form, "ambiti");
    auto towns = checked(r.form, "comuni");
    json typed = {{"name", name}, {"scopes", scopes}, {"towns", towns}};
    const auto now = ctx.now_ms();
    auto who = actor_name(r);
    const auto made = co_await admin.keys->add_api_key(std::move(name), std::move(scopes), std::move(towns),
                                                       std::move(who), now);
    if (!made.ok()) {
      auto message = key_problem_text(made);
      auto res = co_await keys_page(ctx, admin, r, 422, std::move(message), std::move(typed));
      co_return res;
    }
    log::info("key.created", {{"request_id", r.http.request_id}, {"key_id", made.key.id}, {"by", "console"}});
    co_return secret_page(ctx, r, 201, "Chiave creata",
                          "Copia ora la chiave e conservala nel posto dei segreti di chi la userà: non sarà mostrata "
                          "di nuovo, perché se ne conserva solo l'impronta. Se va persa, creane una nuova e revoca "
                          "questa.",
                          made.key.token, "Chiave API (intestazione Authorization: Bearer)", "/console/admin/keys",
                          "Torna alle chiavi");
  });

  add_console_page(routes, ctx, "POST", "/console/admin/keys/{id}/revoke", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    const auto id = http::positive_id(r.http.path_params["id"]);
    if (!id) co_return console_error(ctx, &r, 404, "Chiave non trovata", "Non c'è una chiave con questo numero.");
    const auto now = ctx.now_ms();
    auto who = actor_name(r);
    const auto done = co_await admin.keys->revoke_api_key(*id, std::move(who), now);
    if (done.outcome == store::revoke_outcome::not_found)
      co_return console_error(ctx, &r, 404, "Chiave non trovata", "Non c'è una chiave con questo numero.");
    if (done.outcome == store::revoke_outcome::revoked)
      log::info("key.revoked", {{"request_id", r.http.request_id}, {"key_id", *id}, {"by", "console"}});
    co_return console_redirect("/console/admin/keys");
  });

  // --- towns, topics, areas ---
  add_console_page(routes, ctx, "GET", "/console/admin/audience", staff_role::admin,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    if (!ctx.audience) co_return console_error(ctx, &r, 404, "Pagina non disponibile", "Il catalogo non c'è.");
    std::string message;
    json typed;
    auto res = co_await audience_page(ctx, r, 200, std::move(message), std::move(typed));
    co_return res;
  });

  add_console_page(routes, ctx, "POST", "/console/admin/audience/{kind}", staff_role::admin,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    const auto* k = kind_of_path(r.http.path_params["kind"]);
    if (!k || !ctx.audience) co_return console_error(ctx, &r, 404, "Pagina non trovata", "Questo elenco non esiste.");
    const auto id = r.form.get("id");
    json typed = {{"kind", std::string(k->path)}, {"id", id}, {"name", r.form.get("nome")}, {"keywords", r.form.get("parole")},
                  {"istat", r.form.get("istat")}, {"comune", r.form.get("comune")},
                  {"in_default", r.form.get("predefinito") == "1"}};
    auto entry = entry_of_form({}, k->kind, id, r.form, true);
    const auto now = ctx.now_ms();
    store::actor who{actor_name(r), std::nullopt};
    auto verdict = co_await ctx.audience->add(std::move(*entry), std::move(who), now);
    if (!verdict.ok()) {
      const auto c = co_await ctx.audience->catalogue();
      const int status = verdict_status(verdict);
      auto message = verdict_text(*k, verdict, id, r.form.get("nome"), c);
      auto res = co_await audience_page(ctx, r, status, std::move(message), std::move(typed));
      co_return res;
    }
    co_return audience_changed(r, *k, "add", id);
  });

  add_console_page(routes, ctx, "POST", "/console/admin/audience/{kind}/{id}", staff_role::admin,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    const auto* k = kind_of_path(r.http.path_params["kind"]);
    if (!k || !ctx.audience) co_return console_error(ctx, &r, 404, "Pagina non trovata", "Questo elenco non esiste.");
    const std::string id = r.http.path_params["id"];
    const auto c = co_await ctx.audience->catalogue();
    auto entry = entry_of_form(c, k->kind, id, r.form, false);
    if (!entry)
      co_return console_error(ctx, &r, 404, "Voce non trovata", std::string(k->One) + " «" + id + "» non esiste.");
    const auto now = ctx.now_ms();
    store::actor who{actor_name(r), std::nullopt};
    auto verdict = co_await ctx.audience->update(std::move(*entry), std::move(who), now);
    if (!verdict.ok()) {
      const int status = verdict_status(verdict);
      auto message = verdict_text(*k, verdict, id, name_in(c, k->kind, id), c);
      json typed;
      auto res = co_await audience_page(ctx, r, status, std::move(message), std::move(typed));
      co_return res;
    }
    co_return audience_changed(r, *k, "update", id);
  });

  add_console_page(routes, ctx, "POST", "/console/admin/audience/{kind}/{id}/remove", staff_role::admin,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
    const auto* k = kind_of_path(r.http.path_params["kind"]);
    if (!k || !ctx.audience) co_return console_error(ctx, &r, 404, "Pagina non trovata", "Questo elenco non esiste.");
    std::string id = r.http.path_params["id"];
    const auto c = co_await ctx.audience->catalogue();
    const auto name = name_in(c, k->kind, id);
    const auto now = ctx.now_ms();
    store::actor who{actor_name(r), std::nullopt};
    auto target = id;
    auto verdict = co_await ctx.audience->remove(k->kind, std::move(target), std::move(who), now);
    if (!verdict.ok()) {
      const int status = verdict_status(verdict);
      auto message = verdict_text(*k, verdict, id, name, c);
      json typed;
      auto res = co_await audience_page(ctx, r, status, std::move(message), std::move(typed));
      co_return res;
    }
    co_return audience_changed(r, *k, "remove", id);
  });

  // --- reply texts, settings ---
  add_console_page(routes, ctx, "GET", "/console/admin/replies", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    json data = {{"title", "Testi delle risposte"}, {"nav_admin", true}};
    if (admin.replies) data["replies"] = reply_rows(*admin.replies);
    data["has_replies"] = admin.replies.has_value();
    if (!admin.replies_file.empty()) data["replies_file"] = admin.replies_file;
    co_return console_page(ctx, r, "console_admin_replies", std::move(data));
  });

  add_console_page(routes, ctx, "GET", "/console/admin/settings", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    std::string message, field;
    std::string typed;
    auto res = co_await settings_page(ctx, admin, r, 200, std::move(message), std::move(field), std::move(typed));
    co_return res;
  });

  // One run-time setting changed («Salva») or returned to the
  // environment's value («Torna al valore dell'ambiente»): checked as the
  // environment's value is, stored with its audit row, applied at once.
  add_console_page(routes, ctx, "POST", "/console/admin/settings/{name}", staff_role::admin,
                   [&ctx, &admin](console_request& r) -> asio::awaitable<http::response> {
    const std::string name = r.http.path_params["name"];
    if (!admin.live || !config::is_runtime_setting(name))
      co_return console_error(ctx, &r, 404, "Impostazione non modificabile",
                              "Questa impostazione non si cambia dalla console: si cambia nell'ambiente del servizio "
                              "e si riavvia.");
    const bool back = r.form.get("azione") == "ripristina";
    std::optional<std::string> value;
    if (!back) value = std::string(r.form.get("valore"));
    auto who = actor_name(r);
    const auto now = ctx.now_ms();
    std::string target = name;
    auto typed = value.value_or(std::string());
    const auto done = co_await admin.live->change(std::move(target), std::move(value), std::move(who), now);
    if (done.outcome == live_change_outcome::invalid) {
      auto message = "Valore non valido per " + name + ": " + done.problem;
      std::string field = name;
      auto res = co_await settings_page(ctx, admin, r, 422, std::move(message), std::move(field), std::move(typed));
      co_return res;
    }
    log::info("setting.console", {{"request_id", r.http.request_id}, {"setting", name},
                                  {"change", back ? "reset" : "set"},
                                  {"changed", done.outcome == live_change_outcome::changed}});
    co_return console_redirect("/console/admin/settings#" + name);
  });
}

}  // namespace banditore::app

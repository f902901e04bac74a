#include <banditore/app/console_models.hpp>

#include <banditore/app/console_compose.hpp>
#include <banditore/domain/alert_message.hpp>
#include <banditore/domain/message_model.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/models.hpp>

#include <nlohmann/json.hpp>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

const std::vector<std::pair<std::string, std::string>> categories = {
    {"water", "acqua"},   {"roads", "strade"},   {"weather", "meteo"}, {"civil_protection", "protezione civile"},
    {"health", "salute"}, {"other", "altro"}};
const std::vector<std::pair<std::string, std::string>> severities = {
    {"minor", "lieve"}, {"moderate", "moderata"}, {"severe", "grave"}, {"extreme", "estrema"}};

std::string label_of(const std::vector<std::pair<std::string, std::string>>& values, std::string_view value) {
  for (const auto& [v, label] : values)
    if (v == value) return label;
  return std::string(value);
}

json choices(const std::vector<std::pair<std::string, std::string>>& values, const std::string& chosen) {
  json out = json::array();
  for (const auto& [value, label] : values) out.push_back({{"value", value}, {"label", label}, {"selected", value == chosen}});
  return out;
}

// The form's fields by the names of a /v1/models body, for its errors.
std::string field_label(std::string_view field) {
  if (field == "name") return "Nome";
  if (field == "text") return "Testo";
  if (field == "category") return "Categoria";
  if (field == "severity") return "Gravità";
  if (field == "values") return "Spazi";
  return std::string(field);
}

store::actor actor_of(const console_request& r) { return {"staff:" + r.session.user.email, std::nullopt}; }

http::response no_such_model(console_context& ctx, console_request& r) {
  return console_error(ctx, &r, 404, "Modello non trovato", "Non c'è un modello con questo numero.");
}

http::response no_models(console_context& ctx, console_request& r) {
  return console_error(ctx, &r, 503, "Modelli non disponibili", "I modelli non si possono leggere ora.");
}

// The editor's form: a new model (id 0) or one to change, with what was
// typed and why it was refused.
json editor_data(std::int64_t id, const std::string& name, const std::string& text, const std::string& category,
                 const std::string& severity) {
  json data = {{"title", id ? "Modifica modello" : "Nuovo modello"},
               {"nav_models", true},
               {"model_name", name},
               {"text", text},
               {"categories", choices(categories, category)},
               {"severities", choices(severities, severity)},
               {"name_limit", domain::max_model_name},
               {"action", id ? "/console/models/" + std::to_string(id) : std::string("/console/models")},
               {"existing", id != 0}};
  if (id) data["id"] = id;
  return data;
}

// The form as a POST /v1/models body: the same validation reads it.
json body_of(const http::form& f) {
  return {{"name", f.get("nome")}, {"text", f.get("testo")}, {"category", f.get("categoria")},
          {"severity", f.get("gravita")}};
}

http::response refused(console_context& ctx, console_request& r, json data, const std::vector<domain::field_error>& errors,
                       int status) {
  json list = json::array();
  for (const auto& e : errors) list.push_back({{"field", field_label(e.field)}, {"reason", e.field + " " + e.reason}});
  data["errors"] = list;
  data["has_errors"] = true;
  return console_page(ctx, r, "console_model", std::move(data), status);
}

// A created or changed model, or the page that says why not.
http::response after_change(console_context& ctx, console_request& r, const store::model_change& change, json data) {
  if (change.outcome == store::model_outcome::not_found) return no_such_model(ctx, r);
  if (change.outcome == store::model_outcome::name_taken) {
    const std::vector<domain::field_error> errors = {{"name", "è già il nome di un altro modello"}};
    return refused(ctx, r, std::move(data), errors, 409);
  }
  return console_redirect("/console/models?salvato=" + std::to_string(change.model->id));
}

// The blanks of a model as form fields, each with the words before it so
// the person filling them knows which is which.
json blanks_of(const std::string& text, const std::vector<std::string>& values) {
  json out = json::array();
  std::size_t pos = 0, n = 0;
  while (true) {
    const auto at = text.find(domain::blank_marker, pos);
    if (at == std::string::npos) break;
    auto end = at;
    while (end < text.size() && text[end] == '_') ++end;
    auto before = text.substr(pos, at - pos);
    // The last few words before the blank, on one line.
    if (const auto nl = before.find_last_of('\n'); nl != std::string::npos) before = before.substr(nl + 1);
    while (!before.empty() && (before.front() == ' ' || before.front() == '\t')) before.erase(0, 1);
    while (!before.empty() && (before.back() == ' ' || before.back() == '\t' || before.back() == '\r')) before.pop_back();
    if (before.size() > 60) {
      auto cut = before.size() - 60;
      while (cut < before.size() && (static_cast<unsigned char>(before[cut]) & 0xC0) == 0x80) ++cut;
      before = "…" + before.substr(cut);
    }
    ++n;
    out.push_back({{"n", n},
                   {"input_id", "spazio-" + std::to_string(n)},
                   {"before", before},
                   {"value", n <= values.size() ? values[n - 1] : std::string()}});
    pos = end;
  }
  return out;
}

json use_data(const store::model_record& m, const std::vector<std::string>& values) {
  return {{"title", "Usa il modello «" + m.name + "»"},
          {"nav_models", true},
          {"id", m.id},
          {"model_name", m.name},
          {"text", m.text},
          {"blanks", blanks_of(m.text, values)},
          {"has_blanks", domain::count_blanks(m.text) > 0}};
}

}  // namespace

void add_console_model_routes(http::router& routes, console_context& ctx, const alerts_context& api) {
  add_console_page(routes, ctx, "GET", "/console/models", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     if (!api.models) co_return no_models(ctx, r);
                     auto list = co_await api.models->list_models();
                     json items = json::array();
                     for (const auto& m : list)
                       items.push_back({{"id", m.id},
                                        {"name", m.name},
                                        {"blanks", domain::count_blanks(m.text)},
                                        {"category", label_of(categories, m.category)},
                                        {"severity", label_of(severities, m.severity)},
                                        {"updated", domain::rome_time_text(m.updated_at)}});
                     json data = {{"title", "Modelli"},
                                  {"nav_models", true},
                                  {"models", items},
                                  {"has_models", !items.empty()},
                                  {"saved", r.http.query_param("salvato").has_value()},
                                  {"removed", r.http.query_param("rimosso").has_value()}};
                     co_return console_page(ctx, r, "console_models", std::move(data));
                   });

  add_console_page(routes, ctx, "GET", "/console/models/new", staff_role::editor,
                   [&ctx](console_request& r) -> asio::awaitable<http::response> {
                     co_return console_page(ctx, r, "console_model", editor_data(0, "", "", "other", "minor"));
                   });

  add_console_page(routes, ctx, "POST", "/console/models", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     if (!api.models) co_return no_models(ctx, r);
                     auto data = editor_data(0, r.form.get("nome"), r.form.get("testo"), r.form.get("categoria"),
                                             r.form.get("gravita"));
                     auto validation = domain::validate_model(body_of(r.form));
                     if (!validation.model) co_return refused(ctx, r, std::move(data), validation.errors, 422);
                     auto who = actor_of(r);
                     auto change = co_await api.models->create_model(std::move(*validation.model), std::move(who),
                                                                     ctx.now_ms());
                     if (change.model)
                       log::info("model.created", {{"request_id", r.http.request_id}, {"model_id", change.model->id},
                                                   {"by", "console"}});
                     co_return after_change(ctx, r, change, std::move(data));
                   });

  add_console_page(routes, ctx, "GET", "/console/models/{id}", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     if (!api.models) co_return no_models(ctx, r);
                     const auto id = http::positive_id(r.http.path_params["id"]);
                     if (!id) co_return no_such_model(ctx, r);
                     auto m = co_await api.models->model(*id);
                     if (!m) co_return no_such_model(ctx, r);
                     co_return console_page(ctx, r, "console_model",
                                            editor_data(m->id, m->name, m->text, m->category, m->severity));
                   });

  add_console_page(routes, ctx, "POST", "/console/models/{id}", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     if (!api.models) co_return no_models(ctx, r);
                     const auto id = http::positive_id(r.http.path_params["id"]);
                     if (!id) co_return no_such_model(ctx, r);
                     auto data = editor_data(*id, r.form.get("nome"), r.form.get("testo"), r.form.get("categoria"),
                                             r.form.get("gravita"));
                     auto validation = domain::validate_model(body_of(r.form));
                     if (!validation.model) co_return refused(ctx, r, std::move(data), validation.errors, 422);
                     auto who = actor_of(r);
                     auto change = co_await api.models->update_model(*id, std::move(*validation.model), std::move(who),
                                                                     ctx.now_ms());
                     co_return after_change(ctx, r, change, std::move(data));
                   });

  add_console_page(routes, ctx, "POST", "/console/models/{id}/remove", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     if (!api.models) co_return no_models(ctx, r);
                     const auto id = http::positive_id(r.http.path_params["id"]);
                     if (!id) co_return no_such_model(ctx, r);
                     auto who = actor_of(r);
                     const bool removed = co_await api.models->delete_model(*id, std::move(who), ctx.now_ms());
                     if (!removed) co_return no_such_model(ctx, r);
                     log::info("model.deleted", {{"request_id", r.http.request_id}, {"model_id", *id}, {"by", "console"}});
                     co_return console_redirect("/console/models?rimosso=" + std::to_string(*id));
                   });

  add_console_page(routes, ctx, "GET", "/console/models/{id}/use", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     if (!api.models) co_return no_models(ctx, r);
                     const auto id = http::positive_id(r.http.path_params["id"]);
                     if (!id) co_return no_such_model(ctx, r);
                     auto m = co_await api.models->model(*id);
                     if (!m) co_return no_such_model(ctx, r);
                     const std::vector<std::string> none;
                     co_return console_page(ctx, r, "console_model_use", use_data(*m, none));
                   });

  // The blanks filled in order, as POST /v1/models/{id}/fill reads and
  // fills them; the compose page then opens with the model's title, words,
  // category and severity, and nothing is saved yet.
  add_console_page(routes, ctx, "POST", "/console/models/{id}/use", staff_role::editor,
                   [&ctx, &api](console_request& r) -> asio::awaitable<http::response> {
                     if (!api.models) co_return no_models(ctx, r);
                     const auto id = http::positive_id(r.http.path_params["id"]);
                     if (!id) co_return no_such_model(ctx, r);
                     auto m = co_await api.models->model(*id);
                     if (!m) co_return no_such_model(ctx, r);
                     const auto values = r.form.all("spazio");
                     const auto reading = domain::read_fill_values(json{{"values", values}});
                     std::vector<domain::field_error> errors = reading.errors;
                     std::optional<std::string> text;
                     if (reading.values) {
                       auto filled = domain::fill_blanks(m->text, *reading.values);
                       if (filled.text) text = std::move(filled.text);
                       else errors.push_back({"values", filled.reason});
                     }
                     if (!text) {
                       auto data = use_data(*m, values);
                       json list = json::array();
                       for (const auto& e : errors)
                         list.push_back({{"field", field_label(e.field)}, {"reason", e.reason}});
                       data["errors"] = list;
                       data["has_errors"] = true;
                       co_return console_page(ctx, r, "console_model_use", std::move(data), 422);
                     }
                     http::form fields;
                     fields.fields = {{"categoria", m->category}, {"gravita", m->severity}, {"titolo", m->name},
                                      {"testo", *text}};
                     auto res = co_await console_compose_page(ctx, api, r, fields);
                     co_return res;
                   });
}

}  // namespace banditore::app

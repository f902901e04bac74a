#include <banditore/app/audience_api.hpp>

#include <banditore/app/auth.hpp>
#include <banditore/domain/audience_rules.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/http/json_text.hpp>
#include <banditore/log/log.hpp>
#include <banditore/store/api_keys.hpp>
#include <banditore/store/audience.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <string>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

using domain::now_ms;

constexpr std::string_view admin_scope = "audience:admin";

// --- the JSON of each kind ----------------------------------------------------

// A boundary as stored (GeoJSON text, checked when written), or null.
json polygon_json(const std::string& polygon) {
  if (polygon.empty()) return nullptr;
  auto j = json::parse(polygon, nullptr, false);
  return j.is_discarded() ? json(nullptr) : j;
}

json to_json(const domain::town& t) {
  return {{"id", t.id}, {"name", t.name}, {"istat_code", t.istat_code.empty() ? json(nullptr) : json(t.istat_code)},
          {"keywords", t.keywords}, {"polygon", polygon_json(t.polygon)}};
}
json to_json(const domain::topic& t) {
  return {{"id", t.id}, {"name", t.name}, {"keywords", t.keywords}, {"in_default", t.in_default}};
}
json to_json(const domain::area& a) {
  return {{"id", a.id}, {"town", a.town_id}, {"name", a.name}, {"keywords", a.keywords},
          {"polygon", polygon_json(a.polygon)}};
}

struct field_problem {
  std::string field;
  std::string reason;
};
using read_result = std::optional<field_problem>;

read_result read_text(const json& body, const char* name, std::string& out) {
  if (!body.contains(name)) return std::nullopt;
  if (!body.at(name).is_string()) return field_problem{name, "must be a string"};
  out = body.at(name).get<std::string>();
  return std::nullopt;
}

// A GeoJSON Polygon object, or null to clear it; its content is checked
// by the catalogue's rules (audience_rules), which name the problem.
read_result read_polygon(const json& body, std::string& out) {
  if (!body.contains("polygon")) return std::nullopt;
  const auto& p = body.at("polygon");
  if (p.is_null()) {
    out.clear();
    return std::nullopt;
  }
  if (!p.is_object()) return field_problem{"polygon", "must be a GeoJSON Polygon object or null"};
  out = p.dump();
  return std::nullopt;
}

read_result read_keywords(const json& body, std::vector<std::string>& out) {
  if (!body.contains("keywords")) return std::nullopt;
  const auto& k = body.at("keywords");
  if (!k.is_array() || !std::all_of(k.begin(), k.end(), [](const json& e) { return e.is_string(); }))
    return field_problem{"keywords", "must be an array of strings"};
  out = k.get<std::vector<std::string>>();
  return std::nullopt;
}

// The fields each kind takes, and how a body fills them. Fields a kind
// does not have are refused: a typo must not pass as a default.
template <class T>
struct kind_traits;

template <>
struct kind_traits<domain::town> {
  static constexpr domain::catalogue_kind kind = domain::catalogue_kind::town;
  static constexpr std::string_view singular = "town";
  static constexpr std::string_view collection = "towns";
  static constexpr std::array<std::string_view, 5> fields{"id", "name", "istat_code", "keywords", "polygon"};
  static read_result read(const json& b, domain::town& t) {
    if (auto p = read_text(b, "name", t.name)) return p;
    if (auto p = read_polygon(b, t.polygon)) return p;
    if (b.contains("istat_code") && b.at("istat_code").is_null()) t.istat_code.clear();
    else if (auto p = read_text(b, "istat_code", t.istat_code)) return field_problem{"istat_code", "must be a string or null"};
    return read_keywords(b, t.keywords);
  }
  static const std::vector<domain::town>& list(const domain::audience_catalogue& c) { return c.towns; }
};

template <>
struct kind_traits<domain::topic> {
  static constexpr domain::catalogue_kind kind = domain::catalogue_kind::topic;
  static constexpr std::string_view singular = "topic";
  static constexpr std::string_view collection = "topics";
  static constexpr std::array<std::string_view, 4> fields{"id", "name", "keywords", "in_default"};
  static read_result read(const json& b, domain::topic& t) {
    if (auto p = read_text(b, "name", t.name)) return p;
    if (b.contains("in_default")) {
      if (!b.at("in_default").is_boolean()) return field_problem{"in_default", "must be true or false"};
      t.in_default = b.at("in_default").get<bool>();
    }
    return read_keywords(b, t.keywords);
  }
  static const std::vector<domain::topic>& list(const domain::audience_catalogue& c) { return c.topics; }
};

template <>
struct kind_traits<domain::area> {
  static constexpr domain::catalogue_kind kind = domain::catalogue_kind::area;
  static constexpr std::string_view singular = "area";
  static constexpr std::string_view collection = "areas";
  static constexpr std::array<std::string_view, 5> fields{"id", "town", "name", "keywords", "polygon"};
  static read_result read(const json& b, domain::area& a) {
    if (auto p = read_text(b, "name", a.name)) return p;
    if (auto p = read_polygon(b, a.polygon)) return p;
    if (auto p = read_text(b, "town", a.town_id)) return p;
    return read_keywords(b, a.keywords);
  }
  static const std::vector<domain::area>& list(const domain::audience_catalogue& c) { return c.areas; }
};

// --- requests and answers -------------------------------------------------------

bool is_json(std::string_view content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower(media);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

// The body as a JSON object, or the 400/415 that refuses it.
std::variant<json, http::response> object_body(const http::request& req) {
  if (!is_json(req.header("Content-Type")))
    return http::problem(415, "Unsupported Media Type", "Content-Type must be application/json");
  // A NUL ends nlohmann's input: JSON, a NUL and garbage would parse.
  auto body = req.body.find('\0') == std::string::npos ? json::parse(req.body, nullptr, false)
                                                        : json(json::value_t::discarded);
  if (body.is_discarded()) return http::problem(400, "Bad Request", "the body is not valid JSON (UTF-8)");
  if (!body.is_object()) return http::problem(400, "Bad Request", "the body must be a JSON object");
  return body;
}

http::response unprocessable(const std::string& field, const std::string& reason) {
  auto p = http::problem(422, "Unprocessable Content", field + " " + reason);
  auto j = json::parse(p.body);
  j["errors"] = json::array({{{"field", field}, {"reason", reason}}});
  p.body = http::json_text(j);
  return p;
}

template <class T>
read_result unknown_field(const json& body) {
  for (const auto& [name, value] : body.items()) {
    const auto& known = kind_traits<T>::fields;
    if (std::find(known.begin(), known.end(), name) == known.end())
      return field_problem{name, "is not a field of a " + std::string(kind_traits<T>::singular)};
  }
  return std::nullopt;
}

template <class T>
http::response not_found(std::string_view id) {
  return http::problem(404, "Not Found", "there is no " + std::string(kind_traits<T>::singular) + " '" +
                                             std::string(id) + "'");
}

// A verdict that is not done, as the client reads it.
template <class T>
http::response refusal(const domain::catalogue_verdict& v, std::string_view id) {
  const std::string what = std::string(kind_traits<T>::singular) + " '" + std::string(id) + "'";
  switch (v.outcome) {
    case domain::catalogue_outcome::not_found: return not_found<T>(id);
    case domain::catalogue_outcome::duplicate: return http::problem(409, "Conflict", "there is already a " + what);
    case domain::catalogue_outcome::in_use: return http::problem(409, "Conflict", what + " " + v.reason);
    case domain::catalogue_outcome::invalid: return unprocessable(v.field, v.reason);
    case domain::catalogue_outcome::done: break;
  }
  return http::problem(500, "Internal Server Error", "unexpected outcome");
}

template <class T>
const T* find(const domain::audience_catalogue& c, std::string_view id) {
  const auto& list = kind_traits<T>::list(c);
  auto it = std::find_if(list.begin(), list.end(), [id](const T& e) { return e.id == id; });
  return it == list.end() ? nullptr : &*it;
}

void log_change(const http::request& req, std::string_view kind, std::string_view change, std::string_view id,
                const store::key_info& key) {
  log::info("audience.changed", {{"request_id", req.request_id}, {"kind", kind}, {"change", change}, {"id", id},
                                 {"key", key.name}});
}

template <class T>
void add_kind_routes(http::router& routes, audience_context& ctx) {
  using traits = kind_traits<T>;
  const std::string base = "/v1/" + std::string(traits::collection);
  const std::string one = base + "/{id}";
  constexpr auto kind = traits::kind;

  routes.add("GET", base, [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(req, any_key, *ctx.keys, ctx.throttle, now_ms());
    if (auth.refusal) co_return std::move(*auth.refusal);
    std::optional<std::string> town;
    if constexpr (std::is_same_v<T, domain::area>) {
      town = req.query_param("town");
      if (town && !domain::valid_audience_id(*town))
        co_return http::problem(400, "Bad Request", "town must be a town id");
    }
    auto catalogue = co_await ctx.audience->catalogue();
    json items = json::array();
    for (const auto& e : traits::list(catalogue)) {
      if constexpr (std::is_same_v<T, domain::area>)
        if (town && e.town_id != *town) continue;
      items.push_back(to_json(e));
    }
    json page = {{std::string(traits::collection), items}};
    co_return http::json_response(200, http::json_text(page));
  });

  routes.add("GET", one, [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(req, any_key, *ctx.keys, ctx.throttle, now_ms());
    if (auth.refusal) co_return std::move(*auth.refusal);
    const std::string id = req.path_params["id"];
    auto catalogue = co_await ctx.audience->catalogue();
    const T* found = find<T>(catalogue, id);
    if (!found) co_return not_found<T>(id);
    co_return http::json_response(200, http::json_text(to_json(*found)));
  });

  routes.add("POST", base, [&ctx, base](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(req, admin_scope, *ctx.keys, ctx.throttle, now_ms());
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto parsed = object_body(req);
    if (auto* refused = std::get_if<http::response>(&parsed)) co_return std::move(*refused);
    const auto& body = std::get<json>(parsed);
    if (auto p = unknown_field<T>(body)) co_return unprocessable(p->field, p->reason);
    T entry;
    if (auto p = read_text(body, "id", entry.id)) co_return unprocessable(p->field, p->reason);
    if (auto p = traits::read(body, entry)) co_return unprocessable(p->field, p->reason);
    for (auto required : traits::fields) {
      if (required == "keywords" || required == "istat_code" || required == "in_default" || required == "polygon")
        continue;
      if (!body.contains(required)) co_return unprocessable(std::string(required), "is required");
    }
    const std::string id = entry.id;
    store::actor who{"key:" + auth.key->name, auth.key->id};
    domain::catalogue_entry change{entry};
    const auto now = now_ms();
    auto verdict = co_await ctx.audience->add(std::move(change), std::move(who), now);
    if (!verdict.ok()) co_return refusal<T>(verdict, id);
    log_change(req, traits::singular, "add", id, *auth.key);
    auto res = http::json_response(201, http::json_text(to_json(entry)));
    res.headers.push_back({"Location", base + "/" + id});
    co_return res;
  });

  routes.add("PATCH", one, [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(req, admin_scope, *ctx.keys, ctx.throttle, now_ms());
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto parsed = object_body(req);
    if (auto* refused = std::get_if<http::response>(&parsed)) co_return std::move(*refused);
    const auto& body = std::get<json>(parsed);
    if (auto p = unknown_field<T>(body)) co_return unprocessable(p->field, p->reason);
    const std::string id = req.path_params["id"];
    if (body.contains("id") && body.at("id") != id) co_return unprocessable("id", "cannot change; add a new one");
    auto catalogue = co_await ctx.audience->catalogue();
    const T* found = find<T>(catalogue, id);
    if (!found) co_return not_found<T>(id);
    T entry = *found;
    if (auto p = traits::read(body, entry)) co_return unprocessable(p->field, p->reason);
    store::actor who{"key:" + auth.key->name, auth.key->id};
    domain::catalogue_entry change{entry};
    const auto now = now_ms();
    auto verdict = co_await ctx.audience->update(std::move(change), std::move(who), now);
    if (!verdict.ok()) co_return refusal<T>(verdict, id);
    log_change(req, traits::singular, "update", id, *auth.key);
    co_return http::json_response(200, http::json_text(to_json(entry)));
  });

  routes.add("DELETE", one, [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(req, admin_scope, *ctx.keys, ctx.throttle, now_ms());
    if (auth.refusal) co_return std::move(*auth.refusal);
    const std::string id = req.path_params["id"];
    auto catalogue = co_await ctx.audience->catalogue();
    const T* found = find<T>(catalogue, id);
    if (!found) co_return not_found<T>(id);
    const T removed = *found;
    store::actor who{"key:" + auth.key->name, auth.key->id};
    std::string target = id;
    const auto now = now_ms();
    auto verdict = co_await ctx.audience->remove(kind, std::move(target), std::move(who), now);
    if (!verdict.ok()) co_return refusal<T>(verdict, id);
    log_change(req, traits::singular, "remove", id, *auth.key);
    // The entry as it was, so a client can tell what went.
    co_return http::json_response(200, http::json_text(to_json(removed)));
  });
}

}  // namespace

void add_audience_routes(http::router& routes, audience_context& ctx) {
  add_kind_routes<domain::town>(routes, ctx);
  add_kind_routes<domain::topic>(routes, ctx);
  add_kind_routes<domain::area>(routes, ctx);
}

}  // namespace banditore::app

#include <banditore/app/settings_api.hpp>

#include <banditore/app/auth.hpp>
#include <banditore/app/live_settings.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/domain/rfc3339.hpp>
#include <banditore/http/json_text.hpp>
#include <banditore/store/api_keys.hpp>

#include <nlohmann/json.hpp>

#include <cctype>
#include <string>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

using domain::now_ms;

constexpr std::string_view admin_scope = "audience:admin";

json to_json(const live_setting& s) {
  json j = {{"name", s.name},
            {"value", s.value},
            {"origin", s.origin},
            {"environment_value", s.environment_value},
            {"meaning", s.meaning},
            {"changed_by", nullptr},
            {"changed_at", nullptr}};
  if (s.origin == "console") {
    j["changed_by"] = s.changed_by;
    if (s.changed_at) j["changed_at"] = domain::format_rfc3339_utc(*s.changed_at);
  }
  return j;
}

bool is_json(std::string_view content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower(media);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

http::response no_such_setting(const std::string& name) {
  return http::problem(404, "Not Found",
                       "'" + name + "' is not a setting that can change while the service runs; GET /v1/settings "
                                    "lists those that can");
}

asio::awaitable<http::response> setting_answer(live_settings& live, const std::string& name) {
  const auto all = co_await live.list();
  for (const auto& s : all)
    if (s.name == name) co_return http::json_response(200, http::json_text(to_json(s)));
  co_return no_such_setting(name);
}

}  // namespace

void add_settings_routes(http::router& routes, settings_api_context& ctx) {
  routes.add("GET", "/v1/settings", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(req, admin_scope, *ctx.keys, ctx.throttle, now_ms());
    if (auth.refusal) co_return std::move(*auth.refusal);
    const auto all = co_await ctx.live->list();
    json items = json::array();
    for (const auto& s : all) items.push_back(to_json(s));
    co_return http::json_response(200, http::json_text(json{{"items", items}}));
  });

  routes.add("PUT", "/v1/settings/{name}", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(req, admin_scope, *ctx.keys, ctx.throttle, now_ms());
    if (auth.refusal) co_return std::move(*auth.refusal);
    const std::string name = req.path_params["name"];
    if (!is_json(req.header("Content-Type")))
      co_return http::problem(415, "Unsupported Media Type", "Content-Type must be application/json");
    // A NUL ends nlohmann's input: JSON, a NUL and garbage would parse.
    auto body = req.body.find('\0') == std::string::npos ? json::parse(req.body, nullptr, false)
                                                          : json(json::value_t::discarded);
    if (body.is_discarded()) co_return http::problem(400, "Bad Request", "the body is not valid JSON (UTF-8)");
    if (!body.is_object() || !body.contains("value") || !body.at("value").is_string() || body.size() != 1) {
      auto p = http::problem(422, "Unprocessable Content", "the body must be {\"value\": \"...\"}, a string alone");
      auto j = json::parse(p.body);
      j["errors"] = json::array({{{"field", "value"}, {"reason", "must be a string, the only field"}}});
      p.body = http::json_text(j);
      co_return p;
    }
    std::optional<std::string> value = body.at("value").get<std::string>();
    auto actor = "key:" + auth.key->name;
    const auto now = now_ms();
    std::string target = name;
    const auto done = co_await ctx.live->change(std::move(target), std::move(value), std::move(actor), now);
    if (done.outcome == live_change_outcome::unknown_name) co_return no_such_setting(name);
    if (done.outcome == live_change_outcome::invalid) {
      auto p = http::problem(422, "Unprocessable Content", done.problem);
      auto j = json::parse(p.body);
      j["errors"] = json::array({{{"field", "value"}, {"reason", done.problem}}});
      j["setting"] = name;
      p.body = http::json_text(j);
      co_return p;
    }
    auto res = co_await setting_answer(*ctx.live, name);
    co_return res;
  });

  routes.add("DELETE", "/v1/settings/{name}", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(req, admin_scope, *ctx.keys, ctx.throttle, now_ms());
    if (auth.refusal) co_return std::move(*auth.refusal);
    const std::string name = req.path_params["name"];
    auto actor = "key:" + auth.key->name;
    const auto now = now_ms();
    std::string target = name;
    std::optional<std::string> none;
    const auto done = co_await ctx.live->change(std::move(target), std::move(none), std::move(actor), now);
    if (done.outcome == live_change_outcome::unknown_name) co_return no_such_setting(name);
    auto res = co_await setting_answer(*ctx.live, name);
    co_return res;
  });
}

}  // namespace banditore::app

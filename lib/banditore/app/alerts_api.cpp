#include <banditore/app/alerts_api.hpp>

#include <banditore/app/alert_submission.hpp>
#include <banditore/app/auth.hpp>
#include <banditore/app/draft_approval.hpp>
#include <banditore/crypto/hash.hpp>
#include <banditore/domain/alert.hpp>
#include <banditore/domain/alert_audience.hpp>
#include <banditore/store/audience.hpp>
#include <banditore/domain/quiet_hours.hpp>
#include <banditore/http/json_text.hpp>
#include <banditore/log/log.hpp>
#include <banditore/domain/clock.hpp>
#include <banditore/domain/draft_decision.hpp>
#include <banditore/store/alerts.hpp>
#include <banditore/store/api_keys.hpp>
#include <banditore/store/drafts.hpp>
#include <banditore/store/media.hpp>
#include <banditore/store/models.hpp>
#include <banditore/domain/media_rules.hpp>
#include <banditore/domain/message_model.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace banditore::app {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

using domain::now_ms;

json time_or_null(const std::optional<std::int64_t>& t) {
  return t ? json(domain::format_rfc3339_utc(*t)) : json(nullptr);
}

json counts_json(const store::delivery_counts& c) {
  return {{"queued", c.queued}, {"sending", c.sending}, {"sent", c.sent}, {"delivered", c.delivered},
          {"read", c.read}, {"failed", c.failed}, {"cancelled", c.cancelled}};
}

json alert_json(const store::alert_record& a) {
  return {{"id", a.id},
          {"state", a.state},
          {"category", a.category},
          {"severity", a.severity},
          {"title", a.title},
          {"text", a.text},
          {"link", a.link.empty() ? json(nullptr) : json(a.link)},
          {"source", a.source},
          {"created_at", domain::format_rfc3339_utc(a.created_at)},
          {"not_before", domain::format_rfc3339_utc(a.not_before)},
          {"expires_at", time_or_null(a.expires_at)},
          {"cancelled_at", time_or_null(a.cancelled_at)},
          {"finished_at", time_or_null(a.finished_at)},
          {"audience", domain::audience_json(a.audience)},
          {"updates", a.updates ? json(*a.updates) : json(nullptr)},
          {"recipients", a.planned_count},
          {"media", a.media_id ? json(*a.media_id) : json(nullptr)},
          {"send_at", time_or_null(a.send_at)},
          {"location", "/v1/alerts/" + std::to_string(a.id)}};
}

json report_json(const store::alert_report& r) {
  auto j = alert_json(r.alert);
  j["counts"] = counts_json(r.counts);
  j["reached"] = r.counts.sent + r.counts.delivered + r.counts.read;
  j["first_sent_at"] = time_or_null(r.first_sent_at);
  j["last_sent_at"] = time_or_null(r.last_sent_at);
  double rate = 0;
  if (r.first_sent_at && r.last_sent_at && *r.last_sent_at > *r.first_sent_at)
    rate = static_cast<double>(j["reached"].get<std::int64_t>() + r.counts.failed) * 1000.0 /
           static_cast<double>(*r.last_sent_at - *r.first_sent_at);
  j["rate_per_second"] = std::round(rate * 10) / 10;
  j["waiting_for_messaging_limit"] = r.waiting_for_limit;
  // Why deliveries failed or wait, per state: WhatsApp's code, its title
  // and how many deliveries carry it.
  json errors = json::object();
  for (const auto& e : r.errors) {
    auto& list = errors[e.state];
    if (list.is_null()) list = json::array();
    list.push_back({{"code", e.code}, {"title", e.title}, {"count", e.count}});
  }
  j["errors"] = errors;
  return j;
}

bool is_json(std::string_view content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower(media);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

// ?limit=1..100 (default 20) and ?before=<id> of a list, newest first.
struct page_query {
  std::int64_t limit = 20;
  std::int64_t before = 0;
  std::optional<http::response> refusal;
};
page_query read_page(const http::request& req, std::string_view id_kind) {
  page_query q;
  if (auto l = req.query_param("limit")) {
    auto v = http::positive_id(*l);
    if (!v || *v > 100) q.refusal = http::problem(400, "Bad Request", "limit must be from 1 to 100");
    else q.limit = *v;
  }
  if (auto b = req.query_param("before"); b && !q.refusal) {
    auto v = http::positive_id(*b);
    if (!v) q.refusal = http::problem(400, "Bad Request", "before must be " + std::string(id_kind));
    else q.before = *v;
  }
  return q;
}

bool sane_idempotency_key(std::string_view k) {
  if (k.empty() || k.size() > 200) return false;
  for (unsigned char c : k)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

asio::awaitable<auth_result> authorize(alerts_context& ctx, const http::request& req, std::string_view scope) {
  return app::authorize(req, scope, *ctx.keys, ctx.throttle, now_ms());
}

http::response unprocessable(const std::vector<domain::field_error>& errors) {
  json list = json::array();
  for (const auto& e : errors) list.push_back({{"field", e.field}, {"reason", e.reason}});
  auto p = http::problem(422, "Unprocessable Content", errors.front().field + " " + errors.front().reason);
  auto j = json::parse(p.body);
  j["errors"] = list;
  p.body = http::json_text(j);
  return p;
}

// A POST /v1/alerts body read and checked, as the alert and the preview
// both take it; or the refusal to answer.
struct alert_request {
  std::optional<http::response> refusal;
  json body;
  domain::alert_validation validation;
  domain::alert_audience audience;
  bool submit = false;  // POST /v1/drafts: "submit": true asks for approval at once
};

// for_draft: the body of POST /v1/drafts, which also takes "submit" and
// takes neither "draft_id" nor "allow_duplicate".
asio::awaitable<alert_request> read_alert_request(alerts_context& ctx, const http::request& req,
                                                  const store::key_info& key, std::int64_t now,
                                                  bool for_draft = false) {
  alert_request out;
  if (!is_json(req.header("Content-Type"))) {
    out.refusal = http::problem(415, "Unsupported Media Type", "Content-Type must be application/json");
    co_return out;
  }
  // A NUL ends nlohmann's input: JSON, a NUL and garbage would parse.
  out.body = req.body.find('\0') == std::string::npos ? json::parse(req.body, nullptr, false)
                                                       : json(json::value_t::discarded);
  if (out.body.is_discarded()) {
    out.refusal = http::problem(400, "Bad Request", "the body is not valid JSON (UTF-8)");
    co_return out;
  }
  std::vector<domain::field_error> draft_errors;
  if (for_draft && out.body.is_object()) {
    if (auto it = out.body.find("submit"); it != out.body.end()) {
      if (it->is_boolean()) out.submit = it->get<bool>();
      else draft_errors.push_back({"submit", "must be true or false"});
      out.body.erase(it);
    }
    for (const char* name : {"draft_id", "allow_duplicate"})
      if (out.body.contains(name)) draft_errors.push_back({name, "is not taken by a draft"});
  }
  auto c = co_await check_alert(ctx, out.body, key.towns, now, std::move(draft_errors));
  if (!c.errors.empty()) out.refusal = unprocessable(c.errors);
  else if (c.forbidden) out.refusal = http::problem(403, "Forbidden", *c.forbidden);
  out.validation = std::move(c.validation);
  out.audience = std::move(c.audience);
  co_return out;
}

json counted_json(const domain::counted_text& c) {
  return {{"text", c.text}, {"html", c.html}, {"chars", c.chars}, {"limit", c.limit}, {"fits", c.fits()}};
}

// The alert as the phone will show it, in both forms (domain/phone_preview).
// media_mime_type: the alert's attachment (empty: none).
json phone_json(const domain::alert_draft& d, const domain::phone_forms& forms, std::int64_t now,
                std::string_view media_mime_type = {}) {
  domain::alert_content content;
  content.level = d.level;
  content.title = d.title;
  content.text = d.text;
  content.link = d.link;
  content.issued_at_ms = now;
  const auto view = domain::phone_preview(content, d.category, forms, media_mime_type);
  json out = {{"free_text", counted_json(view.free_text)}, {"caption", view.caption}, {"template", nullptr}};
  if (view.templ) {
    json params = json::array();
    for (const auto& p : view.templ->parameters)
      params.push_back({{"name", p.name}, {"value", p.value}, {"chars", p.chars}, {"valid", p.valid}});
    out["template"] = {{"name", view.templ->name},
                       {"language", view.templ->language},
                       {"body_known", view.templ->body_known},
                       {"parameters", params},
                       {"body", counted_json(view.templ->body)}};
    if (view.templ->with_attachment) out["template"]["with_attachment"] = *view.templ->with_attachment;
  }
  return out;
}

// The rule asks a second person for this alert and the key may not go
// past it: nothing is created; the press office writes a draft instead.
http::response approval_required(const domain::approval_rule& rule, const domain::alert_draft& d) {
  const std::string detail =
      fmt::format("the approval rule ({}) asks a second person for a {} {} alert: write it as a draft "
                  "(POST /v1/drafts with \"submit\": true) and have another key approve it "
                  "(POST /v1/drafts/{{id}}/approve)",
                  rule.text(), domain::to_string(d.level), d.category);
  auto p = http::problem(403, "Approval Required", detail);
  auto j = json::parse(p.body);
  j["approval_rule"] = rule.text();
  p.body = http::json_text(j);
  return p;
}

// A "media" that names no stored attachment: what POST /v1/alerts and
// the drafts' routes answer alike.
http::response unknown_media(std::int64_t id) {
  const std::vector<domain::field_error> errors = {
      {"media", "there is no attachment " + std::to_string(id) + "; upload it with POST /v1/media"}};
  return unprocessable(errors);
}

http::response not_found(std::int64_t id) {
  const std::string detail = "there is no alert " + std::to_string(id);
  return http::problem(404, "Not Found", detail);
}

}  // namespace

namespace {

// Each business portfolio once, as its first number names it (its numbers
// share its tier), in the numbers' order.
std::vector<const alerts_context::number_pace*> portfolios_of(const alerts_context& ctx) {
  std::vector<const alerts_context::number_pace*> out;
  for (const auto& n : ctx.numbers)
    if (std::none_of(out.begin(), out.end(), [&](const auto* seen) { return seen->portfolio == n.portfolio; }))
      out.push_back(&n);
  return out;
}

// A portfolio's use of its limit, if it made any.
const store::portfolio_usage* use_of(const std::vector<store::portfolio_usage>& uses, std::string_view portfolio) {
  const auto it = std::find_if(uses.begin(), uses.end(), [&](const auto& u) { return u.portfolio == portfolio; });
  return it == uses.end() ? nullptr : &*it;
}

json tier_json(std::int64_t tier) { return tier == 0 ? json("unlimited") : json(tier); }

}  // namespace

preview_plan plan_preview(const alerts_context& ctx, const store::alert_preview_counts& counts) {
  preview_plan plan;
  if (ctx.numbers.empty() || counts.audience.numbers.empty()) {
    domain::number_load load;
    load.number = ctx.phone_number_id;
    load.recipients = counts.audience.recipients;
    load.outside_window = counts.audience.outside_window;
    load.messages_per_second = ctx.messages_per_second;
    plan.loads.push_back(std::move(load));
    if (ctx.tier_limit > 0) plan.limits.push_back({"", ctx.tier_limit, counts.usage.used, counts.usage.frees_at});
    return plan;
  }
  // Each number's share at its own pace; the limit per portfolio, shared
  // by its numbers and apart from other portfolios (Meta, since 7 October
  // 2025), each with the use its own numbers made of it.
  for (const auto& counted : counts.audience.numbers) {
    auto pace = std::find_if(ctx.numbers.begin(), ctx.numbers.end(),
                             [&](const auto& n) { return n.id == counted.number_id; });
    if (pace == ctx.numbers.end()) pace = ctx.numbers.begin();
    plan.loads.push_back({pace->id, pace->portfolio, counted.recipients, counted.outside_window,
                          pace->messages_per_second});
  }
  for (const auto* n : portfolios_of(ctx)) {
    if (n->tier <= 0) continue;
    domain::messaging_limit limit{n->portfolio, n->tier, 0, std::nullopt};
    if (const auto* use = use_of(counts.portfolios, n->portfolio)) {
      limit.used = use->used;
      limit.frees_at_ms = use->frees_at;
    }
    plan.limits.push_back(std::move(limit));
  }
  return plan;
}

std::int64_t limit_in_force(const alerts_context& ctx) {
  if (ctx.numbers.empty()) return ctx.tier_limit;
  std::int64_t tier = 0;
  for (const auto& n : ctx.numbers) tier = std::max(tier, n.tier);
  return tier;
}

namespace {

// The messaging limit as the preview and a created alert's answer tell
// it: the deployment's use of it, who waits and until when; with several
// numbers, each portfolio's own use and whom it holds back (numbers of
// one portfolio share them), and the tier only where a single portfolio
// applies.
json limit_json(const alerts_context& ctx, const store::alert_preview_counts& counts, const preview_plan& plan,
                const domain::preview_estimate& e) {
  json j = {{"tier", tier_json(ctx.tier_limit)},
            {"used", counts.usage.used},
            {"will_wait", e.waiting_for_limit},
            {"first_frees_at", time_or_null(e.first_frees_at_ms)},
            {"all_sent_by", time_or_null(e.all_sent_by_ms)}};
  if (ctx.numbers.empty()) return j;
  json portfolios = json::array();
  for (const auto* n : portfolios_of(ctx)) {
    json p = {{"portfolio", n->portfolio}, {"tier", tier_json(n->tier)}};
    const auto* use = use_of(counts.portfolios, n->portfolio);
    p["used"] = use ? use->used : 0;
    const auto held = std::find_if(e.portfolios.begin(), e.portfolios.end(),
                                   [&](const auto& h) { return h.portfolio == n->portfolio; });
    std::int64_t outside = 0;
    for (const auto& l : plan.loads) outside += l.portfolio == n->portfolio ? l.outside_window : 0;
    p["outside_window"] = outside;
    p["will_wait"] = held == e.portfolios.end() ? 0 : held->waiting;
    p["first_frees_at"] = time_or_null(held == e.portfolios.end() ? std::nullopt : held->first_frees_at_ms);
    p["all_sent_by"] = time_or_null(held == e.portfolios.end() ? std::nullopt : held->all_sent_by_ms);
    portfolios.push_back(std::move(p));
  }
  j["tier"] = portfolios.size() == 1 ? portfolios[0]["tier"] : json(nullptr);
  j["portfolios"] = std::move(portfolios);
  return j;
}

}  // namespace

void add_alert_routes(http::router& routes, alerts_context& ctx) {
  routes.add("POST", "/v1/alerts", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    const auto now = now_ms();
    if (!is_json(req.header("Content-Type")))
      co_return http::problem(415, "Unsupported Media Type", "Content-Type must be application/json");
    // A NUL ends nlohmann's input: JSON, a NUL and garbage would parse.
    auto body = req.body.find('\0') == std::string::npos ? json::parse(req.body, nullptr, false)
                                                         : json(json::value_t::discarded);
    if (body.is_discarded()) co_return http::problem(400, "Bad Request", "the body is not valid JSON (UTF-8)");
    std::string idem(req.header("Idempotency-Key"));
    if (!idem.empty() && !sane_idempotency_key(idem))
      co_return http::problem(400, "Bad Request", "Idempotency-Key must be 1 to 200 printable ASCII characters");

    // The same checks, rule and creation as the console's Invia
    // (app/alert_submission.hpp).
    alert_sender sender;
    sender.who = {"key:" + auth.key->name, auth.key->id};
    sender.towns = auth.key->towns;
    sender.powers = domain::powers_of_scopes(auth.key->scopes);
    sender.source = "api";
    sender.key_name = auth.key->name;
    sender.request_id = req.request_id;
    auto submitted = co_await submit_alert(ctx, std::move(sender), std::move(body), std::move(idem), now);
    switch (submitted.outcome) {
      case submission_outcome::invalid:
        co_return unprocessable(submitted.errors);
      case submission_outcome::forbidden:
        co_return http::problem(403, "Forbidden", submitted.detail);
      case submission_outcome::approval_required:
        co_return approval_required(ctx.approval_now(), *submitted.draft);
      case submission_outcome::draft_gone: {
        const std::string detail = "draft " + std::to_string(*submitted.draft_id) +
                                   " is not a draft any more (sent or discarded) or does not exist";
        co_return http::problem(409, "Conflict", detail);
      }
      case submission_outcome::stored:
        break;
    }
    auto& out = submitted.created;
    if (out.result.outcome == store::create_outcome::conflict) {
      const std::string detail = "Idempotency-Key was already used for alert " + std::to_string(out.result.id) +
                                 " with a different request";
      co_return http::problem(409, "Conflict", detail);
    }
    if (out.result.outcome == store::create_outcome::draft_unavailable) {
      const std::string detail = "draft " + std::to_string(out.result.id) +
                                 " is not a draft any more (sent or discarded) or does not exist";
      co_return http::problem(409, "Conflict", detail);
    }
    if (out.result.outcome == store::create_outcome::update_unknown)
      co_return unprocessable({{"updates", "there is no alert " + std::to_string(out.result.id)}});
    if (out.result.outcome == store::create_outcome::draft_changed) {
      const std::string detail = "draft " + std::to_string(out.result.id) + " was changed while it was being sent";
      co_return http::problem(409, "Conflict", detail);
    }
    if (out.result.outcome == store::create_outcome::media_unknown) co_return unknown_media(out.result.id);
    if (out.result.outcome == store::create_outcome::duplicate) {
      // A press office that double-clicks must not send twice.
      const auto earlier = out.result.id;
      const std::string detail = "the same alert was sent moments ago as alert " + std::to_string(earlier) +
                                 "; to send it again on purpose, repeat the request with \"allow_duplicate\": true";
      auto p = http::problem(409, "Conflict", detail);
      auto j = json::parse(p.body);
      j["alert_id"] = earlier;
      j["location"] = "/v1/alerts/" + std::to_string(earlier);
      p.body = j.dump();
      p.headers.push_back({"Location", "/v1/alerts/" + std::to_string(earlier)});
      co_return p;
    }
    auto j = report_json(*out.report);
    if (out.limit_counts) {
      // What the preview would have said, counted as the alert was
      // created, with the three fields this answer had before
      // (recipients_outside_window, remaining, next_capacity_at).
      const auto& counts = *out.limit_counts;
      const auto plan = plan_preview(ctx, counts);
      const auto e = domain::estimate_preview(plan.loads, plan.limits, ctx.price, now);
      auto limit = limit_json(ctx, counts, plan, e);
      limit["recipients_outside_window"] = e.templates;
      // Places left under the one limit that applies; none to give when
      // several portfolios each have their own.
      const auto used = ctx.numbers.empty() ? counts.usage.used : limit["portfolios"][0]["used"].get<std::int64_t>();
      limit["remaining"] = limit["tier"].is_number_integer()
                               ? json(std::max<std::int64_t>(0, limit["tier"].get<std::int64_t>() - used))
                               : json(nullptr);
      limit["next_capacity_at"] = time_or_null(counts.usage.frees_at);
      j["messaging_limit"] = std::move(limit);
    }
    http::response res = http::json_response(202, http::json_text(j));
    res.headers.push_back({"Location", "/v1/alerts/" + std::to_string(out.result.id)});
    if (out.result.outcome == store::create_outcome::replayed) res.headers.push_back({"Idempotent-Replayed", "true"});
    co_return res;
  });

  routes.add("POST", "/v1/alerts/preview", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    const auto now = now_ms();
    auto request = co_await read_alert_request(ctx, req, *auth.key, now);
    if (request.refusal) co_return std::move(*request.refusal);
    const auto level = request.validation.draft->level;
    const auto tier = limit_in_force(ctx);
    auto counts = co_await ctx.alerts->preview(request.audience, level, tier, now);
    const auto plan = plan_preview(ctx, counts);
    const auto& loads = plan.loads;
    const auto e = domain::estimate_preview(loads, plan.limits, ctx.price, now);

    json j = {{"audience", domain::audience_json(request.audience)},
              {"recipients", e.recipients},
              {"outside_window", e.templates},
              {"inside_window", e.free_form},
              {"seconds", e.seconds ? json(std::round(*e.seconds * 10) / 10) : json(nullptr)},
              {"messages_per_second", ctx.messages_per_second > 0 ? json(ctx.messages_per_second) : json(nullptr)}};
    j["messaging_limit"] = limit_json(ctx, counts, plan, e);
    if (!ctx.numbers.empty()) {
      // Several numbers: the pace is each number's.
      json numbers = json::array();
      for (std::size_t i = 0; i < loads.size(); ++i)
        numbers.push_back({{"number", loads[i].number},
                           {"portfolio", loads[i].portfolio},
                           {"recipients", loads[i].recipients},
                           {"outside_window", loads[i].outside_window},
                           {"messages_per_second", loads[i].messages_per_second > 0 ? json(loads[i].messages_per_second)
                                                                                    : json(nullptr)},
                           {"seconds", e.numbers[i].seconds ? json(std::round(*e.numbers[i].seconds * 10) / 10)
                                                            : json(nullptr)}});
      j["numbers"] = std::move(numbers);
      j["messages_per_second"] = nullptr;
    }
    if (e.cost)
      j["cost"] = {{"amount", std::round(*e.cost * 100) / 100},
                   {"currency", e.currency},
                   {"per_template", ctx.price.per_delivered},
                   {"category", ctx.price_category},
                   {"market", ctx.price_market}};
    else
      j["cost"] = nullptr;
    // With an attachment: the caption's limit, and whether the template
    // carries it.
    std::string mime_type;
    if (const auto media = request.validation.media_id; media && ctx.media) {
      auto info = co_await ctx.media->media_info(*media);
      if (!info) co_return unknown_media(*media);
      mime_type = info->mime_type;
    }
    j["phone"] = phone_json(*request.validation.draft, ctx.phone, now, mime_type);
    co_return http::json_response(200, http::json_text(j));
  });

  routes.add("GET", "/v1/alerts/{id}", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:read");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return http::problem(404, "Not Found", "alert ids are positive integers");
    const auto alert_id = *id;
    auto report = co_await ctx.alerts->report(alert_id);
    if (!report) co_return not_found(alert_id);
    co_return http::json_response(200, http::json_text(report_json(*report)));
  });

  routes.add("GET", "/v1/alerts", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:read");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto page_of = read_page(req, "an alert id");
    if (page_of.refusal) co_return std::move(*page_of.refusal);
    const auto [limit, before] = std::pair{page_of.limit, page_of.before};
    const auto count = static_cast<std::size_t>(limit);
    auto list = co_await ctx.alerts->list(before, count);
    json items = json::array();
    for (const auto& a : list) items.push_back(alert_json(a));
    json page = {{"alerts", items}};
    if (static_cast<std::int64_t>(list.size()) == limit && !list.empty())
      page["next"] = "/v1/alerts?limit=" + std::to_string(limit) + "&before=" + std::to_string(list.back().id);
    co_return http::json_response(200, http::json_text(page));
  });

  routes.add("POST", "/v1/alerts/{id}/cancel", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return http::problem(404, "Not Found", "alert ids are positive integers");
    const auto alert_id = *id;
    const auto now = now_ms();
    store::actor who{"key:" + auth.key->name, auth.key->id};
    auto report = co_await ctx.alerts->cancel(alert_id, std::move(who), now);
    if (!report) co_return not_found(alert_id);
    if (ctx.alerts_changed) ctx.alerts_changed();  // the public pages show the cancellation at once
    log::info("alert.cancelled", {{"request_id", req.request_id}, {"alert_id", alert_id}, {"state", report->alert.state}});
    co_return http::json_response(200, http::json_text(report_json(*report)));
  });

  routes.add("GET", "/v1/stats", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "stats:read");
    if (auth.refusal) co_return std::move(*auth.refusal);
    const auto now = now_ms();
    auto stats = co_await ctx.alerts->stats(limit_in_force(ctx), now);
    json j = {{"subscribers", stats.subscribers},
              {"flagged_subscribers", stats.flagged},
              {"deliveries", counts_json(stats.deliveries)}};
    j["messaging_limit"] = {{"tier", tier_json(ctx.tier_limit)}, {"used_last_24h", stats.usage.used}};
    if (!ctx.numbers.empty()) {
      // Several numbers: each portfolio's limit and its own use of it.
      json portfolios = json::array();
      for (const auto* n : portfolios_of(ctx)) {
        const auto* use = use_of(stats.portfolios, n->portfolio);
        portfolios.push_back({{"portfolio", n->portfolio},
                              {"tier", tier_json(n->tier)},
                              {"used_last_24h", use ? use->used : 0},
                              {"next_capacity_at", time_or_null(use ? use->frees_at : std::nullopt)}});
      }
      j["messaging_limit"]["tier"] = portfolios.size() == 1 ? portfolios[0]["tier"] : json(nullptr);
      j["messaging_limit"]["portfolios"] = std::move(portfolios);
    }
    co_return http::json_response(200, http::json_text(j));
  });
}

namespace {

json draft_json(const store::draft_record& d, const domain::approval_rule& rule) {
  json j = {{"id", d.id},
            {"source", d.source},
            {"state", d.state},
            {"town", d.town_id.empty() ? json(nullptr) : json(d.town_id)},
            {"category", d.category},
            {"severity", d.severity},
            {"title", d.title},
            {"text", d.text},
            {"link", d.link.empty() ? json(nullptr) : json(d.link)},
            {"alert_id", d.alert_id ? json(*d.alert_id) : json(nullptr)},
            {"published_at", time_or_null(d.published_at)},
            {"created_at", domain::format_rfc3339_utc(d.created_at)},
            {"updated_at", domain::format_rfc3339_utc(d.updated_at)},
            {"audience", domain::audience_json(d.audience)},
            {"expires_at", time_or_null(d.expires_at)},
            {"send_at", time_or_null(d.send_at)},
            {"public", d.publish},
            {"revision", d.revision},
            {"author", d.author.empty() ? json(nullptr) : json(d.author)},
            {"editor", d.editor.empty() ? json(nullptr) : json(d.editor)},
            {"submitted_at", time_or_null(d.submitted_at)},
            {"decision", d.decision.empty() ? json(nullptr) : json(d.decision)},
            {"decided_by", d.decided_by.empty() ? json(nullptr) : json(d.decided_by)},
            {"decided_at", time_or_null(d.decided_at)},
            {"reject_reason", d.reject_reason.empty() ? json(nullptr) : json(d.reject_reason)},
            {"media", d.media_id ? json(*d.media_id) : json(nullptr)},
            {"location", "/v1/drafts/" + std::to_string(d.id)}};
  if (!d.news_feed.empty()) j["news_feed"] = d.news_feed;
  const auto level = domain::parse_severity(d.severity);
  j["needs_approval"] = !level || rule.needs_approval(d.category, *level);
  return j;
}

http::response draft_not_found(std::string_view id) {
  return http::problem(404, "Not Found", "there is no draft " + std::string(id));
}

// 409 for a draft in a state that does not allow what was asked.
http::response wrong_state(const store::draft_record& d, std::string_view action, std::string_view allowed) {
  const std::string detail =
      fmt::format("draft {} is {}: only a draft that is {} can be {}", d.id, d.state, allowed, action);
  auto p = http::problem(409, "Conflict", detail);
  auto j = json::parse(p.body);
  j["state"] = d.state;
  j["revision"] = d.revision;
  p.body = http::json_text(j);
  return p;
}

// The person an API key acts as. Self-approval is judged on this name:
// two keys of one name are one person (a key rotated under its name stays
// the author of its drafts). docs/approval.md.
store::actor actor_of(const store::key_info& key) { return {"key:" + key.name, key.id}; }

// A key that may write drafts (drafts:write or alerts:send), or its refusal.
std::optional<http::response> refuse_writer(const store::key_info& key) {
  if (domain::powers_of_scopes(key.scopes).write) return std::nullopt;
  return http::problem(403, "Forbidden", "this key lacks the scope drafts:write (or alerts:send)");
}

// A JSON object body (approve, reject), or its refusal.
struct object_body {
  json body = json::object();
  std::optional<http::response> refusal;
};
object_body read_object_body(const http::request& req) {
  object_body out;
  if (!is_json(req.header("Content-Type"))) {
    out.refusal = http::problem(415, "Unsupported Media Type", "Content-Type must be application/json");
    return out;
  }
  out.body = req.body.find('\0') == std::string::npos ? json::parse(req.body, nullptr, false)
                                                       : json(json::value_t::discarded);
  if (out.body.is_discarded()) out.refusal = http::problem(400, "Bad Request", "the body is not valid JSON (UTF-8)");
  else if (!out.body.is_object()) out.refusal = unprocessable({{"", "the body must be a JSON object"}});
  return out;
}

// The catalogue a town-limited key's drafts are judged with (its areas
// say which town each is in); not read for a key of every town.
asio::awaitable<domain::audience_catalogue> catalogue_for(alerts_context& ctx, const store::key_info& key) {
  domain::audience_catalogue catalogue;
  if (!key.towns.empty() && ctx.audience) catalogue = co_await ctx.audience->catalogue();
  co_return catalogue;
}

http::response other_towns_draft(std::int64_t id) {
  const std::string detail = fmt::format(
      "draft {} is not for this key's towns (or is for every town): a key limited to towns reaches only their drafts",
      id);
  return http::problem(403, "Forbidden", detail);
}

// A key limited to towns reaches only the drafts of its towns, as a staff
// user limited to them does on the console: the draft of the path is read
// and judged first (none: the route answers its own 404). The change is
// then made at the revision judged, which the store compares in the
// change's own transaction: an edit that moved the draft to other towns
// in between is not acted on (stale).
struct town_check {
  std::optional<http::response> refusal;
  std::optional<std::int64_t> revision;  // for a key limited to towns
};
asio::awaitable<town_check> check_towns(alerts_context& ctx, const store::key_info& key, std::int64_t id) {
  town_check out;
  if (key.towns.empty()) co_return out;
  auto d = co_await ctx.drafts->draft(id);
  if (!d) co_return out;
  const auto catalogue = co_await catalogue_for(ctx, key);
  if (draft_within_towns(*d, key.towns, catalogue))
    out.revision = d->revision;
  else
    out.refusal = other_towns_draft(id);
  co_return out;
}

// 409 for a draft changed between the towns' check and the change.
http::response changed_meanwhile(const store::draft_record& d) {
  const std::string detail = fmt::format(
      "draft {} changed while this request was checked (it is now at revision {}): read it again (GET /v1/drafts/{})",
      d.id, d.revision, d.id);
  return http::problem(409, "Conflict", detail);
}

}  // namespace

void add_draft_routes(http::router& routes, alerts_context& ctx) {
  routes.add("GET", "/v1/drafts", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:read");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto page_of = read_page(req, "a draft id");
    if (page_of.refusal) co_return std::move(*page_of.refusal);
    const auto [limit, before] = std::pair{page_of.limit, page_of.before};
    // Open drafts unless asked otherwise: they are what waits for a person.
    std::string state(store::draft_open);
    if (auto st = req.query_param("state")) {
      if (*st != store::draft_open && *st != store::draft_pending && *st != store::draft_rejected &&
          *st != store::draft_sent && *st != store::draft_discarded && *st != "all")
        co_return http::problem(400, "Bad Request", "state must be draft, pending, rejected, sent, discarded or all");
      state = *st == "all" ? std::string() : *st;
    }
    const std::string state_query = state.empty() ? "all" : state;
    // A key limited to towns lists only its towns' drafts: the store's
    // pages are read on until one of ours is full (or none is left), so
    // the keyset link still starts below the last one listed.
    const auto count = static_cast<std::size_t>(limit);
    const auto catalogue = co_await catalogue_for(ctx, *auth.key);
    std::vector<store::draft_record> list;
    for (auto from = before;;) {
      auto wanted = state;
      auto batch = co_await ctx.drafts->list_drafts(std::move(wanted), from, count);
      for (auto& d : batch)
        if (list.size() < count && draft_within_towns(d, auth.key->towns, catalogue)) list.push_back(std::move(d));
      if (list.size() == count || batch.size() < count) break;
      from = batch.back().id;
    }
    json items = json::array();
    for (const auto& d : list) items.push_back(draft_json(d, ctx.approval_now()));
    json page = {{"drafts", items}};
    if (static_cast<std::int64_t>(list.size()) == limit && !list.empty())
      page["next"] = "/v1/drafts?state=" + state_query + "&limit=" + std::to_string(limit) +
                     "&before=" + std::to_string(list.back().id);
    co_return http::json_response(200, http::json_text(page));
  });

  routes.add("POST", "/v1/drafts", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, any_key);
    if (auth.refusal) co_return std::move(*auth.refusal);
    if (auto refusal = refuse_writer(*auth.key)) co_return std::move(*refusal);
    const auto now = now_ms();
    auto request = co_await read_alert_request(ctx, req, *auth.key, now, true);
    if (request.refusal) co_return std::move(*request.refusal);
    store::draft_content content;
    content.alert = std::move(*request.validation.draft);
    content.audience = std::move(request.audience);
    content.publish = request.validation.publish;
    content.send_at = request.validation.send_at_ms;
    // Its attachment, as POST /v1/alerts takes it; the store checks that it
    // exists in the transaction that writes the draft.
    const auto media = request.validation.media_id;
    content.media_id = media;
    // Named before the co_await: g++ 12 destroys temporaries built in a co_await expression twice.
    std::string source = "api";
    auto who = actor_of(*auth.key);
    auto created = co_await ctx.drafts->create_draft(std::move(content), std::move(source), std::move(who),
                                                     request.submit, now);
    if (created.outcome == store::draft_outcome::media_unknown) co_return unknown_media(*media);
    const auto& d = *created.draft;
    log::info("draft.created", {{"request_id", req.request_id}, {"draft_id", d.id}, {"state", d.state},
                                {"key", auth.key->name}});
    auto res = http::json_response(201, http::json_text(draft_json(d, ctx.approval_now())));
    res.headers.push_back({"Location", "/v1/drafts/" + std::to_string(d.id)});
    co_return res;
  });

  routes.add("GET", "/v1/drafts/{id}", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:read");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return draft_not_found(req.path_params["id"]);
    auto d = co_await ctx.drafts->draft(*id);
    if (!d) co_return draft_not_found(req.path_params["id"]);
    const auto catalogue = co_await catalogue_for(ctx, *auth.key);
    if (!draft_within_towns(*d, auth.key->towns, catalogue)) co_return other_towns_draft(*id);
    co_return http::json_response(200, http::json_text(draft_json(*d, ctx.approval_now())));
  });

  routes.add("PUT", "/v1/drafts/{id}", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, any_key);
    if (auth.refusal) co_return std::move(*auth.refusal);
    if (auto refusal = refuse_writer(*auth.key)) co_return std::move(*refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return draft_not_found(req.path_params["id"]);
    const auto now = now_ms();
    auto request = co_await read_alert_request(ctx, req, *auth.key, now, true);
    if (request.refusal) co_return std::move(*request.refusal);
    if (request.submit) co_return unprocessable({{"submit", "is not taken by an edit: submit with POST /v1/drafts/{id}/submit"}});
    auto towns = co_await check_towns(ctx, *auth.key, *id);
    if (towns.refusal) co_return std::move(*towns.refusal);
    store::draft_content content;
    content.alert = std::move(*request.validation.draft);
    content.audience = std::move(request.audience);
    content.publish = request.validation.publish;
    content.send_at = request.validation.send_at_ms;
    // The body is the whole draft: without "media" it keeps no attachment.
    const auto media = request.validation.media_id;
    content.media_id = media;
    // Whoever edits becomes the draft's editor, who cannot approve it.
    auto who = actor_of(*auth.key);
    auto change = co_await ctx.drafts->update_draft(*id, std::move(content), std::move(who), now, towns.revision);
    if (change.outcome == store::draft_outcome::not_found) co_return draft_not_found(req.path_params["id"]);
    if (change.outcome == store::draft_outcome::stale) co_return changed_meanwhile(*change.draft);
    if (change.outcome == store::draft_outcome::media_unknown) co_return unknown_media(*media);
    if (change.outcome == store::draft_outcome::wrong_state)
      co_return wrong_state(*change.draft, "edited", "draft or rejected");
    log::info("draft.updated", {{"request_id", req.request_id}, {"draft_id", *id}, {"revision", change.draft->revision},
                                {"key", auth.key->name}});
    co_return http::json_response(200, http::json_text(draft_json(*change.draft, ctx.approval_now())));
  });

  routes.add("POST", "/v1/drafts/{id}/discard", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return draft_not_found(req.path_params["id"]);
    auto towns = co_await check_towns(ctx, *auth.key, *id);
    if (towns.refusal) co_return std::move(*towns.refusal);
    auto who = actor_of(*auth.key);
    auto change = co_await ctx.drafts->discard_draft(*id, std::move(who), now_ms(), towns.revision);
    if (change.outcome == store::draft_outcome::not_found) co_return draft_not_found(req.path_params["id"]);
    if (change.outcome == store::draft_outcome::stale) co_return changed_meanwhile(*change.draft);
    const auto& d = change.draft;
    if (d->state == store::draft_sent) {
      const std::string detail = "draft " + std::to_string(d->id) + " was already sent as alert " +
                                 std::to_string(d->alert_id.value_or(0));
      co_return http::problem(409, "Conflict", detail);
    }
    if (d->state == store::draft_pending) co_return wrong_state(*d, "discarded", "draft or rejected");
    co_return http::json_response(200, http::json_text(draft_json(*d, ctx.approval_now())));
  });

  routes.add("POST", "/v1/drafts/{id}/submit", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, any_key);
    if (auth.refusal) co_return std::move(*auth.refusal);
    if (auto refusal = refuse_writer(*auth.key)) co_return std::move(*refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return draft_not_found(req.path_params["id"]);
    auto towns = co_await check_towns(ctx, *auth.key, *id);
    if (towns.refusal) co_return std::move(*towns.refusal);
    auto who = actor_of(*auth.key);
    auto change = co_await ctx.drafts->submit_draft(*id, std::move(who), now_ms(), towns.revision);
    if (change.outcome == store::draft_outcome::not_found) co_return draft_not_found(req.path_params["id"]);
    if (change.outcome == store::draft_outcome::stale) co_return changed_meanwhile(*change.draft);
    if (change.outcome == store::draft_outcome::wrong_state)
      co_return wrong_state(*change.draft, "submitted", "draft or rejected");
    log::info("draft.submitted", {{"request_id", req.request_id}, {"draft_id", *id}, {"key", auth.key->name}});
    co_return http::json_response(200, http::json_text(draft_json(*change.draft, ctx.approval_now())));
  });

  routes.add("POST", "/v1/drafts/{id}/reject", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return draft_not_found(req.path_params["id"]);
    auto read = read_object_body(req);
    if (read.refusal) co_return std::move(*read.refusal);
    std::vector<domain::field_error> errors;
    std::string reason;
    for (auto it = read.body.begin(); it != read.body.end(); ++it)
      if (it.key() != "reason") errors.push_back({it.key(), "unknown field"});
    if (auto it = read.body.find("reason"); it == read.body.end() || it->is_null())
      errors.push_back({"reason", "is required: say what the author should change"});
    else if (!it->is_string() || it->get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos ||
             it->get<std::string>().size() > 1000)
      errors.push_back({"reason", "must be a text of 1 to 1000 characters"});
    else
      reason = it->get<std::string>();
    if (!errors.empty()) co_return unprocessable(errors);
    auto towns = co_await check_towns(ctx, *auth.key, *id);
    if (towns.refusal) co_return std::move(*towns.refusal);
    auto who = actor_of(*auth.key);
    auto change =
        co_await ctx.drafts->reject_draft(*id, std::move(reason), std::move(who), now_ms(), towns.revision);
    if (change.outcome == store::draft_outcome::not_found) co_return draft_not_found(req.path_params["id"]);
    if (change.outcome == store::draft_outcome::stale) co_return changed_meanwhile(*change.draft);
    if (change.outcome == store::draft_outcome::wrong_state)
      co_return wrong_state(*change.draft, "rejected", "pending");
    log::info("draft.rejected", {{"request_id", req.request_id}, {"draft_id", *id}, {"key", auth.key->name}});
    co_return http::json_response(200, http::json_text(draft_json(*change.draft, ctx.approval_now())));
  });

  routes.add("POST", "/v1/drafts/{id}/approve", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return draft_not_found(req.path_params["id"]);
    auto read = read_object_body(req);
    if (read.refusal) co_return std::move(*read.refusal);
    // The revision the approver read: what is approved is what is sent.
    std::vector<domain::field_error> errors;
    for (auto it = read.body.begin(); it != read.body.end(); ++it)
      if (it.key() != "revision") errors.push_back({it.key(), "unknown field"});
    const auto rev = read.body.find("revision");
    if (rev == read.body.end() || rev->is_null())
      errors.push_back({"revision", "is required: the draft's revision as read (GET /v1/drafts/{id})"});
    else if (!rev->is_number_integer() || rev->get<std::int64_t>() < 1)
      errors.push_back({"revision", "must be a positive integer"});
    if (!errors.empty()) co_return unprocessable(errors);
    const auto revision = rev->get<std::int64_t>();

    app::approval_request request;
    request.draft_id = *id;
    request.revision = revision;
    request.who = actor_of(*auth.key);
    request.source = "api";
    request.towns = auth.key->towns;
    request.tier_limit = ctx.tier_limit;
    const auto now = now_ms();
    auto out = co_await approve_draft(*ctx.drafts, *ctx.alerts, ctx.audience, std::move(request), now);
    switch (out.outcome) {
      case approval_outcome::approved:
        break;
      case approval_outcome::not_found:
        co_return draft_not_found(req.path_params["id"]);
      case approval_outcome::wrong_state:
        co_return wrong_state(*out.draft, "approved", "pending");
      case approval_outcome::other_towns:
        co_return http::problem(403, "Forbidden", out.detail);
      case approval_outcome::everyone_for_some: {
        const std::string detail = fmt::format("draft {} is for every town; this key approves only for its own", *id);
        co_return http::problem(403, "Forbidden", detail);
      }
      case approval_outcome::expired: {
        const std::string detail = fmt::format("draft {} expired at {}: edit its expires_at and submit it again", *id,
                                               domain::format_rfc3339_utc(*out.draft->expires_at));
        co_return http::problem(409, "Conflict", detail);
      }
      case approval_outcome::own_draft: {
        const std::string detail = fmt::format(
            "draft {} was written or last changed by {}: a second person must approve it", *id, "key:" + auth.key->name);
        co_return http::problem(403, "Forbidden", detail);
      }
      case approval_outcome::stale: {
        const std::string detail = fmt::format(
            "draft {} is at another revision than {}: read it again (GET /v1/drafts/{}) and approve what it says now",
            *id, revision, *id);
        auto p = http::problem(409, "Conflict", detail);
        auto j = json::parse(p.body);
        j["revision"] = out.draft->revision;
        p.body = http::json_text(j);
        co_return p;
      }
      case approval_outcome::unavailable: {
        const std::string detail = fmt::format("draft {} is no longer pending (approved, rejected or withdrawn meanwhile)", *id);
        co_return http::problem(409, "Conflict", detail);
      }
      case approval_outcome::failed: {
        const std::string detail = fmt::format("draft {} could not be sent", *id);
        co_return http::problem(409, "Conflict", detail);
      }
    }
    log::info("draft.approved", {{"request_id", req.request_id}, {"draft_id", *id}, {"alert_id", out.alert_id},
                                 {"key", auth.key->name}});
    if (ctx.alerts_changed) ctx.alerts_changed();
    auto j = report_json(*out.report);
    j["draft_id"] = *id;
    http::response res = http::json_response(202, http::json_text(j));
    res.headers.push_back({"Location", "/v1/alerts/" + std::to_string(out.alert_id)});
    co_return res;
  });
}

namespace {

json model_json(const store::model_record& m) {
  return {{"id", m.id},
          {"name", m.name},
          {"text", m.text},
          {"blanks", domain::count_blanks(m.text)},
          {"category", m.category},
          {"severity", m.severity},
          {"created_by", m.created_by},
          {"created_at", domain::format_rfc3339_utc(m.created_at)},
          {"updated_at", domain::format_rfc3339_utc(m.updated_at)},
          {"location", "/v1/models/" + std::to_string(m.id)}};
}

http::response model_not_found(std::string_view id) {
  return http::problem(404, "Not Found", "there is no model " + std::string(id));
}

http::response model_name_taken(std::string_view name) {
  return http::problem(409, "Conflict", "another model is already named \"" + std::string(name) + "\"");
}

// A JSON body, or the refusal to read it.
struct json_body {
  json value;
  std::optional<http::response> refusal;
};
json_body read_json_body(const http::request& req) {
  json_body out;
  if (!is_json(req.header("Content-Type"))) {
    out.refusal = http::problem(415, "Unsupported Media Type", "Content-Type must be application/json");
    return out;
  }
  // A NUL ends nlohmann's input: JSON, a NUL and garbage would parse.
  out.value = req.body.find('\0') == std::string::npos ? json::parse(req.body, nullptr, false)
                                                         : json(json::value_t::discarded);
  if (out.value.is_discarded()) out.refusal = http::problem(400, "Bad Request", "the body is not valid JSON (UTF-8)");
  return out;
}

// The answer to a created or rewritten model.
http::response model_changed(const store::model_change& change, int status, std::string_view id_text,
                             std::string_view name) {
  if (change.outcome == store::model_outcome::not_found) return model_not_found(id_text);
  if (change.outcome == store::model_outcome::name_taken) return model_name_taken(name);
  http::response res = http::json_response(status, http::json_text(model_json(*change.model)));
  res.headers.push_back({"Location", "/v1/models/" + std::to_string(change.model->id)});
  return res;
}

}  // namespace

void add_model_routes(http::router& routes, alerts_context& ctx) {
  routes.add("GET", "/v1/models", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:read");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto list = co_await ctx.models->list_models();
    json items = json::array();
    for (const auto& m : list) items.push_back(model_json(m));
    json page = {{"models", items}};
    co_return http::json_response(200, http::json_text(page));
  });

  routes.add("POST", "/v1/models", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto body = read_json_body(req);
    if (body.refusal) co_return std::move(*body.refusal);
    auto validation = domain::validate_model(body.value);
    if (!validation.model) co_return unprocessable(validation.errors);
    const std::string name = validation.model->name;
    store::actor who{"key:" + auth.key->name, auth.key->id};
    auto change = co_await ctx.models->create_model(std::move(*validation.model), std::move(who), now_ms());
    co_return model_changed(change, 201, "", name);
  });

  routes.add("GET", "/v1/models/{id}", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:read");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return model_not_found(req.path_params["id"]);
    auto m = co_await ctx.models->model(*id);
    if (!m) co_return model_not_found(req.path_params["id"]);
    co_return http::json_response(200, http::json_text(model_json(*m)));
  });

  routes.add("PUT", "/v1/models/{id}", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return model_not_found(req.path_params["id"]);
    auto body = read_json_body(req);
    if (body.refusal) co_return std::move(*body.refusal);
    auto validation = domain::validate_model(body.value);
    if (!validation.model) co_return unprocessable(validation.errors);
    const std::string name = validation.model->name;
    store::actor who{"key:" + auth.key->name, auth.key->id};
    auto change = co_await ctx.models->update_model(*id, std::move(*validation.model), std::move(who), now_ms());
    co_return model_changed(change, 200, req.path_params["id"], name);
  });

  routes.add("DELETE", "/v1/models/{id}", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return model_not_found(req.path_params["id"]);
    store::actor who{"key:" + auth.key->name, auth.key->id};
    const bool deleted = co_await ctx.models->delete_model(*id, std::move(who), now_ms());
    if (!deleted) co_return model_not_found(req.path_params["id"]);
    http::response res;
    res.status = 204;
    res.content_type.clear();
    co_return res;
  });

  routes.add("POST", "/v1/models/{id}/fill", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    if (!id) co_return model_not_found(req.path_params["id"]);
    auto body = read_json_body(req);
    if (body.refusal) co_return std::move(*body.refusal);
    auto reading = domain::read_fill_values(body.value);
    if (!reading.values) co_return unprocessable(reading.errors);
    store::actor who{"key:" + auth.key->name, auth.key->id};
    auto filled = co_await ctx.models->fill_model(*id, std::move(*reading.values), std::move(who), now_ms());
    if (filled.outcome == store::fill_outcome::not_found) co_return model_not_found(req.path_params["id"]);
    if (filled.outcome == store::fill_outcome::refused) {
      const std::vector<domain::field_error> errors = {{"values", filled.reason}};
      co_return unprocessable(errors);
    }
    http::response res = http::json_response(201, http::json_text(draft_json(*filled.draft, ctx.approval_now())));
    res.headers.push_back({"Location", "/v1/drafts/" + std::to_string(filled.draft->id)});
    co_return res;
  });
}

namespace {

json media_json(const store::media_record& m) {
  const bool document = m.mime_type == "application/pdf";
  return {{"id", m.id},
          {"type", document ? "document" : "image"},
          {"mime_type", m.mime_type},
          {"filename", m.filename.empty() ? json(nullptr) : json(m.filename)},
          {"size", m.size},
          {"sha256", m.sha256},
          {"created_by", m.created_by},
          {"created_at", domain::format_rfc3339_utc(m.created_at)},
          {"location", "/v1/media/" + std::to_string(m.id)}};
}

// A document's name when none is given: what the phone shows under it.
constexpr std::string_view default_document_name = "avviso.pdf";

}  // namespace

void add_media_routes(http::router& routes, alerts_context& ctx) {
  routes.add("POST", "/v1/media", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:send");
    if (auth.refusal) co_return std::move(*auth.refusal);
    const auto declared = req.header("Content-Type");
    if (declared.empty())
      co_return http::problem(415, "Unsupported Media Type",
                              "Content-Type must say what the file is: image/jpeg, image/png or application/pdf");
    const auto check = domain::check_media(req.body, declared);
    if (!check.kind) {
      const std::vector<domain::field_error> errors = {{"file", check.reason}};
      co_return unprocessable(errors);
    }
    store::new_media upload;
    upload.kind = *check.kind;
    if (*check.kind == domain::media_kind::pdf) {
      upload.filename = req.query_param("filename").value_or(std::string(default_document_name));
      if (!domain::valid_document_filename(upload.filename)) {
        const std::vector<domain::field_error> errors = {
            {"filename", "must be 1 to 240 characters of UTF-8 ending in .pdf, without / or \\ or control characters"}};
        co_return unprocessable(errors);
      }
    } else if (req.query_param("filename")) {
      const std::vector<domain::field_error> errors = {{"filename", "names a document only, not an image"}};
      co_return unprocessable(errors);
    }
    upload.bytes = std::move(req.body);
    store::actor who{"key:" + auth.key->name, auth.key->id};
    auto stored = co_await ctx.media->store_media(std::move(upload), std::move(who), now_ms());
    if (stored.created)
      log::info("media.stored", {{"request_id", req.request_id}, {"media_id", stored.media.id},
                                 {"mime_type", stored.media.mime_type}, {"size", stored.media.size}});
    http::response res = http::json_response(stored.created ? 201 : 200, http::json_text(media_json(stored.media)));
    res.headers.push_back({"Location", "/v1/media/" + std::to_string(stored.media.id)});
    co_return res;
  });

  routes.add("GET", "/v1/media/{id}", [&ctx](http::request& req) -> asio::awaitable<http::response> {
    auto auth = co_await authorize(ctx, req, "alerts:read");
    if (auth.refusal) co_return std::move(*auth.refusal);
    auto id = http::positive_id(req.path_params["id"]);
    const std::string detail = "there is no media " + req.path_params["id"];
    if (!id) co_return http::problem(404, "Not Found", detail);
    auto m = co_await ctx.media->media_info(*id);
    if (!m) co_return http::problem(404, "Not Found", detail);
    co_return http::json_response(200, http::json_text(media_json(*m)));
  });
}

}  // namespace banditore::app
